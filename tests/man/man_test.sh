#!/bin/sh
# tests/man/man_test.sh - the man pages against the programs they describe.
#
# usage: man_test.sh MAN_DIR BIN_DIR PLUGIN_DIR
#
# 1. Every page renders with man(1) and groff reports nothing (-ww).
# 2. There is a page for wsp, for each command 'wsp --help' lists, for
#    wsp-conformance and for wsp.yaml, and no page for anything else.
# 3. Each command's page carries every option its --help names, and its
#    NAME line is the command's own line of 'wsp --help'.
# 4. wsp.yaml(5) names every provider in PLUGIN_DIR and each of its options.
set -eu
man=$1 bin=$2 plugins=$3
fail()
{
	echo "FAIL: $*" >&2
	exit 1
}
export WSP_PLUGIN_PATH=$plugins MANWIDTH=200 LC_ALL=C.UTF-8
unset WSP_CONFIG
command -v man >/dev/null || fail "man(1) is not installed"
render()
{
	# The text as a reader sees it: no hyphenation, no bold/underline.
	man -l "$1" 2>/dev/null | col -bx | sed 's/‐/-/g'
}

# ---- 1. clean rendering --------------------------------------------------
pages=$(cd "$man" && ls man1/*.gz man5/*.gz)
for p in $pages; do
	warn=$(man --warnings=w -l "$man/$p" 2>&1 >/dev/null) ||
		fail "man cannot render $p: $warn"
	[ -z "$warn" ] || fail "groff warns on $p: $warn"
done

# ---- 2. the set of pages -------------------------------------------------
cmds=$("$bin/wsp" --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\)  *.*/\1/p')
[ -n "$cmds" ] || fail "no commands in 'wsp --help'"
want="man1/wsp-conformance.1.gz man1/wsp.1.gz man5/wsp.yaml.5.gz"
for c in $cmds; do
	want="$want man1/wsp-$c.1.gz"
done
want=$(printf '%s\n' $want | sort | tr '\n' ' ')
got=$(printf '%s\n' $pages | sort | tr '\n' ' ')
[ "$got" = "$want" ] || fail "pages are '$got', expected '$want'"

# ---- 3. each command's page ----------------------------------------------
for c in $cmds; do
	text=$(render "$man/man1/wsp-$c.1.gz")
	line=$("$bin/wsp" --help | sed -n "s/^  $c  *//p" | head -n1)
	printf '%s\n' "$text" | grep -qF -- "wsp-$c - $line" ||
		fail "wsp-$c(1) NAME is not '$line'"
	for opt in $("$bin/wsp" "$c" --help |
		grep -o -- '--[a-z][a-z-]*' | sort -u); do
		printf '%s\n' "$text" | grep -qF -- "$opt" ||
			fail "wsp-$c(1) lacks $opt, which 'wsp $c --help' names"
	done
done
text=$(render "$man/man1/wsp.1.gz")
for opt in --config --plugin-path --json --verbose; do
	printf '%s\n' "$text" | grep -qF -- "$opt" || fail "wsp(1) lacks $opt"
done
for c in $cmds; do
	gzip -dc "$man/man1/wsp.1.gz" | grep -qxF ".BR wsp-$c (1)," ||
		fail "wsp(1) does not refer to wsp-$c(1)"
	# each command is an item of its own, not run into the next
	gzip -dc "$man/man1/wsp.1.gz" | grep -A1 -x '\.TP' | grep -qx "$c" ||
		fail "wsp(1) does not list $c as an item"
done
text=$(render "$man/man1/wsp-conformance.1.gz")
for opt in --options --only --expect-fail; do
	printf '%s\n' "$text" | grep -qF -- "$opt" ||
		fail "wsp-conformance(1) lacks $opt"
done

# ---- 4. wsp.yaml(5) and the providers ------------------------------------
text=$(render "$man/man5/wsp.yaml.5.gz")
n=0
for so in "$plugins"/wsp-*.so; do
	[ -e "$so" ] || continue
	kn=$(basename "$so" .so)
	kn=${kn#wsp-}
	printf '%s\n' "$text" | grep -qx "   $kn" ||
		fail "wsp.yaml(5) has no section for provider $kn"
	for o in $("$bin/wsp" --json plugins info "$kn" |
		sed -n 's/^[[:space:]]*"name":[[:space:]]*"\([a-z_]*\)".*/\1/p' |
		grep -vx "${kn#*-}"); do
		printf '%s\n' "$text" | grep -q "^ *$o  " ||
			fail "wsp.yaml(5) lacks option '$o' of $kn"
	done
	n=$((n + 1))
done
[ "$n" -gt 0 ] || fail "no provider in $plugins"
echo "ok: $(printf '%s\n' $pages | wc -l) pages, $n providers in wsp.yaml(5)"
