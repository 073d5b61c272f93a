#!/bin/sh
# run-unprivileged.sh CMD [ARG...]: run CMD as uid/gid 65534 with no
# supplementary groups, as the security tests' unprivileged half does:
#   setpriv --reuid=65534 --regid=65534 --clear-groups
# HOME, TMPDIR and the XDG directories point into a fresh directory that
# user owns, so nothing of the caller's state is shared. Only root can
# change its uid: run by anyone else, it says so and exits 77, which the
# tests declare as their SKIP_RETURN_CODE (CI runs as root, so there the
# unprivileged half always runs).
#
# A test run this way cannot make a file of another user, so the script
# leaves one for the ownership rules (the plugin loader's StrictModes):
#   WSP_TEST_FOREIGN_DIR   $home/foreign, owned by uid 1001 (neither root
#                          nor the caller), mode 0755, holding plugins/
#                          owned by the caller, for the caller to fill
#   WSP_TEST_FOREIGN_FILE  $home/mine/wsp-fs-fixture.so, an empty file of
#                          uid 1001, mode 0755, in a directory of the caller
set -eu
if [ "$(id -u)" != 0 ]; then
	echo "run-unprivileged.sh: needs root to switch to uid 65534; not run" >&2
	exit 77
fi
home=$(mktemp -d "${TMPDIR:-/tmp}/wsp-nobody.XXXXXX")
trap 'rm -rf "$home"' EXIT INT TERM
mkdir -p "$home/state" "$home/config" "$home/tmp"
mkdir -p "$home/foreign/plugins" "$home/mine"
: >"$home/mine/wsp-fs-fixture.so"
chown -R 65534:65534 "$home"
chown 1001:1001 "$home/foreign" "$home/mine/wsp-fs-fixture.so"
chmod 0755 "$home/foreign" "$home/mine/wsp-fs-fixture.so"
chmod 0700 "$home"
HOME=$home TMPDIR=$home/tmp XDG_STATE_HOME=$home/state \
XDG_CONFIG_HOME=$home/config \
WSP_TEST_FOREIGN_DIR=$home/foreign \
WSP_TEST_FOREIGN_FILE=$home/mine/wsp-fs-fixture.so \
	setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
