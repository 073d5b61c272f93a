#!/usr/bin/env bash
# Run every libFuzzer target of a -DWSP_FUZZ=ON build for a bounded time on
# its seed corpus (tests/fuzz/corpus/<name>/, copied so seeds stay clean).
#   scripts/fuzz.sh BUILD_DIR [SECONDS]
#   WSP_FUZZ_SEED=N ...   libFuzzer's seed (default 1; 0 picks a random one)
#
# The default seed is fixed so that CI's verdict belongs to the commit: the
# same sources and seeds replay the same inputs, and a failure replays. To
# explore, run longer with WSP_FUZZ_SEED=0 (tests/fuzz/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
build=$1
secs=${2:-30}
seed=${WSP_FUZZ_SEED:-1}
found=0
for bin in "$build"/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	found=1
	name=$(basename "$bin")
	name=${name#fuzz_}
	work=$(mktemp -d)
	[ -d "tests/fuzz/corpus/$name" ] && cp -r "tests/fuzz/corpus/$name/." "$work/"
	echo "fuzz_$name: ${secs}s, seed $seed"
	"$bin" -seed="$seed" -max_total_time="$secs" -max_len=65536 -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 "$work" 2>"$work.log" ||
		{ tail -50 "$work.log"; rm -rf "$work" "$work.log"; exit 1; }
	grep -E '^stat::number_of_executed_units' "$work.log" || true
	rm -rf "$work" "$work.log"
done
[ "$found" = 1 ] || { echo "no fuzz targets were built in $build/fuzz" >&2; exit 1; }
