# tests/sdk/lib.sh - what the SDK's shell tests share (sourced).

fail()
{
	echo "FAIL: $*" >&2
	exit 1
}

# expect_exports FILE NAME...: the dynamic symbols FILE defines are exactly
# the NAMEs (versioned names compared without their @VERSION).
expect_exports()
{
	_file=$1
	shift
	_got=$(nm -D --defined-only "$_file" | awk '{print $3}' |
		sed 's/@.*//' | sort -u | tr '\n' ' ')
	_want=$(printf '%s\n' "$@" | sort -u | tr '\n' ' ')
	[ "$_got" = "$_want" ] ||
		fail "$_file exports '$_got', expected '$_want'"
}

# cpack_packages BUILD GENERATOR DIR: the packages of BUILD made by CPack's
# GENERATOR (DEB, RPM) into DIR, a fresh one; the log is DIR.log.
cpack_packages()
{
	rm -rf "$3" && mkdir -p "$3"
	(cd "$1" && cpack -G "$2" -B "$3") >"$3.log" 2>&1 ||
		fail "cpack -G $2 failed (see $3.log)"
}

# plugin_abi_package: the virtual package of the plugin ABI's major
# (wsp-plugin-abi-N), read from the SDK's header.
plugin_abi_package()
{
	_major=$(sed -n 's/^#define WSP_PLUGIN_ABI_MAJOR \([0-9]*\).*/\1/p' \
		"$(dirname "$0")/../../sdk/include/wsp/plugin.h")
	[ -n "$_major" ] || fail "cannot read the plugin ABI major"
	echo "wsp-plugin-abi-$_major"
}

# expected_packages BUILD DEV: the package names, sorted on one line, that
# BUILD's packaging makes: the SDK package (named DEV: libwsp-dev, wsp-devel),
# the library, the CLI and one per provider.
expected_packages()
{
	_want="$2 libwsp2 wsp"
	for _so in "$1"/plugins/wsp-*.so; do
		[ -e "$_so" ] || continue
		_base=$(basename "$_so" .so)
		_want="$_want wsp-plugin-${_base#wsp-}"
	done
	printf '%s\n' $_want | sort | tr '\n' ' '
}

# template_package ROOT GENERATOR OUT CC CFLAGS PLUGINDIR: a third party's
# provider package, as the template's README says to make one: the
# template copied out of the SDK installed under ROOT (/usr there), built
# with find_package(wsp) against that SDK and packaged by CPack's
# GENERATOR (DEB, RPM) into OUT, a fresh directory (logs beside it);
# prints the path of the one package made (a DEB's -dbgsym .ddeb is beside
# it, and there must be one). PLUGINDIR is the plugin
# directory as the installed system sees it: the SDK's own default would
# be its path under ROOT.
template_package()
{
	_src=$3.src
	rm -rf "$3" "$_src" "$3.build" && mkdir -p "$3"
	cp -R "$1/usr/share/wsp/template" "$_src"
	cmake -S "$_src" -B "$3.build" -DCMAKE_PREFIX_PATH="$1/usr" \
		-DCMAKE_C_COMPILER="$4" -DCMAKE_C_FLAGS="$5" \
		-DWSP_PLUGIN_INSTALL_DIR="$6" -DBUILD_TESTING=OFF \
		>"$3.log" 2>&1 &&
		cmake --build "$3.build" >>"$3.log" 2>&1 &&
		(cd "$3.build" && cpack -G "$2" -B "$3") >>"$3.log" 2>&1 ||
		fail "building the template's $2 package failed (see $3.log)"
	_out=$3
	rm -rf "$_out/_CPack_Packages"
	if [ "$2" = DEB ]; then
		set -- "$_out"/*.ddeb
		[ $# = 1 ] && [ -f "$1" ] ||
			fail "the template made '$*', not one -dbgsym .ddeb"
	fi
	set -- $(cd "$_out" && ls | grep -v '\.ddeb$')
	[ $# = 1 ] && [ -f "$_out/$1" ] ||
		fail "the template made '$*', not one package"
	echo "$_out/$1"
}

# lintian_clean LOG PACKAGE...: lintian finds no error and no warning in
# the PACKAGEs (.deb, .ddeb), and no override of theirs is unused; its
# report is in LOG. Info tags are shown (-I), to see unused overrides, but
# fail nothing: Debian's own archive does not hold packages to them. (No
# --show-overrides: lintian 2.116 then fails on overridden tags too.) As
# root lintian only warns that it is root.
lintian_clean()
{
	_log=$1
	shift
	lintian --fail-on error,warning --tag-display-limit 0 -I "$@" \
		>"$_log" 2>&1 ||
		{ cat "$_log" >&2; fail "lintian failed (see above)"; }
	if grep -E '^(E|W): ' "$_log" >&2; then
		fail "lintian reports errors or warnings"
	fi
	if grep -E 'unused-override|mismatched-override' "$_log" >&2; then
		fail "a lintian override matches nothing: remove it"
	fi
}

# deb_doc_check DEB TREE LICENSE SOURCE: DEB, unpacked in TREE, has a DEP-5
# copyright naming LICENSE and a changelog.Debian.gz compressed with
# gzip -9n (no name, no time stamp) whose first entry is SOURCE at DEB's
# version.
deb_doc_check()
{
	_pkg=$(dpkg-deb -f "$1" Package)
	_doc=$2/usr/share/doc/$_pkg
	grep -q '^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/$' \
		"$_doc/copyright" || fail "$_pkg: copyright is not DEP-5"
	grep -q "^License: $3\$" "$_doc/copyright" ||
		fail "$_pkg: copyright does not name $3"
	# gzip header: byte 3 is the flags (no FNAME bit 0x08), 4-7 the time.
	_hdr=$(od -An -tx1 -N8 "$_doc/changelog.Debian.gz" | tr -d ' \n')
	[ "$_hdr" = "1f8b080000000000" ] ||
		fail "$_pkg: changelog.Debian.gz is not gzip -n (header $_hdr)"
	_ver=$(dpkg-deb -f "$1" Version)
	zcat "$_doc/changelog.Debian.gz" | head -n1 | grep -q "^$4 ($_ver) " ||
		fail "$_pkg: changelog.Debian.gz does not start with $4 ($_ver)"
}

# deb_strip_check DEB TREE: every ELF file of DEB, unpacked in TREE, is
# stripped and its debug information is in the <package>-dbgsym .ddeb
# beside DEB under /usr/lib/debug/.build-id/, by build id; a package with
# no ELF file has no -dbgsym.
deb_strip_check()
{
	_pkg=$(dpkg-deb -f "$1" Package)
	_n=0
	for _f in $(find "$2" -type f); do
		file -b "$_f" | grep -q '^ELF' || continue
		_n=$((_n + 1))
		readelf -S "$_f" | grep -qE '\.(debug_info|symtab)\b' &&
			fail "$_pkg: ${_f#"$2"} is not stripped"
		_id=$(readelf -n "$_f" | sed -n 's/.*Build ID: *\([0-9a-f]*\).*/\1/p')
		[ -n "$_id" ] || fail "$_pkg: ${_f#"$2"} has no build id"
		_dbg=/usr/lib/debug/.build-id/$(echo "$_id" | cut -c1-2)/$(echo "$_id" | cut -c3-).debug
		set -- "$1" "$2" "$(dirname "$1")/$_pkg"-dbgsym_*.ddeb
		[ -e "$3" ] || fail "$_pkg has ELF files but no $_pkg-dbgsym"
		dpkg-deb -c "$3" | grep -q " \.$_dbg\$" ||
			fail "$_pkg-dbgsym lacks $_dbg for ${_f#"$2"}"
	done
	if [ "$_n" = 0 ] &&
		ls "$(dirname "$1")/$_pkg"-dbgsym_*.ddeb >/dev/null 2>&1; then
		fail "$_pkg has no ELF file but a -dbgsym package"
	fi
}
