# tests/sdk/deb_third_party.sh - a third party's provider package installed
# beside wsp's (sourced by deb_test.sh once dpkg has installed wsp's
# packages into $root).
#
# 1. The SDK's template, copied out of the libwsp-dev installed in the root
#    and built against it with find_package(wsp), is packaged by its own
#    CPack rules (sdk/template/CMakeLists.txt, through the SDK's
#    wsp_plugin_package()): one package holding the provider in the plugin
#    directory, depending on the virtual wsp-plugin-abi-N, on libwsp2
#    (>= this release) and on the libraries it links, providing nothing.
#    It is packaged as ours are and checked as ours are (deb_policy.sh):
#    lintian finds no error and no warning in it or its -dbgsym .ddeb; it
#    has the template's DEP-5 copyright (template-unlicensed), a gzip -9n
#    changelog.Debian.gz and its stripped provider's debug information in
#    the -dbgsym.
# 2. The same package, but depending on the next ABI major's virtual
#    package (what a provider built by that major's SDK declares), is
#    refused: dpkg leaves it unconfigured, naming wsp-plugin-abi-<N+1>,
#    since libwsp2 provides only wsp-plugin-abi-N (apt would not even
#    unpack it). It is purged again, and its provider file goes with it.
# 3. The real one installs and is configured. deb_test.sh then finds it
#    with wsp's own providers in the plugin directory (`wsp plugins`) and
#    runs a command through it.

tp=$work/third-party
tp_deb=$(template_package "$root" DEB "$tp/debs" "$cc" "$cflags" \
	"$full_libdir/wsp/plugins")
tp_pkg=$(dpkg-deb -f "$tp_deb" Package)
[ "$tp_pkg" = wsp-plugin-sandbox-template ] ||
	fail "the template's package is '$tp_pkg'"
tp_so=$full_libdir/wsp/plugins/wsp-sandbox-template.so
tp_files=$(dpkg-deb -c "$tp_deb" | awk '$1 !~ /^d/ { print $NF }' | sort |
	tr '\n' ' ')
tp_want=$(printf '%s\n' ".$tp_so" ./usr/share/doc/$tp_pkg/copyright \
	./usr/share/doc/$tp_pkg/changelog.Debian.gz \
	./usr/share/lintian/overrides/$tp_pkg | sort | tr '\n' ' ')
[ "$tp_files" = "$tp_want" ] ||
	fail "$tp_pkg holds '$tp_files', expected '$tp_want'"
lintian_clean "$tp/lintian.log" "$tp"/debs/*.deb "$tp"/debs/*.ddeb
rm -rf "$tp/x" && dpkg-deb -x "$tp_deb" "$tp/x"
deb_doc_check "$tp_deb" "$tp/x" template-unlicensed "$tp_pkg"
deb_strip_check "$tp_deb" "$tp/x"
echo "$tp_pkg: lintian: no errors, no warnings; copyright, changelog, -dbgsym"

# Its relations: the ABI and this release's core, plus what it links.
release=$(dpkg-deb -f "$work"/debs/libwsp2_*.deb Version)
release=${release%-*}
tp_depends=$(dpkg-deb -f "$tp_deb" Depends)
case ", $tp_depends," in
*", $abi_pkg, libwsp2 (>= $release),"*) ;;
*) fail "$tp_pkg depends on '$tp_depends', not on '$abi_pkg, libwsp2 (>= $release)'" ;;
esac
expect="$abi_pkg libwsp2"
for lib in $(readelf -d "$tp/debs.build/wsp-sandbox-template.so" |
	sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
	expect="$expect $(owner "$lib")"
done
expect=$(names "$(echo "$expect" | tr ' ' ',')")
[ "$(names "$tp_depends")" = "$expect" ] ||
	fail "$tp_pkg depends on '$(names "$tp_depends")', expected '$expect'"
[ -z "$(dpkg-deb -f "$tp_deb" Provides)" ] ||
	fail "$tp_pkg provides '$(dpkg-deb -f "$tp_deb" Provides)'"
echo "$tp_pkg: Depends: $tp_depends"

# ---- 2. a package for the next ABI major is refused -------------------------
next_abi=wsp-plugin-abi-$((major + 1))
rm -rf "$tp/next"
dpkg-deb -R "$tp_deb" "$tp/next"
sed -i "s/^Depends: .*/Depends: $next_abi, libwsp2 (>= $release)/" \
	"$tp/next/DEBIAN/control"
dpkg-deb --root-owner-group -b "$tp/next" "$tp/next.deb" >/dev/null ||
	fail "dpkg-deb could not rebuild the next-ABI package"
if dpkg --root="$root" --admindir="$admin" --log=/dev/null -i \
	"$tp/next.deb" >"$tp/next.log" 2>&1; then
	fail "dpkg installed a provider needing $next_abi beside $abi_pkg"
fi
grep -q "depends on $next_abi" "$tp/next.log" ||
	{ cat "$tp/next.log" >&2; fail "the refusal does not name $next_abi"; }
st=$(dpkg-query --admindir="$admin" -W -f='${db:Status-Abbrev}' "$tp_pkg")
[ "$st" != "ii " ] || fail "the next-ABI package is configured"
dpkg --root="$root" --admindir="$admin" --log=/dev/null -P "$tp_pkg" \
	>>"$tp/next.log" 2>&1 || fail "dpkg -P of the refused package failed"
[ ! -e "$root$tp_so" ] || fail "the refused package left $tp_so behind"
echo "a provider package needing $next_abi: refused ($st), purged"

# ---- 3. the real one installs beside wsp's packages ------------------------
dpkg --root="$root" --admindir="$admin" --log=/dev/null -i "$tp_deb" \
	>"$tp/dpkg.log" 2>&1 ||
	{ cat "$tp/dpkg.log" >&2; fail "dpkg -i $tp_pkg into '$root' failed"; }
st=$(dpkg-query --admindir="$admin" -W -f='${db:Status-Abbrev}' "$tp_pkg")
[ "$st" = "ii " ] || fail "$tp_pkg is '$st' in the root, not installed"
[ -f "$root$tp_so" ] || fail "$tp_so is missing from the root"
echo "$tp_pkg: installed beside wsp's packages"
