#!/bin/sh
# Run wsp-conformance on wsp-sandbox-daytona.so against the project's
# Daytona fake (tests/daytona/fake-daytona.mjs, Node's built-in modules
# and bwrap only), then stop it.
#   run-daytona.sh CONFORMANCE wsp-sandbox-daytona.so DAYTONA_TEST_DIR
# The fake runs with a TMPDIR of its own and exits when its stdin closes,
# so it never outlives the run, even if this script is killed.
set -eu
. "$(dirname "$0")/node-fake.sh"
conf=$1 so=$2 dir=$3
node_fake_start Daytona "$dir/fake-daytona.mjs"

cat >"$tmp/options.yaml" <<YAML
api_url: http://$addr/api
api_key: dtn_conformance_key_5e2a
YAML

export XDG_CONFIG_HOME="$tmp/xdg" XDG_STATE_HOME="$tmp/xdg-state"
unset WSP_CONFIG WSP_PLUGIN_PATH DAYTONA_API_KEY
# shellcheck disable=SC2086 # split on purpose
kit_run "$conf" "$so" ${WSP_CONF_ARGS-}
# The key must be in no line the kit printed.
kit_secret_absent dtn_conformance_key_5e2a "$tmp/out"
kit_checks
exit $kit_rc
