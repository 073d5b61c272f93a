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
#
# The checks are lib.sh's (lintian_clean, deb_doc_check, deb_strip_check):
# deb_third_party.sh holds a third party's package to the same ones.

# ---- 1. lintian ----------------------------------------------------------
lintian_clean "$work/lintian.log" "$work"/debs/*.deb "$work"/debs/*.ddeb
echo "lintian: no errors, no warnings"

# ---- 2. copyright and changelog -------------------------------------------
for deb in "$work"/debs/*.deb; do
	pkg=$(dpkg-deb -f "$deb" Package)
	deb_doc_check "$deb" "$work/x/$pkg" wsp-unlicensed wsp
done

# ---- 3. stripped, with -dbgsym packages -----------------------------------
for deb in "$work"/debs/*.deb; do
	pkg=$(dpkg-deb -f "$deb" Package)
	deb_strip_check "$deb" "$work/x/$pkg"
done
echo "policy: copyright, changelog, stripped ELF files with -dbgsym packages"
