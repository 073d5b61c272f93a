#!/bin/sh
# tests/sdk/exports.sh - libwsp's exports are its public headers' API.
#
# usage: exports.sh BUILD_DIR SOURCE_DIR [MAP]
#
# libwsp.so.2 exports exactly the functions the public headers declare
# with WSP_EXTERN (a declared function that lost its WSP_EXTERN vanishes
# silently under -fvisibility=hidden; an exported one not in a header is a
# leak), each bound to a WSP_2.N version node of core/libwsp.map, and no
# public prototype lacks WSP_EXTERN. The map names every such function
# explicitly, once, in the node of the release that added it (no wildcard:
# a new function must be given a node, never exported silently into an old
# one), and names nothing the headers do not declare. MAP defaults to
# SOURCE_DIR/core/libwsp.map (tests/sdk/map_selftest.sh passes broken ones). (tests/core/check_exports.sh checks
# that every provider exports only wsp_plugin_entry.)
set -eu
build=$1 src=$2
map=${3:-$src/core/libwsp.map}
. "$(dirname "$0")/lib.sh"

lib=$build/core/libwsp.so.2
[ -f "$lib" ] || fail "no '$lib'"
decl_lines=$(grep -h '^WSP_EXTERN' "$src"/sdk/include/wsp/*.h |
	grep -c . || true)
declared=$(grep -h '^WSP_EXTERN' "$src"/sdk/include/wsp/*.h |
	sed -n 's/.*[ *]\(wsp_[A-Za-z0-9_]*\) *(.*/\1/p' | sort -u)
n=$(echo "$declared" | grep -c . || true)
[ "$n" = "$decl_lines" ] ||
	fail "$decl_lines WSP_EXTERN lines but $n names parsed; keep 'WSP_EXTERN type name(' on one line"
[ "$n" -gt 0 ] || fail "no WSP_EXTERN declaration found"

# A prototype in a public header without WSP_EXTERN is not exported.
plain=$(grep -H -n -E '^[A-Za-z_][A-Za-z0-9_ *]*[ *]wsp_[A-Za-z0-9_]+ *\(' \
	"$src"/sdk/include/wsp/*.h | grep -v "/fakehost.h:" |
	grep -v -E ':[0-9]+:(WSP_EXTERN|static|typedef) ' || true)
[ -z "$plain" ] || fail "public functions declared without WSP_EXTERN: $plain"

# The names in the version script's global: sections (comments dropped).
[ -f "$map" ] || fail "no '$map'"
map_names=$(awk '
	{ text = text $0 "\n" }
	END {
		while ((i = index(text, "/*")) > 0) {
			rest = substr(text, i + 2)
			j = index(rest, "*/")
			text = substr(text, 1, i - 1) " " (j ? substr(rest, j + 2) : "")
		}
		gsub(/#[^\n]*/, " ", text)
		gsub(/[{};]/, " & ", text)
		n = split(text, w, /[ \t\n]+/)
		for (k = 1; k <= n; k++) {
			if (w[k] == "global:") g = 1
			else if (w[k] == "local:" || w[k] == "}") g = 0
			else if (g && w[k] != "" && w[k] != ";") print w[k]
		}
	}' "$map")
wild=$(echo "$map_names" | grep '[*?[]' || true)
[ -z "$wild" ] ||
	fail "'$map' exports by wildcard ($wild); list each WSP_EXTERN function by name in the node of its release (docs/abi.md)"
twice=$(echo "$map_names" | grep . | sort | uniq -d)
[ -z "$twice" ] || fail "'$map' names $(echo $twice) in more than one place"
map_sorted=$(echo "$map_names" | grep . | sort -u)
if [ "$map_sorted" != "$declared" ]; then
	miss=$(echo "$declared" | grep -vxF "$map_sorted" | tr '\n' ' ')
	extra=$(echo "$map_sorted" | grep -vxF "$declared" | tr '\n' ' ')
	[ -z "$miss" ] || echo "declared but not in the map: $miss" >&2
	[ -z "$extra" ] || echo "in the map but declared nowhere: $extra" >&2
	fail "'$map' and the WSP_EXTERN declarations differ; add a new function to a new node WSP_2.N inheriting the last one (docs/abi.md), and remove names of functions that do not exist"
fi

exported=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ {print $3}')
bad=$(echo "$exported" | grep -v '^wsp_[A-Za-z0-9_]*@@\?WSP_2\.[0-9]*$' |
	grep -v '^WSP_2\.[0-9]*$' || true)
[ -z "$bad" ] || fail "libwsp exports symbols outside wsp_* or without a WSP_2.N node: $bad"
names=$(echo "$exported" | grep '^wsp_' | sed 's/@.*//' | sort -u)
if [ "$names" != "$declared" ]; then
	echo "only declared: $(echo "$declared" | grep -vxF "$names" | tr '\n' ' ')" >&2
	echo "only exported: $(echo "$names" | grep -vxF "$declared" | tr '\n' ' ')" >&2
	fail "libwsp's exports differ from the WSP_EXTERN declarations"
fi
echo "ok: libwsp.so.2 exports the $n WSP_EXTERN functions, all versioned and named in '$map'"
