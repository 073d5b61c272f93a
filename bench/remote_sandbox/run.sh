#!/usr/bin/env bash
# bench/remote_sandbox/run.sh VENDOR BENCH_BIN WSP_CLI - each workload of
# bench_remote.c (100 sequential `exec true`, 10 MiB of stdout, 50
# concurrent background processes with output) through libwsp and through
# the vendor's official SDK (bench/remote_sandbox/VENDOR.mjs), against the
# same fake (tests/VENDOR, `npm ci` there first), one after the other on
# one sandbox both reconnect to. Prints wall time, client CPU and peak
# resident memory of each, and wsp's ratios to the SDK's node process
# (the issues' goals: wall <= 0.5x, memory <= 0.1x).
set -euo pipefail
vendor=$1 bench=$(realpath "$2") wsp=$(realpath "$3")
here=$(cd "$(dirname "$0")" && pwd)
fakedir=$here/../../tests/$vendor
. "$here/../fake.sh"
bench_scratch remote
. "$here/../measure.sh"
. "$here/e2b-floor.sh"

case $vendor in
daytona | blaxel | e2b) ;;
*) echo "run.sh: no benchmark client for '$vendor' yet" >&2; exit 2 ;;
esac
[ -d "$fakedir/node_modules" ] ||
	{ echo "run.sh: run 'npm ci' in $fakedir first" >&2; exit 2; }

mkdir -p "$work/tmp"
command -v curl >/dev/null || { echo "run.sh: needs curl" >&2; exit 2; }
TMPDIR=$work/tmp bench_listen node "$fakedir/fake-$vendor.mjs" \
	--no-stdin-watch
[ -n "$addr" ] || { echo "run.sh: the fake did not start" >&2; exit 1; }

export XDG_STATE_HOME=$work/state
case $vendor in
daytona)
	export DAYTONA_API_URL=http://$addr/api DAYTONA_API_KEY=dtn_bench_key
	export DAYTONA_USE_DEPRECATED_POLLING=true
	options="api_url: $DAYTONA_API_URL, api_key: \"\${DAYTONA_API_KEY}\""
	key=id ;;
blaxel)
	# the SDK reads .env, blaxel.toml and HOME when it is imported
	export BL_API_URL=http://$addr/v0 BL_WORKSPACE=bench BL_API_KEY=bl_bench_key
	export BL_DISABLE_H2=true DO_NOT_TRACK=1 HOME=$work
	unset BL_ENV BL_RUN_URL BL_REGION BL_CLIENT_CREDENTIALS
	options="api_url: $BL_API_URL, workspace: bench, api_key: \"\${BL_API_KEY}\""
	key=name ;;
e2b)
	export E2B_API_URL=http://$addr E2B_SANDBOX_URL=http://$addr E2B_API_KEY=e2b_bench_key
	unset E2B_DOMAIN E2B_DEBUG
	# a lifetime longer than the bench (the template's default is short)
	options="api_url: $E2B_API_URL, sandbox_url: $E2B_SANDBOX_URL, api_key: \"\${E2B_API_KEY}\", timeout: 1h"
	key=sandboxID ;;
esac
printf 'sandbox:\n  provider: %s\n  id: bench-box\n  options: {%s}\n' \
	"$vendor" "$options" >"$work/wsp.yaml"
"$wsp" --config "$work/wsp.yaml" sandbox start >/dev/null
# the one sandbox the fake holds, as its admin API lists it
remote=$(curl -sf "http://$addr/_fake/sandboxes" | KEY=$key node -e '
	let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
		const b = JSON.parse(s).sandboxes;
		console.log(b.length === 1 ? b[0][process.env.KEY] : "");
	})')
[ -n "$remote" ] || { echo "run.sh: not one sandbox on the fake" >&2; exit 1; }

echo "$vendor: libwsp (bench_remote_sandbox) beside the official SDK (node), same fake, same sandbox"
cd "$work" # the SDK reads .env files in its directory: this one has none
for w in ${WORKLOADS:-exec100 stdout10m procs50}; do
	echo "-- $w"
	# a workload the provider cannot run yet says so and the next goes on
	if ! measure wsp "$bench" "$work/wsp.yaml" "$w" ||
		! measure sdk node "$here/$vendor.mjs" "$remote" "$w"; then
		echo "$w: not measured (see the error above)"
		continue
	fi
	printf '%-10s wall %.2fx  cpu %.2fx  peak rss %.3fx\n' ratio \
		"$(echo "$wsp_wall / $sdk_wall" | bc -l)" \
		"$(echo "$wsp_cpu / ($sdk_cpu + 0.001)" | bc -l)" \
		"$(echo "$wsp_rss / $sdk_rss" | bc -l)"
	if [ "$vendor/$w" = e2b/exec100 ]; then e2b_floor; fi
done
