#!/bin/sh
# check_exports.sh LIBWSP PLUGIN_DIR PLUGIN...
# libwsp exports only wsp_* functions (plus its version node); each named
# plugin, and every wsp-*.so of the build tree's PLUGIN_DIR, exports
# exactly wsp_plugin_entry.
set -eu
lib=$1
dir=$2
shift 2
for so in "$dir"/wsp-*.so; do
	[ -e "$so" ] && set -- "$@" "$so"
done
fail=0
bad=$(nm -D --defined-only "$lib" | awk '{print $3}' | sed 's/@.*//' |
	grep -v -E '^(wsp_[a-z0-9_]+|WSP_2\.[0-9]+)$' || true)
if [ -n "$bad" ]; then
	echo "FAIL: $lib exports symbols outside wsp_*: $bad"
	fail=1
fi
n=$(nm -D --defined-only "$lib" | grep -c ' T wsp_' || true)
if [ "$n" -lt 5 ]; then
	echo "FAIL: $lib exports only $n wsp_* functions"
	fail=1
fi
for so in "$@"; do
	syms=$(nm -D --defined-only "$so" | awk '{print $3}' | tr '\n' ' ')
	if [ "$syms" != "wsp_plugin_entry " ]; then
		echo "FAIL: $so exports '$syms', expected exactly wsp_plugin_entry"
		fail=1
	fi
done
[ "$fail" = 0 ] && echo "ok: libwsp exports only wsp_*; plugins export only wsp_plugin_entry"
exit $fail
