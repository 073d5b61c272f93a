#!/bin/sh
# tests/sdk/abi_selftest.sh - tools/abi-check.sh catches plugin ABI changes.
#
# usage: abi_selftest.sh SOURCE_DIR WORK_DIR CC
#
# A small library exports one function taking the plugin descriptor, as
# libwsp's wsp_plugin_validate() does, built against a copy of the SDK
# headers. A baseline is written with --update; then the check must pass
# for the same build and for an added function, and fail for a slot
# inserted into wsp_sandbox_vtable and for a member appended to wsp_host
# (types reached only through the descriptor). --update must refuse the
# changed ABI until the plugin ABI minor is bumped, and then accept it.
set -eu
src=$1 work=$2 cc=$3
. "$(dirname "$0")/lib.sh"
check=$src/tools/abi-check.sh

rm -rf "$work"
mkdir -p "$work/inc"
cp -R "$src/sdk/include/wsp" "$work/inc/wsp"
cat >"$work/probe.c" <<'C'
#include <wsp/plugin.h>

__attribute__((visibility("default"))) int
probe_validate(const wsp_plugin_desc *desc, uint32_t kind, wsp_error *err);

int probe_validate(const wsp_plugin_desc *desc, uint32_t kind, wsp_error *err)
{
	if (!desc || desc->kind != kind)
		return wsp_error_set(err, WSP_EINVAL, "bad descriptor");
	return 0;
}
#ifdef PROBE_EXTRA
__attribute__((visibility("default"))) int probe_extra(void);
int probe_extra(void)
{
	return 1;
}
#endif
C
printf 'WSP_1.0 {\n  global:\n    probe_*;\n  local:\n    *;\n};\n' >"$work/probe.map"

probe() # EXTRA_CFLAGS...
{
	$cc -std=c11 -g -O0 -shared -fPIC -fvisibility=hidden -I"$work/inc" \
		"$@" -Wl,--version-script="$work/probe.map" \
		-Wl,-soname,libprobe.so.1 -o "$work/libprobe.so.1" \
		"$work/probe.c" || fail "building the probe failed"
}
run_check() # [--update]
{
	WSP_ABI_LIB=$work/libprobe.so.1 WSP_ABI_BASELINE=$work/abi/probe.abi \
	WSP_ABI_HEADERS=$work/inc/wsp WSP_ABI_MAP=$work/probe.map \
		sh "$check" "$@" "$work" >"$work/out" 2>&1
}

probe
run_check --update || { cat "$work/out"; fail "--update failed"; }
grep -q "wsp_sandbox_vtable" "$work/abi/probe.abi" ||
	fail "the baseline does not reach wsp_sandbox_vtable"
run_check || { cat "$work/out"; fail "the unchanged build fails the check"; }

probe -DPROBE_EXTRA
run_check || { cat "$work/out"; fail "an added function fails the check"; }

# A slot inserted in the middle of the sandbox vtable: offsets move.
cp "$work/inc/wsp/sandbox.h" "$work/sandbox.h.orig"
sed -i 's/^\(\t*\)int (\*start)(/\1void *inserted;\n\1int (*start)(/' \
	"$work/inc/wsp/sandbox.h"
grep -q 'void \*inserted;' "$work/inc/wsp/sandbox.h" ||
	fail "could not insert a slot into wsp_sandbox_vtable"
probe
if run_check; then
	fail "a slot inserted into wsp_sandbox_vtable passed the check"
fi
grep -q "wsp_sandbox_vtable" "$work/out" ||
	fail "the check did not name wsp_sandbox_vtable: $(cat "$work/out")"
cp "$work/sandbox.h.orig" "$work/inc/wsp/sandbox.h"

# A member appended to the host table: compatible by our rules, but the
# baseline must be regenerated with a minor bump.
sed -i 's|^\t/\* ABI [0-9.]*+: append here, never above \*/|\tvoid *appended;\n&|' \
	"$work/inc/wsp/host.h"
grep -q 'void \*appended;' "$work/inc/wsp/host.h" ||
	fail "could not append a member to wsp_host"
probe
if run_check; then
	fail "a member appended to wsp_host passed the check"
fi
if run_check --update; then
	fail "--update accepted an ABI change without a version bump"
fi
grep -q "no version was bumped" "$work/out" ||
	fail "--update refused for another reason: $(cat "$work/out")"
minor=$(sed -n 's/^#define WSP_PLUGIN_ABI_MINOR \([0-9]*\).*/\1/p' \
	"$work/inc/wsp/plugin.h")
sed -i "s/^#define WSP_PLUGIN_ABI_MINOR [0-9]*/#define WSP_PLUGIN_ABI_MINOR $((minor + 1))/" \
	"$work/inc/wsp/plugin.h"
if run_check; then
	fail "the check passed with a bumped version and an old baseline"
fi
run_check --update || { cat "$work/out"; fail "--update after the bump failed"; }
run_check || { cat "$work/out"; fail "the regenerated baseline fails"; }
echo "ok: abi-check catches inserted and appended members and enforces the bump"
