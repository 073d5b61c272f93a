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
# prints the path of the one package made. PLUGINDIR is the plugin
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
	rm -rf "$3/_CPack_Packages"
	set -- "$3"/*
	[ $# = 1 ] && [ -f "$1" ] || fail "the template made '$*', not one package"
	echo "$1"
}
