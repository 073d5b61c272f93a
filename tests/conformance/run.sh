#!/bin/sh
# Run wsp-conformance on an in-tree provider with options pointing into a
# fresh temporary directory, then remove it.
#   run.sh CONFORMANCE PLUGIN.so fs|sandbox|sandbox-bwrap|sandbox-plain|sandbox-root \
#          [EXTRA_OPTION...]
# sandbox-bwrap: the local sandbox isolated with bubblewrap
# sandbox-plain: a provider whose only option is working_dir (the template)
# sandbox-root: a provider whose only option is root (tests/sandbox-mount's
#   mountrec)
# WSP_CONF_ARGS: more arguments for wsp-conformance (split on spaces)
set -eu
conf=$1 so=$2 kind=$3
shift 3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/wsp-conformance-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/files" "$tmp/state"
case $kind in
fs)
	printf 'base_path: %s\n' "$tmp/files" >"$tmp/options.yaml" ;;
sandbox | sandbox-bwrap)
	[ "$kind" = sandbox ] && iso=none || iso=bwrap
	printf 'isolation: %s\nworking_dir: %s\nstate_dir: %s\n' \
		"$iso" "$tmp/files" "$tmp/state" >"$tmp/options.yaml" ;;
sandbox-plain)
	printf 'working_dir: %s\n' "$tmp/files" >"$tmp/options.yaml" ;;
sandbox-root)
	printf 'root: %s\n' "$tmp/files" >"$tmp/options.yaml" ;;
*)
	echo "run.sh: unknown kind '$kind'" >&2
	exit 2 ;;
esac
for line in "$@"; do
	printf '%s\n' "$line" >>"$tmp/options.yaml"
done
# No config from the environment may leak into the run.
export XDG_CONFIG_HOME="$tmp/xdg" XDG_STATE_HOME="$tmp/xdg-state"
unset WSP_CONFIG WSP_PLUGIN_PATH
rc=0
# shellcheck disable=SC2086 # split on purpose
"$conf" "$so" --options "$tmp/options.yaml" ${WSP_CONF_ARGS-} \
	>"$tmp/out" 2>&1 || rc=$?
cat "$tmp/out"
# WSP_CONF_EXPECT_FAIL=CHECK: the run must exit 1 with that check failed.
if [ -n "${WSP_CONF_EXPECT_FAIL-}" ]; then
	[ $rc -eq 1 ] || { echo "exit $rc, want 1" >&2; exit 1; }
	grep -q "^FAIL $WSP_CONF_EXPECT_FAIL:" "$tmp/out" ||
		{ echo "no 'FAIL $WSP_CONF_EXPECT_FAIL'" >&2; exit 1; }
	grep -q '^[0-9]* passed, [1-9][0-9]* failed' "$tmp/out" ||
		{ echo "no summary counting the failure" >&2; exit 1; }
	exit 0
fi
# WSP_CONF_EXPECT_PASS="CHECK...": each of these checks must have passed
# (e.g. that an absent capability answers WSP_ENOTSUP as nobody).
for check in ${WSP_CONF_EXPECT_PASS-}; do
	grep -q "^PASS $check\$" "$tmp/out" ||
		{ echo "no 'PASS $check'" >&2; exit 1; }
done
# A run that passes must have checked something and failed nothing.
grep -q '^PASS ' "$tmp/out" || { echo "no check passed" >&2; exit 1; }
grep -q '^[0-9]* passed, 0 failed' "$tmp/out" || rc=1
exit $rc
