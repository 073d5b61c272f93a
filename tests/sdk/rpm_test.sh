#!/bin/sh
# tests/sdk/rpm_test.sh - build the RPMs from the same build as the Debian
# packages, check them with rpmlint, install them with rpm into an empty
# root and run wsp from there.
#
# usage: rpm_test.sh BUILD_DIR WORK_DIR LIBDIR RPMLINT_TOML CC CFLAGS
#
# 1. cpack -G RPM: the packages deb_test.sh expects, by the same names
#    (but wsp-devel, RPM's name for libwsp-dev).
# 2. Relations: libwsp2 provides wsp-plugin-abi-N; every provider requires
#    it and libwsp2 >= this release; the packages carry the copyright as
#    their licence file.
# 3. rpmlint (Debian's) reports no error and no warning; RPMLINT_TOML sets
#    and filters what does not apply, each with its reason.
# 4. rpm --root installs them into an empty directory (--nodeps: this
#    Debian host's libraries are in no RPM database); every ELF file there
#    is stripped; the installed wsp runs from there with LD_LIBRARY_PATH
#    unset: its $ORIGIN run path finds the root's libwsp, which finds the
#    root's providers beside itself; `wsp plugins` lists them and a
#    command runs in the local sandbox.
# 5. A third party's provider RPM: the SDK's template, copied out of the
#    wsp-devel installed in the root, built with CC and CFLAGS against it
#    and packaged by its own CPack rules, requires wsp-plugin-abi-N and
#    libwsp2 >= this release, carries its copyright as its licence file
#    and no configuration file; in the root's database those are all met
#    (rpm --test lists only this host's system libraries as missing); it
#    installs, `wsp plugins` lists it and a command runs through it.
set -eu
build=$1 work=$2 libdir=$3 rpmlint_toml=$4 cc=$5 cflags=$6
. "$(dirname "$0")/lib.sh"

# rpm sets the owner of what it installs, which takes root: get it in a
# user namespace when we do not have it.
if [ "$(id -u)" != 0 ]; then
	exec unshare -r sh "$0" "$@"
fi
prefix=/usr
full_libdir=$prefix/$libdir

rm -rf "$work"
cpack_packages "$build" RPM "$work/rpms"
abi_pkg=$(plugin_abi_package) || exit 1

# ---- 1. the set of packages ----------------------------------------------
want=$(expected_packages "$build" wsp-devel)
got=$(rpm -qp --qf '%{NAME}\n' "$work"/rpms/*.rpm | sort | tr '\n' ' ')
[ "$got" = "$want" ] || fail "packages are '$got', expected '$want'"
echo "packages: $got"

# ---- 2. relations, licence files -----------------------------------------
for rpmf in "$work"/rpms/*.rpm; do
	pkg=$(rpm -qp --qf '%{NAME}' "$rpmf")
	ver=$(rpm -qp --qf '%{VERSION}' "$rpmf")
	req=$(rpm -qp --requires "$rpmf")
	prov=$(rpm -qp --provides "$rpmf")
	case $pkg in
	libwsp2)
		echo "$prov" | grep -qx "$abi_pkg" ||
			fail "libwsp2 does not provide $abi_pkg: $prov"
		;;
	wsp-plugin-*)
		echo "$req" | grep -qx "$abi_pkg" ||
			fail "$pkg does not require $abi_pkg: $req"
		echo "$req" | grep -qx "libwsp2 >= $ver" ||
			fail "$pkg does not require libwsp2 >= $ver: $req"
		echo "$prov" | grep -q "^wsp-plugin-abi" &&
			fail "$pkg provides the ABI itself: $prov"
		;;
	wsp | wsp-devel)
		echo "$req" | grep -qx "libwsp2 = $ver" ||
			fail "$pkg does not require libwsp2 = $ver: $req"
		# Every program has its man page (packaging/rpmlint.toml says
		# why rpmlint's own check of this is filtered).
		for exe in $(rpm -qpl "$rpmf" | sed -n 's|^/usr/bin/||p'); do
			rpm -qpl "$rpmf" | grep -qx "/usr/share/man/man1/$exe.1.gz" ||
				fail "$pkg: /usr/bin/$exe has no man page"
		done
		;;
	esac
	rpm -qp --qf '[%{FILENAMES} %{FILEFLAGS:fflags}\n]' "$rpmf" |
		grep -qx "/usr/share/licenses/$pkg/copyright l" ||
		fail "$pkg has no licence file /usr/share/licenses/$pkg/copyright"
	echo "$pkg: $(echo "$req" | grep -v '^lib.*(' | tr '\n' ' ')"
done

# ---- 3. rpmlint ------------------------------------------------------------
rpmlint --config "$rpmlint_toml" "$work"/rpms/*.rpm >"$work/rpmlint.log" 2>&1 ||
	{ cat "$work/rpmlint.log" >&2; fail "rpmlint failed (see above)"; }
if grep -E ': (E|W): ' "$work/rpmlint.log" >&2; then
	fail "rpmlint reports errors or warnings"
fi
echo "rpmlint: $(tail -n1 "$work/rpmlint.log")"

# ---- 4. rpm --root into an empty directory, run wsp from there -----------
root=$work/root
mkdir -p "$root"
rpm --root "$root" --initdb || fail "rpm --initdb failed"
rpm --root "$root" --nodeps -i "$work"/rpms/*.rpm >"$work/rpm.log" 2>&1 ||
	{ cat "$work/rpm.log" >&2; fail "rpm -i into '$root' failed"; }
for pkg in $want; do
	rpm --root "$root" -q "$pkg" >/dev/null || fail "$pkg is not installed"
	# --nodeps: the root holds no system library (see --nodeps above).
	rpm --root "$root" -V --nodeps "$pkg" || fail "rpm -V $pkg: files differ"
	for f in $(rpm --root "$root" -ql "$pkg"); do
		[ -f "$root$f" ] && file -b "$root$f" | grep -q '^ELF' || continue
		readelf -S "$root$f" | grep -qE '\.(debug_info|symtab)\b' &&
			fail "$pkg: $f is not stripped"
	done
done

# ---- 5. a third party's provider RPM beside them -------------------------
tp=$work/third-party
tp_rpm=$(template_package "$root" RPM "$tp/rpms" "$cc" "$cflags" \
	"$full_libdir/wsp/plugins")
tp_pkg=$(rpm -qp --qf '%{NAME}' "$tp_rpm")
[ "$tp_pkg" = wsp-plugin-sandbox-template ] ||
	fail "the template's RPM is '$tp_pkg'"
release=$(rpm --root "$root" -q --qf '%{VERSION}' libwsp2)
req=$(rpm -qp --requires "$tp_rpm")
echo "$req" | grep -qx "$abi_pkg" || fail "$tp_pkg does not require $abi_pkg: $req"
echo "$req" | grep -qx "libwsp2 >= $release" ||
	fail "$tp_pkg does not require libwsp2 >= $release: $req"
# Its provider is a plain file (an upgrade replaces it), not %config.
[ -z "$(rpm -qpc "$tp_rpm")" ] ||
	fail "$tp_pkg has configuration files: $(rpm -qpc "$tp_rpm")"
rpm -qp --qf '[%{FILENAMES} %{FILEFLAGS:fflags}\n]' "$tp_rpm" |
	grep -qx "/usr/share/licenses/$tp_pkg/copyright l" ||
	fail "$tp_pkg has no licence file /usr/share/licenses/$tp_pkg/copyright"
# Without --nodeps: what is missing is this host's libraries (in no RPM
# database), never what wsp's packages provide.
rpm --root "$root" --test -i "$tp_rpm" >"$tp/test.log" 2>&1 &&
	fail "rpm --test found every requirement in a root without libc"
grep -q 'is needed by' "$tp/test.log" ||
	{ cat "$tp/test.log" >&2; fail "rpm --test failed for another reason"; }
if grep -E "^[[:space:]]*(wsp-plugin-abi|libwsp)" "$tp/test.log" >&2; then
	fail "wsp's packages do not meet $tp_pkg's requirements"
fi
rpm --root "$root" --nodeps -i "$tp_rpm" >"$tp/rpm.log" 2>&1 ||
	{ cat "$tp/rpm.log" >&2; fail "rpm -i $tp_pkg failed"; }
[ -f "$root$full_libdir/wsp/plugins/wsp-sandbox-template.so" ] ||
	fail "$tp_pkg did not install its provider"
echo "$tp_pkg: $(echo "$req" | grep -v '^lib.*(' | tr '\n' ' ')"

wsp=$root$prefix/bin/wsp
out=$(env -u LD_LIBRARY_PATH "$wsp" plugins 2>&1) ||
	fail "$wsp plugins failed: $out"
echo "$out"
n=0
for so in "$root$full_libdir"/wsp/plugins/wsp-*.so; do
	echo "$out" | grep -q "^ok .* $so\$" ||
		fail "wsp run from the root does not list '$so' as ok"
	n=$((n + 1))
done
[ "$n" -gt 0 ] || fail "no provider installed in $root$full_libdir/wsp/plugins"
mkdir -p "$work/ws"
cat >"$work/wsp.yaml" <<YAML
sandbox:
  provider: local
  id: rpm-box
  options:
    working_dir: $work/ws
    isolation: none
    state_dir: $work/state
YAML
# run_sh CONFIG WHAT: a command through the sandbox CONFIG selects, run by
# the root's wsp with LD_LIBRARY_PATH unset: its output, directory, status.
run_sh()
{
	out=$(env -u LD_LIBRARY_PATH "$wsp" --config "$1" sh \
		'echo "hello from $(pwd)"; exit 3' 2>&1) && rc=0 || rc=$?
	[ "$rc" = 3 ] && [ "$out" = "hello from $work/ws" ] ||
		fail "wsp sh through $2: exit $rc, output '$out'"
	echo "from the root, through $2: wsp sh -> '$out', exit $rc"
}
run_sh "$work/wsp.yaml" "the local sandbox"
cat >"$work/template.yaml" <<YAML
sandbox:
  provider: template
  id: rpm-box
  options:
    working_dir: $work/ws
YAML
run_sh "$work/template.yaml" "$tp_pkg"
echo "ok: RPMs built, linted, installed into '$root' and run"
