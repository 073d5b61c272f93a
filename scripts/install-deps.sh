#!/usr/bin/env bash
# Install the Debian 12 packages wsp needs, skipping those already there.
#   scripts/install-deps.sh          build + run (the quick start)
#   scripts/install-deps.sh --test   also what the test suites need
set -euo pipefail

build_pkgs=(build-essential cmake pkg-config libyaml-dev libcjson-dev
	libcurl4-openssl-dev libuv1-dev libffi-dev libcunit1-dev libpcre2-dev
	libssl-dev libsqlite3-dev bubblewrap help2man)
test_pkgs=(clang libclang-rt-14-dev awscli abigail-tools dpkg-dev fakeroot
	lintian rpm rpmlint
	clangd python3-pylsp python3-pyflakes
	s3fs rclone fuse3 python3 procps iproute2 curl openssl time bc
	man-db groff-base bsdextrautils zsh fish)

want=("${build_pkgs[@]}")
if [ "${1:-}" = "--test" ]; then
	want+=("${test_pkgs[@]}")
	command -v node >/dev/null 2>&1 || want+=(nodejs)
	command -v npm >/dev/null 2>&1 || want+=(npm)
fi

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "wsp: installing Debian packages: ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
