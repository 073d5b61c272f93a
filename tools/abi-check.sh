#!/bin/sh
# tools/abi-check.sh - compare libwsp's ABI with the committed baseline.
#
#   tools/abi-check.sh BUILD_DIR            check (CI): exit 0 when the ABI
#                                           is the baseline's, 1 otherwise
#   tools/abi-check.sh --update BUILD_DIR   regenerate abi/libwsp.abi after
#                                           a reviewed change and a bump
#
# The baseline holds every function libwsp.so.2 exports and every type they
# reach. wsp_plugin_validate() takes the plugin descriptor, so the whole
# plugin ABI (descriptor, vtables, host table, option specs, exec and
# spawn structs) is in it too. Any change abidiff reports fails the check,
# not only the "incompatible" ones: a moved offset in a struct a provider
# fills in is exit 4, not 8, and it breaks every provider. New exported
# functions alone pass (--no-added-syms).
#
# An intended change is committed together with its version bump (see
# docs/sdk.md): WSP_PLUGIN_ABI_MINOR for an appended slot or member, a new
# node in core/libwsp.map for new functions, the major for anything else.
# --update refuses to write a different baseline while the versions in
# abi/libwsp.version are still the tree's, and the check fails when the
# tree's versions moved but the baseline was not regenerated.
#
# BUILD_DIR must have debug information (RelWithDebInfo or Debug).
# Overrides (used by tests/sdk/abi_selftest.sh): WSP_ABI_LIB,
# WSP_ABI_BASELINE, WSP_ABI_HEADERS, WSP_ABI_MAP.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)

fail()
{
	echo "abi-check: $*" >&2
	exit 1
}

mode=check
if [ "${1:-}" = "--update" ]; then
	mode=update
	shift
fi
[ $# -eq 1 ] || {
	echo "usage: tools/abi-check.sh [--update] BUILD_DIR" >&2
	exit 2
}
build=$1
lib=${WSP_ABI_LIB:-$build/core/libwsp.so.2}
baseline=${WSP_ABI_BASELINE:-$top/abi/libwsp.abi}
headers=${WSP_ABI_HEADERS:-$top/sdk/include/wsp}
map=${WSP_ABI_MAP:-$top/core/libwsp.map}
stamp=${baseline%.abi}.version

command -v abidw >/dev/null && command -v abidiff >/dev/null ||
	fail "abidw and abidiff are missing; install Debian's 'abigail-tools'"
[ -f "$lib" ] || fail "no '$lib'; build first"
readelf -S --wide "$lib" | grep -q '\.debug_info' ||
	fail "'$lib' has no debug information; configure with -DCMAKE_BUILD_TYPE=RelWithDebInfo"

# The versions a baseline belongs to, one per line.
versions()
{
	_get() { sed -n "s/^#define $1 \\(.*\\)/\\1/p" "$2" | tr -d '"'; }
	echo "wsp $(_get WSP_VERSION_STRING "$headers/version.h")"
	echo "plugin-abi $(_get WSP_PLUGIN_ABI_MAJOR "$headers/plugin.h").$(_get WSP_PLUGIN_ABI_MINOR "$headers/plugin.h")"
	echo "libwsp-node $(grep -o '^WSP_[0-9][0-9.]*' "$map" | tail -n1)"
}

# The ABI of $lib, stable across checkouts and machines. Locations are
# kept as bare file names: --drop-private-types in the check tells public
# types from private ones by the header file they come from.
dump() # OUT
{
	abidw --no-corpus-path --short-locs --no-comp-dir-path \
		--drop-private-types --exported-interfaces-only \
		--type-id-style hash --headers-dir "$headers" "$lib" >"$1"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

if [ "$mode" = check ]; then
	[ -f "$baseline" ] || fail "no baseline '$baseline'; run tools/abi-check.sh --update $build"
	rc=0
	abidiff --no-added-syms --drop-private-types --exported-interfaces-only \
		--headers-dir2 "$headers" "$baseline" "$lib" >"$tmp/diff" ||
		rc=$?
	if [ "$rc" -ne 0 ]; then
		cat "$tmp/diff"
		fail "the ABI of '$lib' differs from '$baseline' (abidiff exit $rc); if the change is intended, bump the version it requires (docs/sdk.md) and run tools/abi-check.sh --update $build in the same commit"
	fi
	versions >"$tmp/versions"
	if ! cmp -s "$tmp/versions" "$stamp"; then
		diff "$stamp" "$tmp/versions" || true
		fail "the versions changed but '$baseline' was not regenerated; run tools/abi-check.sh --update $build"
	fi
	echo "abi-check: '$lib' matches '$baseline' ($(tr '\n' ' ' <"$tmp/versions"))"
	exit 0
fi

dump "$tmp/new.abi"
versions >"$tmp/versions"
if [ -f "$baseline" ]; then
	rc=0
	abidiff --drop-private-types "$baseline" "$tmp/new.abi" >"$tmp/diff" ||
		rc=$?
	if [ "$rc" -ne 0 ] && cmp -s "$tmp/versions" "$stamp"; then
		cat "$tmp/diff"
		fail "the ABI changed (abidiff exit $rc) but no version was bumped ($(tr '\n' ' ' <"$stamp")); bump what docs/sdk.md says this change needs, then run --update again"
	fi
	[ "$rc" -eq 0 ] || cat "$tmp/diff"
fi
mkdir -p "$(dirname "$baseline")"
cp "$tmp/new.abi" "$baseline"
cp "$tmp/versions" "$stamp"
echo "abi-check: wrote '$baseline' and '$stamp' ($(tr '\n' ' ' <"$stamp"))"
