#!/bin/sh
# tests/sdk/compat.sh - providers built against other SDK versions, loaded
# by this build's wsp.
#
# usage: compat.sh BUILD_DIR SOURCE_DIR WORK_DIR CC CFLAGS
#
# 1. The template built against the frozen ABI 1.0 headers
#    (tests/sdk/sdk-1.0/, never edited) loads into the current core: an
#    old provider keeps working while the ABI major holds.
# 2. The template built against headers that declare the next ABI minor
#    is refused with the core's message naming both versions and what to do.
set -eu
build=$1 src=$2 work=$3 cc=$4 cflags=$5
. "$(dirname "$0")/lib.sh"

rm -rf "$work"
mkdir -p "$work/old" "$work/newer" "$work/next/wsp" "$work/cfg"
tpl=$src/sdk/template/sandbox_template.c
wsp=$build/bin/wsp
major=$(sed -n 's/^#define WSP_PLUGIN_ABI_MAJOR \([0-9]*\).*/\1/p' \
	"$src/sdk/include/wsp/plugin.h")
minor=$(sed -n 's/^#define WSP_PLUGIN_ABI_MINOR \([0-9]*\).*/\1/p' \
	"$src/sdk/include/wsp/plugin.h")
next=$((minor + 1))

build_template() # OUT_DIR INCLUDE_DIR
{
	# shellcheck disable=SC2086
	$cc -std=c11 $cflags -shared -fPIC -fvisibility=hidden -I"$2" \
		-Wl,--version-script="$src/sdk/plugin.map" \
		-o "$1/wsp-sandbox-template.so" "$tpl" ||
		fail "building the template against '$2' failed"
}

# A config that selects the template, so the core loads and checks it.
cat >"$work/cfg/wsp.yaml" <<'YAML'
sandbox:
  provider: template
  id: dev-box
YAML

build_template "$work/old" "$(dirname "$0")/sdk-1.0"
out=$(cd "$work/cfg" && "$wsp" --plugin-path "$work/old" plugins info template 2>&1) ||
	fail "the 1.0 provider was not loaded: $out"
case $out in
*"status:       ok"*"abi:          1.0"*) ;;
*) fail "unexpected 'wsp plugins info' for the 1.0 provider: $out" ;;
esac
out=$(cd "$work/cfg" && "$wsp" --plugin-path "$work/old" config check 2>&1) ||
	fail "config check with the 1.0 provider failed: $out"

cp "$src"/sdk/include/wsp/*.h "$work/next/wsp/"
sed -i "s/^#define WSP_PLUGIN_ABI_MINOR [0-9]*/#define WSP_PLUGIN_ABI_MINOR $next/" \
	"$work/next/wsp/plugin.h"
build_template "$work/newer" "$work/next"
if out=$(cd "$work/cfg" && "$wsp" --plugin-path "$work/newer" config check 2>&1); then
	fail "a provider for ABI $major.$next was accepted: $out"
fi
want="was built for plugin ABI $major.$next, newer than the $major.$minor this wsp provides; upgrade wsp or rebuild the plugin against the $major.$minor SDK"
case $out in
*"$work/newer/wsp-sandbox-template.so"*"$want"*) ;;
*) fail "refusal of the ABI $major.$next provider reads: $out" ;;
esac
echo "ok: 1.0 provider loads; $major.$next provider refused: $out"
