#!/bin/sh
# tests/sdk/deb_policy.sh - what Debian asks of the packages beyond their
# contents (sourced by deb_test.sh once cpack has built them in $work/debs).
#
# 1. lintian finds no error and no warning in any .deb or -dbgsym .ddeb
#    (overrides ship in the packages, packaging/debian/lintian-overrides/,
#    each with its reason; lintian reports an override that no longer
#    matches, and that fails too).
# 2. Every package has the DEP-5 copyright naming wsp-unlicensed and a
#    changelog.Debian.gz compressed with gzip -9n (no name, no time stamp).
# 3. Every ELF file is stripped and its debug information is in the
#    package's -dbgsym .ddeb under /usr/lib/debug/.build-id/, by build id.

# ---- 1. lintian ----------------------------------------------------------
# Info tags are shown (-I), to see unused overrides, but fail nothing:
# Debian's own archive does not hold packages to them. (No --show-overrides:
# lintian 2.116 then fails on overridden tags too.) As root lintian only
# warns that it is root.
lintian --fail-on error,warning --tag-display-limit 0 -I \
	"$work"/debs/*.deb "$work"/debs/*.ddeb >"$work/lintian.log" 2>&1 ||
	{ cat "$work/lintian.log" >&2; fail "lintian failed (see above)"; }
if grep -E '^(E|W): ' "$work/lintian.log" >&2; then
	fail "lintian reports errors or warnings"
fi
if grep -E 'unused-override|mismatched-override' "$work/lintian.log" >&2; then
	fail "a lintian override matches nothing: remove it"
fi
echo "lintian: no errors, no warnings"

# ---- 2. copyright and changelog -------------------------------------------
for deb in "$work"/debs/*.deb; do
	pkg=$(dpkg-deb -f "$deb" Package)
	doc=$work/x/$pkg/usr/share/doc/$pkg
	grep -q '^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/$' \
		"$doc/copyright" || fail "$pkg: copyright is not DEP-5"
	grep -q '^License: wsp-unlicensed$' "$doc/copyright" ||
		fail "$pkg: copyright does not name wsp-unlicensed"
	# gzip header: byte 3 is the flags (no FNAME bit 0x08), 4-7 the time.
	hdr=$(od -An -tx1 -N8 "$doc/changelog.Debian.gz" | tr -d ' \n')
	[ "$hdr" = "1f8b080000000000" ] ||
		fail "$pkg: changelog.Debian.gz is not gzip -n (header $hdr)"
	ver=$(dpkg-deb -f "$deb" Version)
	zcat "$doc/changelog.Debian.gz" | head -n1 | grep -q "^wsp ($ver) " ||
		fail "$pkg: changelog.Debian.gz does not start with version $ver"
done

# ---- 3. stripped, with -dbgsym packages -----------------------------------
for deb in "$work"/debs/*.deb; do
	pkg=$(dpkg-deb -f "$deb" Package)
	n=0
	for f in $(find "$work/x/$pkg" -type f); do
		file -b "$f" | grep -q '^ELF' || continue
		n=$((n + 1))
		readelf -S "$f" | grep -qE '\.(debug_info|symtab)\b' &&
			fail "$pkg: ${f#"$work/x/$pkg"} is not stripped"
		id=$(readelf -n "$f" | sed -n 's/.*Build ID: *\([0-9a-f]*\).*/\1/p')
		[ -n "$id" ] || fail "$pkg: ${f#"$work/x/$pkg"} has no build id"
		dbg=/usr/lib/debug/.build-id/$(echo "$id" | cut -c1-2)/$(echo "$id" | cut -c3-).debug
		set -- "$work"/debs/"$pkg"-dbgsym_*.ddeb
		[ -e "$1" ] || fail "$pkg has ELF files but no $pkg-dbgsym"
		dpkg-deb -c "$1" | grep -q " \.$dbg\$" ||
			fail "$pkg-dbgsym lacks $dbg for ${f#"$work/x/$pkg"}"
	done
	if [ "$n" = 0 ] && ls "$work"/debs/"$pkg"-dbgsym_*.ddeb >/dev/null 2>&1; then
		fail "$pkg has no ELF file but a -dbgsym package"
	fi
done
echo "policy: copyright, changelog, stripped ELF files with -dbgsym packages"
