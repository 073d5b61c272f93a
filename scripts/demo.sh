#!/usr/bin/env bash
# Set up (install what is missing, build) and run the main job on the
# embedded default: the local sandbox and the local filesystem in
# ./workspace. No configuration file is needed.
#   scripts/demo.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
scripts/install-deps.sh
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
wsp="$build/bin/wsp"

say() { printf '\n$ wsp %s\n' "$*"; }

say version
"$wsp" version
say plugins
"$wsp" plugins
