#!/bin/sh
# tests/sdk/stage_pkgconfig.sh - build the template and an embedder with
# nothing but pkg-config and the compiler, against the staged install.
#
# usage: stage_pkgconfig.sh WORK_DIR LIBDIR CC CFLAGS
#
# Leaves WORK_DIR/pkgconfig/wsp-sandbox-template.so for the next test.
set -eu
work=$1 libdir=$2 cc=$3 cflags=$4
. "$(dirname "$0")/lib.sh"

stage=$work/stage
out=$work/pkgconfig
rm -rf "$out"
mkdir -p "$out"
PKG_CONFIG_PATH=$stage/$libdir/pkgconfig
export PKG_CONFIG_PATH
unset PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR || true

plugin_cflags=$(pkg-config --cflags wsp-plugin)
map=$(pkg-config --variable=pluginmap wsp-plugin)
plugindir=$(pkg-config --variable=plugindir wsp-plugin)
abi=$(pkg-config --variable=pluginabi wsp-plugin)
[ "$map" = "$stage/share/wsp/plugin.map" ] || fail "pluginmap is '$map'"
[ "$plugindir" = "$stage/$libdir/wsp/plugins" ] ||
	fail "plugindir is '$plugindir'"
major=$(sed -n 's/^#define WSP_PLUGIN_ABI_MAJOR \([0-9]*\).*/\1/p' \
	"$stage/include/wsp/plugin.h")
minor=$(sed -n 's/^#define WSP_PLUGIN_ABI_MINOR \([0-9]*\).*/\1/p' \
	"$stage/include/wsp/plugin.h")
[ "$abi" = "$major.$minor" ] || fail "pluginabi is '$abi', header says $major.$minor"
[ -z "$(pkg-config --libs wsp-plugin)" ] ||
	fail "wsp-plugin.pc links something: $(pkg-config --libs wsp-plugin)"

# A provider: headers only, the SDK's version script, no undefined symbols.
# shellcheck disable=SC2086 # flags are lists of words
$cc -std=c11 $cflags -shared -fPIC -fvisibility=hidden $plugin_cflags \
	-Wl,--version-script="$map" -Wl,-z,defs \
	-o "$out/wsp-sandbox-template.so" \
	"$stage/share/wsp/template/sandbox_template.c" ||
	fail "building the template with pkg-config failed"
expect_exports "$out/wsp-sandbox-template.so" wsp_plugin_entry

# The template's unit test on the fake host: pkg-config wsp-fakehost.
# shellcheck disable=SC2086
$cc -std=c11 $cflags $(pkg-config --cflags wsp-fakehost) \
	-o "$out/template_test" "$stage/share/wsp/template/template_test.c" \
	"$stage/share/wsp/template/sandbox_template.c" \
	$(pkg-config --libs wsp-fakehost) ||
	fail "building the template's test with pkg-config wsp-fakehost failed"
LD_LIBRARY_PATH=$stage/$libdir "$out/template_test" >"$out/template_test.log" 2>&1 ||
	fail "the template's unit test failed: $(cat "$out/template_test.log")"

# An embedder: links libwsp through wsp.pc and runs against the staged lib.
# It spells the options structs as 0.4 did (wsp_open_options...): the
# deprecated names must still compile, as the same types, and must be gone
# with WSP_NO_DEPRECATED.
cat >"$out/embed.c" <<'C'
#include <wsp/wsp.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
	wsp_open_options o = WSP_OPEN_OPTIONS_INIT;
	wsp_tools_options t = WSP_TOOLS_OPTIONS_INIT;
	wsp_mcp_options m = WSP_MCP_OPTIONS_INIT;
	const wsp_open_opts *on = &o;
	const wsp_tools_opts *tn = &t;
	const wsp_mcp_opts *mn = &m;

	printf("%s %s\n", wsp_version_string(), WSP_VERSION_STRING);
	if (on->struct_size != sizeof(wsp_open_opts) ||
	    tn->struct_size != sizeof(wsp_tools_opts) ||
	    mn->struct_size != sizeof(wsp_mcp_opts))
		return 1;
	return strcmp(wsp_strerror(WSP_ENOTFOUND), "not found") != 0;
}
C
# shellcheck disable=SC2086
if $cc -std=c11 $cflags -DWSP_NO_DEPRECATED $(pkg-config --cflags wsp) \
	-fsyntax-only "$out/embed.c" 2>/dev/null; then
	fail "the deprecated option names compile with WSP_NO_DEPRECATED"
fi
# shellcheck disable=SC2086
$cc -std=c11 $cflags $(pkg-config --cflags wsp) -o "$out/embed" \
	"$out/embed.c" $(pkg-config --libs wsp) ||
	fail "building an embedder with pkg-config failed"
got=$(LD_LIBRARY_PATH=$stage/$libdir "$out/embed") ||
	fail "the embedder failed"
set -- $got
[ "$1" = "$2" ] && [ -n "$1" ] || fail "embedder printed '$got'"
echo "ok: template, its fake-host test and embedder built with pkg-config (wsp $1, ABI $abi)"
