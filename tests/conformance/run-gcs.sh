#!/bin/sh
# Run wsp-conformance on wsp-fs-gcs.so against a GCS server started here,
# then stop it.
#   run-gcs.sh CONFORMANCE wsp-fs-gcs.so GCS_TEST_DIR [EMULATOR_DIR]
# Without EMULATOR_DIR: the project's GCS fake (tests/gcs/fake-gcs.mjs,
# Node's built-in modules only). It wants a bearer token on every storage
# call; the provider gets it from the fake's metadata server (Application
# Default Credentials with GCE_METADATA_HOST, no key file and no gcloud
# user file), so the auth route a GCE or GKE workload takes is part of the
# run. Pages of 3 make every listing of more than three entries follow
# page tokens.
# With EMULATOR_DIR (tests/gcs-emu, `npm ci` there): firebase-tools'
# storage emulator, a second implementation of the API, which checks no
# auth (the provider runs anonymous) and finalises a chunked resumable
# upload at its first chunk, so one chunk carries the kit's largest file.
# Its other gaps are the checks WSP_CONF_ARGS names with --expect-fail.
set -eu
. "$(dirname "$0")/kit.sh"
conf=$1 so=$2 gcsdir=$3 emudir=${4:-}
node=$(command -v node || true)
if [ ! -x "${node:-/nonexistent}" ]; then
	echo "run-gcs.sh: node is needed for the GCS fake" >&2
	exit 1
fi

kit_tmp gcs

chmod 755 "$tmp" # the server's data under it, readable when run as nobody
if [ -n "$emudir" ]; then
	mkdir -p "$tmp/emu"
	TMPDIR="$tmp/emu" "$node" "$emudir/gcs-emu.mjs" --port 0 \
		--no-stdin-watch >"$tmp/server.log" 2>&1 &
	what="the GCS emulator"
else
	"$node" "$gcsdir/fake-gcs.mjs" --bucket team-data --auth bearer \
		--dir "$tmp" --no-stdin-watch >"$tmp/server.log" 2>&1 &
	what="the GCS fake"
fi
pid=$!
wait_listening "$tmp/server.log" "$pid" "$what"
addr=$(sed -n 's/^listening //p' "$tmp/server.log" | head -n 1)

if [ -n "$emudir" ]; then
	cat >"$tmp/options.yaml" <<YAML
bucket: team-data
endpoint: http://$addr
prefix: conformance/dev-box
anonymous: true
chunk_size: 16MiB
resumable_threshold: 1MiB
YAML
else
	# Chunks of 256 KiB and a 1 MiB threshold, so the kit's 7 MiB file
	# goes up as a resumable upload of many chunks.
	cat >"$tmp/options.yaml" <<YAML
bucket: team-data
endpoint: http://$addr
prefix: conformance/dev-box
chunk_size: 256KiB
resumable_threshold: 1MiB
YAML
fi

export XDG_CONFIG_HOME="$tmp/xdg" XDG_STATE_HOME="$tmp/xdg-state"
export GCE_METADATA_HOST="$addr" CLOUDSDK_CONFIG="$tmp/no-gcloud"
export WSP_FS_GCS_PAGE_SIZE=3
unset WSP_CONFIG WSP_PLUGIN_PATH GOOGLE_APPLICATION_CREDENTIALS
# shellcheck disable=SC2086 # split on purpose
kit_run "$conf" "$so" ${WSP_CONF_ARGS:-}
kit_checks
exit $kit_rc
