#!/usr/bin/env bash
# Build (optimised) and run every benchmark; each prints its numbers beside
# the baseline it is measured against. Some need test servers or packages
# that scripts/check.sh installs (the S3 benchmark needs awscli and the npm
# test servers: run scripts/check.sh once first).
#   scripts/bench.sh [BUILD_DIR] [TARGET]   TARGET: bench (all) or bench-<name>
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
target=${2:-bench}
scripts/install-deps.sh
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
cmake --build "$build" --target "$target"
