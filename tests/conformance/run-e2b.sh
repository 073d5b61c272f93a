#!/bin/sh
# Run wsp-conformance on wsp-sandbox-e2b.so against the project's E2B fake
# (tests/e2b/fake-e2b.mjs: Node's built-in modules and bwrap), then stop
# it.
#   run-e2b.sh CONFORMANCE wsp-sandbox-e2b.so E2B_TEST_DIR
# The fake runs with a TMPDIR of its own and exits when its stdin closes,
# so it never outlives the run. The key comes from E2B_API_KEY, as on a
# machine set up for E2B's SDK, so that default is part of the run; it
# must appear neither in the output nor in the state files.
set -eu
. "$(dirname "$0")/node-fake.sh"
conf=$1 so=$2 dir=$3
node_fake_start e2b "$dir/fake-e2b.mjs"

cat >"$tmp/options.yaml" <<YAML
api_url: http://$addr
sandbox_url: http://$addr
YAML

export XDG_CONFIG_HOME="$tmp/xdg" XDG_STATE_HOME="$tmp/xdg-state"
export E2B_API_KEY=e2b_conformance_key_3c81
unset WSP_CONFIG WSP_PLUGIN_PATH E2B_API_URL E2B_SANDBOX_URL E2B_DOMAIN
# shellcheck disable=SC2086 # split on purpose
kit_run "$conf" "$so" ${WSP_CONF_ARGS-}
# The key must be neither in the output nor in the state files.
kit_secret_absent "$E2B_API_KEY" "$tmp/out" "$tmp/xdg-state"
kit_checks
exit $kit_rc
