#!/bin/sh
# tests/sdk/older_provider.sh - a provider built for the first release of
# the plugin ABI major runs on this wsp.
#
# usage: older_provider.sh WORK_DIR CC CFLAGS
#
# What a provider is built against. A provider links nothing of the core:
# no NEEDED libwsp, no symbol of libwsp's version nodes (WSP_2.0, WSP_2.1,
# ...: those concern programs that embed libwsp), only wsp_plugin_entry
# exported and the host table it is handed. All it takes from its SDK is
# the plugin headers: the descriptor and vtable layouts, their
# struct_size values and the ABI minor it was built against and requires
# (WSP_PLUGIN_DEFINE writes all of them). So "built for the older release"
# means built against that release's plugin headers, and those are kept as
# released in tests/abi/sdk-<MAJOR>.0 (the major's first release, wsp
# 0.3.0 for 2.0; never edited, tests/abi/sdk-2.0/README.md).
#
# The test takes the template out of the SDK installed by sdk-install-cmake
# (WORK_DIR/stage), renames it 'older' as the template's README says, and
# compiles it the README's pkg-config way (version script, -z defs) but with
# the frozen headers as its only wsp include directory, so every size and
# version in its descriptor is the first release's, measured by the
# compiler, not typed here. The installed wsp of this build, with its
# current libwsp, must then list it as ok, built against and needing
# <MAJOR>.<frozen minor>, and run commands through it. While this tree's
# plugin ABI minor is still the frozen one the headers agree; once a 2.x
# minor appends slots or members, the same test proves that a provider
# whose structs end earlier runs (the core copies what is there into zeroed
# full-size structs: docs/abi.md). tests/core's core_loader proves the same
# on the loader alone, with a fixture built against the same headers.
set -eu
work=$1 cc=$2 cflags=$3
. "$(dirname "$0")/lib.sh"

stage=$work/stage
out_dir=$work/older
rm -rf "$out_dir"
mkdir -p "$out_dir/plugins" "$out_dir/ws"

abi_field()
{
	sed -n "s/^#define WSP_PLUGIN_ABI_$2 \([0-9]*\).*/\1/p" "$1/wsp/plugin.h"
}
major=$(abi_field "$stage/include" MAJOR)
minor=$(abi_field "$stage/include" MINOR)
frozen=$(cd "$(dirname "$0")/../abi" && pwd)/sdk-$major.0
[ -f "$frozen/wsp/plugin.h" ] ||
	fail "no released headers of plugin ABI $major.0 in $frozen"
[ "$(abi_field "$frozen" MAJOR)" = "$major" ] ||
	fail "$frozen holds another major's headers"
old_minor=$(abi_field "$frozen" MINOR)
[ -n "$minor" ] && [ -n "$old_minor" ] && [ "$old_minor" -le "$minor" ] ||
	fail "ABI minors: installed '$minor', released '$old_minor'"

# The template, renamed as its README's step 1 says.
cp -R "$stage/share/wsp/template" "$out_dir/src"
sed -i 's/^#define PROVIDER_NAME "template"$/#define PROVIDER_NAME "older"/' \
	"$out_dir/src/sandbox_template.c"
grep -q '^#define PROVIDER_NAME "older"$' "$out_dir/src/sandbox_template.c" ||
	fail "could not rename the template's provider"
so=$out_dir/plugins/wsp-sandbox-older.so
# shellcheck disable=SC2086 # CFLAGS is a list of flags
"$cc" -std=c11 -O2 -Wall -Wextra -Werror $cflags -shared -fPIC \
	-fvisibility=hidden -I"$frozen" \
	-Wl,--version-script="$stage/share/wsp/plugin.map" -Wl,-z,defs \
	-o "$so" "$out_dir/src/sandbox_template.c" 2>"$out_dir/cc.log" ||
	{ cat "$out_dir/cc.log" >&2; fail "the template does not build against $frozen"; }
expect_exports "$so" wsp_plugin_entry
if readelf -d "$so" | grep -q 'libwsp'; then
	fail "$so links libwsp"
fi
if readelf -V "$so" | grep -q 'WSP_'; then
	fail "$so needs a libwsp symbol version"
fi

run_wsp()
{
	(cd "$out_dir" && env -u LD_LIBRARY_PATH -u WSP_PLUGIN_PATH \
		"$stage/bin/wsp" --plugin-path "$out_dir/plugins" "$@")
}
out=$(run_wsp version 2>&1) || fail "wsp version failed: $out"
case $out in
*"plugin ABI $major.$minor"*) ;;
*) fail "wsp version does not say plugin ABI $major.$minor: $out" ;;
esac
out=$(run_wsp plugins info older 2>&1) ||
	fail "wsp plugins info older failed: $out"
case $out in
*"file:         $so"*"status:       ok"*"abi:          $major.$old_minor (built against)"*"needs:        wsp plugin ABI $major.$old_minor or newer"*) ;;
*) fail "unexpected 'wsp plugins info older': $out" ;;
esac
echo "built against plugin ABI $major.$old_minor, loaded by wsp with $major.$minor"

cat >"$out_dir/wsp.yaml" <<'YAML'
sandbox:
  provider: older
  id: older-box
  options:
    working_dir: ./ws
    timeout: 30s
YAML
out=$(run_wsp sh 'echo "older in $(pwd)"; echo oops >&2; exit 5' \
	2>"$out_dir/stderr") && rc=0 || rc=$?
[ "$rc" = 5 ] && [ "$out" = "older in $out_dir/ws" ] ||
	fail "wsp sh through the older provider: exit $rc, output '$out'"
[ "$(cat "$out_dir/stderr")" = oops ] ||
	fail "stderr was '$(cat "$out_dir/stderr")'"
rc=0
run_wsp sh --timeout 300ms 'sleep 20' || rc=$?
[ "$rc" = 124 ] || fail "a timed-out command returned $rc, not 124"
echo "ok: a provider built against the released $major.$old_minor headers runs on this wsp"
