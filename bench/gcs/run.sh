#!/usr/bin/env bash
# bench/gcs/run.sh WSP_CLI [SIZE_MIB] - upload and download SIZE_MIB (1024)
# of random bytes through `wsp fs put/get` on a GCS mount and through
# @google-cloud/storage (bench/gcs/client.mjs), against the same GCS fake
# (tests/gcs/fake-gcs.mjs, `npm ci` in tests/gcs first) without auth, one
# after the other. Prints wall time, client CPU (user+sys) and peak
# resident memory of each, and wsp's ratios to the Node client.
set -euo pipefail
wsp=$1
size=${2:-1024}
here=$(cd "$(dirname "$0")" && pwd)
gcsdir=$here/../../tests/gcs
. "$here/../fake.sh"
bench_scratch gcs

mkdir -p "$work/data"
bench_listen node "$gcsdir/fake-gcs.mjs" --bucket team-data --dir "$work/data" \
	--no-stdin-watch
case $addr in http*) ep=$addr ;; *) ep=http://$addr ;; esac

cat >"$work/wsp.yaml" <<YAML
mounts:
  /data:
    provider: gcs
    options:
      bucket: team-data
      endpoint: $ep
      anonymous: true
YAML

head -c "$((size * 1024 * 1024))" /dev/urandom >"$work/src.bin"

. "$here/../measure.sh"

node=$(command -v node)
echo "GCS benchmark: $size MiB, GCS fake at $ep"
measure wsp-up "$wsp" --config "$work/wsp.yaml" fs put "$work/src.bin" /data/wsp.bin
measure node-up "$node" "$here/client.mjs" up "$ep" team-data node.bin "$work/src.bin"
measure wsp-down "$wsp" --config "$work/wsp.yaml" fs get /data/node.bin "$work/wsp-down.bin"
measure node-down "$node" "$here/client.mjs" down "$ep" team-data wsp.bin "$work/node-down.bin"
cmp "$work/src.bin" "$work/wsp-down.bin"
cmp "$work/src.bin" "$work/node-down.bin"
echo "both downloads are byte-identical to the source"
for d in up down; do
	ww=wsp_${d}_wall wc=wsp_${d}_cpu wr=wsp_${d}_rss
	nw=node_${d}_wall nc=node_${d}_cpu nr=node_${d}_rss
	printf '%-9s wall ratio %.2f (goal <= 1.0), cpu ratio %.2f (goal <= 0.3), wsp rss %d MiB (goal <= 64), rss ratio %.2f (wsp / node)\n' \
		"$d:" "$(echo "${!ww} / ${!nw}" | bc -l)" "$(echo "${!wc} / ${!nc}" | bc -l)" \
		"$((${!wr} / 1024))" "$(echo "${!wr} / ${!nr}" | bc -l)"
done
