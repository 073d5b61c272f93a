#!/bin/sh
# Run wsp-conformance on wsp-sandbox-daytona.so against the project's
# Daytona fake (tests/daytona/fake-daytona.mjs, Node's built-in modules
# and bwrap only), then stop it.
#   run-daytona.sh CONFORMANCE wsp-sandbox-daytona.so DAYTONA_TEST_DIR
# The fake runs with a TMPDIR of its own and exits when its stdin closes,
# so it never outlives the run, even if this script is killed.
set -eu
. "$(dirname "$0")/wait-listening.sh"
conf=$1 so=$2 dir=$3
node=$(command -v node || true)
if [ ! -x "${node:-/nonexistent}" ]; then
	echo "run-daytona.sh: node is needed for the Daytona fake" >&2
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/wsp-conformance-daytona-XXXXXX")
mkdir "$tmp/fake"
pid=
cleanup() {
	exec 9>&- 2>/dev/null || true
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

mkfifo "$tmp/stdin"
TMPDIR="$tmp/fake" "$node" "$dir/fake-daytona.mjs" <"$tmp/stdin" \
	>"$tmp/server.log" 2>&1 &
pid=$!
exec 9>"$tmp/stdin" # held open: the fake exits when it closes
wait_listening "$tmp/server.log" "$pid" "the Daytona fake"
addr=$(sed -n 's/^listening //p' "$tmp/server.log" | head -n 1)

cat >"$tmp/options.yaml" <<YAML
api_url: http://$addr/api
api_key: dtn_conformance_key_5e2a
YAML

export XDG_CONFIG_HOME="$tmp/xdg" XDG_STATE_HOME="$tmp/xdg-state"
unset WSP_CONFIG WSP_PLUGIN_PATH DAYTONA_API_KEY
rc=0
# shellcheck disable=SC2086 # split on purpose
"$conf" "$so" --options "$tmp/options.yaml" ${WSP_CONF_ARGS-} \
	>"$tmp/out" 2>&1 || rc=$?
cat "$tmp/out"
for check in ${WSP_CONF_EXPECT_PASS-}; do
	grep -q "^PASS $check\$" "$tmp/out" ||
		{ echo "no 'PASS $check'" >&2; exit 1; }
done
# The key must be in no line the kit printed.
if grep -q dtn_conformance_key_5e2a "$tmp/out"; then
	echo "the API key appears in the output" >&2
	exit 1
fi
grep -q '^PASS ' "$tmp/out" || { echo "no check passed" >&2; exit 1; }
grep -q '^[0-9]* passed, 0 failed' "$tmp/out" || rc=1
exit $rc
