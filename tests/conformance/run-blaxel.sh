#!/bin/sh
# Run wsp-conformance on wsp-sandbox-blaxel.so against the project's Blaxel
# fake (tests/blaxel/fake-blaxel.mjs: Node's built-in modules and bwrap),
# then stop it.
#   run-blaxel.sh CONFORMANCE wsp-sandbox-blaxel.so BLAXEL_TEST_DIR
# The fake runs with a TMPDIR of its own and exits when its stdin closes,
# so it never outlives the run. The key and workspace come from BL_API_KEY
# and BL_WORKSPACE, as on a machine set up for Blaxel's own tools, so those
# defaults are part of the run; the key must appear neither in the output
# nor in the state files.
set -eu
. "$(dirname "$0")/node-fake.sh"
conf=$1 so=$2 dir=$3
node_fake_start Blaxel "$dir/fake-blaxel.mjs"

cat >"$tmp/options.yaml" <<YAML
api_url: http://$addr/v0
memory: 2GiB
YAML

export XDG_CONFIG_HOME="$tmp/xdg" XDG_STATE_HOME="$tmp/xdg-state"
export BL_API_KEY=bl_conformance_key_7d21 BL_WORKSPACE=team-dev
unset WSP_CONFIG WSP_PLUGIN_PATH BL_API_URL BL_REGION
# shellcheck disable=SC2086 # split on purpose
kit_run "$conf" "$so" ${WSP_CONF_ARGS-}
# The key must be neither in the output nor in the state files.
kit_secret_absent "$BL_API_KEY" "$tmp/out" "$tmp/xdg-state"
kit_checks
exit $kit_rc
