#!/bin/sh
# tests/sdk/map_selftest.sh - exports.sh refuses a version script that
# would let a function be exported outside a versioned node, or that
# disagrees with the headers.
#
# usage: map_selftest.sh BUILD_DIR SOURCE_DIR WORK_DIR
#
# Each case is a copy of core/libwsp.map with one fault; exports.sh must
# fail on it with the message naming the fault, and pass the real map and
# a well-formed next node.
set -eu
build=$1 src=$2 work=$3
. "$(dirname "$0")/lib.sh"

check=$src/tests/sdk/exports.sh
map=$src/core/libwsp.map
rm -rf "$work"
mkdir -p "$work"
# The node a later release would add: one past the map's last.
last=$(grep -o '^WSP_2\.[0-9]*' "$map" | tail -n1)
next="WSP_2.$((${last#WSP_2.} + 1))"
trap 'rm -rf "$work"' EXIT INT TERM

# refuses NAME EXPECTED-TEXT: exports.sh fails on $work/NAME.map, saying so.
refuses()
{
	if sh "$check" "$build" "$src" "$work/$1.map" >"$work/out" 2>&1; then
		fail "exports.sh accepted $1.map"
	fi
	grep -qF "$2" "$work/out" ||
		fail "exports.sh refused $1.map without '$2': $(cat "$work/out")"
}

sh "$check" "$build" "$src" "$map" >/dev/null ||
	fail "exports.sh refuses the committed map"

# The wildcard the map used to have: any new wsp_ function would land in
# WSP_2.0 unnoticed.
sed 's/^    wsp_tools_open;$/    wsp_*;/' "$map" >"$work/wildcard.map"
refuses wildcard "exports by wildcard (wsp_*)"

# A declared function the map forgot.
grep -v '^    wsp_tools_open;$' "$map" >"$work/missing.map"
refuses missing "declared but not in the map: wsp_tools_open"

# A function the map names but no header declares (renamed or removed).
{
	cat "$map"
	printf '%s { global: wsp_tools_reload; } %s;\n' "$next" "$last"
} >"$work/extra.map"
refuses extra "in the map but declared nowhere: wsp_tools_reload"

# One function in two nodes.
{
	cat "$map"
	printf '%s {\n  global:\n    /* moved */\n    wsp_tools_open;\n} %s;\n' \
		"$next" "$last"
} >"$work/twice.map"
refuses twice "names wsp_tools_open in more than one place"

# How a later release adds a function: moved into a new node, it passes.
grep -v '^    wsp_tools_open;$' "$map" >"$work/next.map"
printf '\n%s {\n  global:\n    wsp_tools_open;\n} %s;\n' "$next" "$last" \
	>>"$work/next.map"
sh "$check" "$build" "$src" "$work/next.map" >"$work/out" 2>&1 ||
	fail "exports.sh refused a well-formed $next node: $(cat "$work/out")"
echo "ok: exports.sh refuses wildcards, missing, unknown and repeated names"
