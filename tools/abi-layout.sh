#!/bin/sh
# tools/abi-layout.sh - print the offset of every member and the size of
# every struct of the plugin ABI, as AT()/SIZE() lines for a frozen layout
# file (tests/abi/layout_<major>_<minor>.inc).
#
#   tools/abi-layout.sh [INCLUDE_DIR] > tests/abi/layout_2_0.inc
#
# INCLUDE_DIR defaults to sdk/include. The numbers are measured, not
# written by hand: every public header is compiled with debug information
# and gdb's `ptype /o` reads each struct back, so the file says what the
# compiler laid out (LP64). The structs are all those the headers define
# with `typedef struct NAME {` plus wsp_host. Run it once, when a minor is
# released, and never edit the output: tests/abi compiles it against both
# the frozen copy of that release's headers and the current ones.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
inc=${1:-$top/sdk/include}
command -v gdb >/dev/null || { echo "abi-layout: gdb is needed" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

{
	for h in "$inc"/wsp/*.h; do
		printf '#include <wsp/%s>\n' "$(basename "$h")"
	done
	echo 'int main(void) { return 0; }'
} >"$work/all.c"
${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -g -fno-eliminate-unused-debug-types -I"$inc" \
	-c "$work/all.c" -o "$work/all.o"

{
	grep -ho 'typedef struct [a-z_0-9]* {' "$inc"/wsp/*.h | awk '{print $3}'
	echo wsp_host
} | sort -u >"$work/types"

set --
while read -r t; do
	set -- "$@" -ex "ptype /o struct $t"
done <"$work/types"

# ptype /o prints "/* off | size */    member;" for each top-level member
# (4 spaces after the comment; deeper indents would be nested members,
# which the ABI does not have: a nested struct is refused below) and
# "/* total size (bytes):  N */" at the end of each struct.
gdb -batch -nx "$@" "$work/all.o" | awk '
/type = struct / {
	name = $0; sub(/.*type = struct /, "", name); sub(/ .*/, "", name)
	print "SIZE_OF " name
	next
}
/^\/\* +[0-9]+ +\| +[0-9]+ \*\/    [^ ]/ {
	off = $2
	decl = $0; sub(/^\/\*[^*]*\*\/    /, "", decl)
	if (decl ~ /^(struct|union) .*\{$/ || decl ~ /^(struct|union) \{$/) {
		print "abi-layout: nested aggregate in " name ": " decl > "/dev/stderr"
		exit 2
	}
	if (decl ~ /\(\*[a-z_0-9]+\)/) {
		m = decl; sub(/^[^(]*\(\*/, "", m); sub(/\).*/, "", m)
	} else {
		m = decl; sub(/;$/, "", m); sub(/\[.*$/, "", m); sub(/.*[ *]/, "", m)
	}
	print "AT(" name ", " m ", " off ");"
	next
}
/total size \(bytes\)/ {
	n = $0; sub(/.*bytes\): */, "", n); sub(/ .*/, "", n)
	print "SIZE(" name ", " n ");"
}
' | awk '
# SIZE first, then the members, per struct (the frozen files read so).
/^SIZE_OF / { flush(); cur = $2; nm = 0; next }
/^SIZE\(/ { size = $0; next }
{ mem[++nm] = $0 }
function flush(  i) {
	if (cur == "") return
	print size
	for (i = 1; i <= nm; i++) print mem[i]
}
END { flush() }
'
