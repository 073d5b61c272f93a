#!/bin/sh
# run-unprivileged.sh CMD [ARG...]: run CMD as uid/gid 65534 with no
# supplementary groups, as the security tests' unprivileged half does:
#   setpriv --reuid=65534 --regid=65534 --clear-groups
# HOME, TMPDIR and the XDG directories point into a fresh directory that
# user owns, so nothing of the caller's state is shared. Only root can
# change its uid: run by anyone else, it says so and exits 77, which the
# tests declare as their SKIP_RETURN_CODE (CI runs as root, so there the
# unprivileged half always runs).
set -eu
if [ "$(id -u)" != 0 ]; then
	echo "run-unprivileged.sh: needs root to switch to uid 65534; not run" >&2
	exit 77
fi
home=$(mktemp -d "${TMPDIR:-/tmp}/wsp-nobody.XXXXXX")
trap 'rm -rf "$home"' EXIT INT TERM
mkdir -p "$home/state" "$home/config" "$home/tmp"
chown -R 65534:65534 "$home"
chmod 0700 "$home"
HOME=$home TMPDIR=$home/tmp XDG_STATE_HOME=$home/state \
XDG_CONFIG_HOME=$home/config \
	setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
