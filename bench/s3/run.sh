#!/usr/bin/env bash
# bench/s3/run.sh WSP_CLI [SIZE_MIB] - upload and download SIZE_MIB (1024)
# of random bytes through `wsp fs put/get` on an S3 mount and through
# `aws s3 cp`, against the same local s3rver (tests/s3, `npm ci` there
# first), one after the other. Prints wall time, client CPU (user+sys)
# and peak resident memory of each, and wsp's ratios to aws.
set -euo pipefail
wsp=$1
size=${2:-1024}
top=$(cd "$(dirname "$0")/../.." && pwd)
s3dir=$top/tests/s3
aws=/usr/bin/aws
[ -x "$aws" ] || aws=$(command -v aws)
. "$top/bench/fake.sh"
bench_scratch s3

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$work/data"
NODE_OPTIONS=--openssl-legacy-provider WSP_S3_BUCKET=team-data \
	node "$s3dir/start-s3rver.js" plain "$work/data" "$port" >/dev/null &
pid=$!
for _ in $(seq 1 200); do
	curl -s -o /dev/null "http://127.0.0.1:$port/" && break
	sleep 0.05
done

cat >"$work/wsp.yaml" <<YAML
mounts:
  /data:
    provider: s3
    options:
      bucket: team-data
      endpoint: http://127.0.0.1:$port
      region: us-east-1
      access_key_id: S3RVER
      secret_access_key: S3RVER
YAML
printf '[default]\nregion = us-east-1\ns3 =\n    addressing_style = path\n' >"$work/aws-config"
printf '[default]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n' >"$work/aws-credentials"
export AWS_CONFIG_FILE=$work/aws-config AWS_SHARED_CREDENTIALS_FILE=$work/aws-credentials
export AWS_EC2_METADATA_DISABLED=true AWS_PAGER=
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN

head -c "$((size * 1024 * 1024))" /dev/urandom >"$work/src.bin"

. "$top/bench/measure.sh"

echo "S3 benchmark: $size MiB, s3rver on 127.0.0.1:$port"
measure wsp-up "$wsp" --config "$work/wsp.yaml" fs put "$work/src.bin" /data/wsp.bin
measure aws-up "$aws" --endpoint-url "http://127.0.0.1:$port" s3 cp --only-show-errors \
	"$work/src.bin" s3://team-data/aws.bin
measure wsp-down "$wsp" --config "$work/wsp.yaml" fs get /data/aws.bin "$work/wsp-down.bin"
measure aws-down "$aws" --endpoint-url "http://127.0.0.1:$port" s3 cp --only-show-errors \
	s3://team-data/wsp.bin "$work/aws-down.bin"
cmp "$work/src.bin" "$work/wsp-down.bin"
cmp "$work/src.bin" "$work/aws-down.bin"
echo "both downloads are byte-identical to the source"
printf 'upload:   wall ratio %.2f, cpu ratio %.2f (wsp / aws)\n' \
	"$(echo "$wsp_up_wall / $aws_up_wall" | bc -l)" "$(echo "$wsp_up_cpu / $aws_up_cpu" | bc -l)"
printf 'download: wall ratio %.2f, cpu ratio %.2f (wsp / aws)\n' \
	"$(echo "$wsp_down_wall / $aws_down_wall" | bc -l)" "$(echo "$wsp_down_cpu / $aws_down_cpu" | bc -l)"
