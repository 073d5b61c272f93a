#!/usr/bin/env bash
# Set up and run every test: installs what is missing, then builds twice
# (warnings as errors; AddressSanitizer + UndefinedBehaviorSanitizer) and
# runs the whole ctest suite in each, then the fuzz targets for a bounded
# time and the ABI check. Exits non-zero on the first failure.
#
#   scripts/check.sh            everything
#   WSP_CHECK_SKIP_ASAN=1 ...   skip the sanitizer build (quicker local runs)
#   WSP_FUZZ_SECONDS=N ...      seconds per fuzz target (default 30)
#   WSP_FUZZ_SEED=N ...         libFuzzer seed (default 1: CI replays; 0: random)
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
jobs=$(nproc 2>/dev/null || echo 2)

step() { printf '\n==> %s\n' "$*"; }

step "dependencies"
scripts/install-deps.sh --test
# npm packages the integration tests drive (official SDKs, test servers),
# pinned by the lock files beside them.
for lock in tests/*/package-lock.json; do
	[ -e "$lock" ] || continue
	dir=$(dirname "$lock")
	step "npm ci in $dir"
	(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
done

# FUSE for an unprivileged user, as a Debian host has it: systemd's udev
# rule gives /dev/fuse mode 0666, but a container without udev leaves the
# kernel's 0600, and the unprivileged S3-mount cases could then only show
# that wsp refuses (and exit 77, skipped).
if [ "$(id -u)" = 0 ] && [ -c /dev/fuse ] && [ "$(stat -c %a /dev/fuse)" != 666 ]; then
	step "/dev/fuse: mode 0666, as Debian's udev sets it"
	chmod 0666 /dev/fuse
fi

# Tests must not touch the user's own state or config: give every run
# fresh XDG directories (tests that need their own still set them).
export XDG_STATE_HOME="$top/build-xdg/state" XDG_CONFIG_HOME="$top/build-xdg/config"
rm -rf "$top/build-xdg" && mkdir -p "$XDG_STATE_HOME" "$XDG_CONFIG_HOME"

run_suite() { # NAME BUILD_DIR CMAKE_ARGS...
	local name=$1 dir=$2
	shift 2
	step "$name: configure and build ($dir)"
	cmake -S . -B "$dir" -DWSP_WERROR=ON -DWSP_BUILD_TESTS=ON "$@" >"$dir.configure.log" 2>&1 ||
		{ cat "$dir.configure.log"; return 1; }
	cmake --build "$dir" -j"$jobs"
	step "$name: ctest"
	(cd "$dir" && ctest -j"$jobs" --output-on-failure --no-tests=error --timeout 900)
}

mkdir -p build
run_suite "warnings as errors" build -DCMAKE_BUILD_TYPE=RelWithDebInfo

if [ -z "${WSP_CHECK_SKIP_ASAN:-}" ]; then
	mkdir -p build-asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		run_suite "ASan+UBSan" build-asan -DCMAKE_BUILD_TYPE=Debug -DWSP_SANITIZE=ON
fi

if compgen -G "tests/fuzz/fuzz_*.c" >/dev/null; then
	step "fuzz targets (${WSP_FUZZ_SECONDS:-30}s each)"
	mkdir -p build-fuzz
	CC=clang cmake -S . -B build-fuzz -DWSP_FUZZ=ON -DWSP_BUILD_TESTS=ON \
		-DCMAKE_BUILD_TYPE=Debug >build-fuzz.configure.log 2>&1 ||
		{ cat build-fuzz.configure.log; exit 1; }
	cmake --build build-fuzz -j"$jobs" --target wsp-fuzz
	scripts/fuzz.sh build-fuzz "${WSP_FUZZ_SECONDS:-30}"
fi

if [ -x tools/abi-check.sh ] && [ -e abi/libwsp.abi ]; then
	step "ABI check against abi/libwsp.abi"
	tools/abi-check.sh build
fi

step "all checks passed"
