#!/bin/sh
# tests/sdk/deb_test.sh - build the Debian packages, check their metadata,
# install them with dpkg into an empty root and run wsp there.
#
# usage: deb_test.sh BUILD_DIR WORK_DIR PREFIX LIBDIR CC CFLAGS
#
# 1. cpack -G DEB: libwsp2, wsp, libwsp-dev and one wsp-plugin-<kind>-<name>
#    per provider in BUILD_DIR/plugins, and nothing else; lintian, DEP-5
#    copyright, changelog, stripped files and -dbgsym .ddebs
#    (deb_policy.sh).
# 2. Metadata: every package depends on exactly the packages that own the
#    libraries its ELF files link (dpkg-shlibdeps' job) plus what we add:
#    libwsp2 for the CLI and the SDK, and "wsp-plugin-abi-N, libwsp2" for
#    providers; libwsp2 provides wsp-plugin-abi-N. Every file cmake
#    --install writes is in exactly one package.
# 3. dpkg --root installs them into an empty directory whose package
#    database starts as a copy of this host's, so the packages' Depends
#    are checked against real Debian 12 packages and versions (no network
#    needed); dpkg --audit must find nothing to complain about. A third
#    party's provider package, the SDK's template built with CC and CFLAGS
#    against the installed libwsp-dev and packaged by its own CPack rules
#    (the SDK's wsp_plugin_package()), passes lintian and the checks of
#    deb_policy.sh as ours do, installs beside them, and one needing
#    another plugin ABI major does not (deb_third_party.sh).
# 4. The installed wsp runs from the root as it is on this host, with
#    LD_LIBRARY_PATH unset: its $ORIGIN run path finds the root's libwsp,
#    which finds the root's providers beside itself.
# 5. The root gets /bin/sh, ldconfig and the system libraries wsp links
#    (copied from this host: what those Depends would have installed),
#    ldconfig -r builds its cache, and wsp runs inside it under bubblewrap
#    (the root bound as /): only the installed packages' files are there,
#    so the core must find its providers in the installed plugin directory,
#    the third party's among them, and runs a command through it.
set -eu
build=$1 work=$2 prefix=$3 libdir=$4 cc=$5 cflags=$6
. "$(dirname "$0")/lib.sh"

# dpkg --root runs maintainer scripts chrooted, which takes root: get it
# in a user namespace when we do not have it.
if [ "$(id -u)" != 0 ]; then
	exec unshare -r sh "$0" "$@"
fi
case $libdir in
/*) full_libdir=$libdir ;;
*) full_libdir=$prefix/$libdir ;;
esac

rm -rf "$work"
cpack_packages "$build" DEB "$work/debs"
abi_pkg=$(plugin_abi_package) || exit 1
major=${abi_pkg#wsp-plugin-abi-}

# ---- 1. the set of packages ----------------------------------------------
want=$(expected_packages "$build" libwsp-dev)
got=""
for deb in "$work"/debs/*.deb; do
	got="$got $(dpkg-deb -f "$deb" Package)"
done
got=$(printf '%s\n' $got | sort | tr '\n' ' ')
[ "$got" = "$want" ] || fail "packages are '$got', expected '$want'"
echo "packages: $got"

# ---- 2. metadata ---------------------------------------------------------
# Package names in a Depends/Provides field, without versions.
names()
{
	echo "$1" | tr ',|' '\n\n' | sed 's/(.*)//; s/[[:space:]]//g' |
		grep -v '^$' | sort -u | tr '\n' ' '
}

# The Debian package owning a library this host resolves by SONAME.
owner()
{
	_path=$(ldconfig -p | awk -v l="$1" '$1 == l { print $NF; exit }')
	[ -n "$_path" ] || fail "no '$1' on this host"
	# dpkg knows a file by the path its package shipped, which under
	# merged /usr may differ from the one ldconfig prints.
	for _p in "$_path" "/usr$_path" "$(readlink -f "$_path")"; do
		_o=$(dpkg -S "$_p" 2>/dev/null | head -n1 | sed 's/[:,].*//')
		if [ -n "$_o" ]; then
			echo "$_o"
			return
		fi
	done
}

for deb in "$work"/debs/*.deb; do
	pkg=$(dpkg-deb -f "$deb" Package)
	x=$work/x/$pkg
	mkdir -p "$x"
	dpkg-deb -x "$deb" "$x"
	case $pkg in
	# libcurl.so.4 is dlopen'ed on the first HTTP call (core/host/curl_lazy.c),
	# libsqlite3.so.0 on search's first use (core/search_libs.c): no NEEDED
	# entry says so, the package must.
	libwsp2) expect="libcurl4 libsqlite3-0" ;;
	wsp | libwsp-dev) expect="libwsp2" ;;
	wsp-plugin-*) expect="$abi_pkg libwsp2" ;;
	esac
	for f in $(find "$x" -type f); do
		file -b "$f" | grep -q '^ELF' || continue
		for lib in $(readelf -d "$f" |
			sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			case $lib in
			libwsp.so.*) expect="$expect libwsp2" ;;
			*)
				o=$(owner "$lib")
				[ -n "$o" ] || fail "no package owns '$lib'"
				expect="$expect $o"
				;;
			esac
		done
	done
	expect=$(names "$(echo "$expect" | tr ' ' ',')")
	deps=$(names "$(dpkg-deb -f "$deb" Depends)")
	[ "$deps" = "$expect" ] ||
		fail "$pkg depends on '$deps', expected '$expect'"
	provides=$(names "$(dpkg-deb -f "$deb" Provides)")
	case $pkg in
	libwsp2)
		[ "$provides" = "$abi_pkg " ] ||
			fail "libwsp2 provides '$provides', expected $abi_pkg"
		dpkg-deb -I "$deb" shlibs | grep -q "^libwsp 2 libwsp2 (>= " ||
			fail "libwsp2 has no shlibs entry"
		;;
	wsp-plugin-*)
		[ -z "$provides" ] || fail "$pkg provides '$provides'"
		dpkg-deb -f "$deb" Depends | grep -q "libwsp2 (>= [0-9]" ||
			fail "$pkg does not name the oldest libwsp2 it needs"
		n=$(find "$x$full_libdir/wsp/plugins" -name 'wsp-*.so' | wc -l)
		[ "$n" = 1 ] || fail "$pkg holds $n providers, expected 1"
		;;
	esac
	echo "$pkg: Depends: $deps${provides:+ Provides: $provides}"
done
. "$(dirname "$0")/deb_policy.sh"

# Every installed file is in exactly one package.
DESTDIR=$work/full cmake --install "$build" --prefix "$prefix" \
	>"$work/install.log" || fail "cmake --install failed"
(cd "$work/full" && find . ! -type d | sort) >"$work/installed.txt"
# Less what only packages carry (deb_policy.sh checks those).
(cd "$work/x" && find . ! -type d | sed 's|^\./[^/]*/|./|' |
	grep -Ev "^\.$prefix/share/(doc|lintian)/" | sort) >"$work/packaged.txt"
if ! diff -u "$work/installed.txt" "$work/packaged.txt" >"$work/files.diff"
then
	cat "$work/files.diff" >&2
	fail "installed files and packaged files differ"
fi

# ---- 3. dpkg --root into an empty directory ------------------------------
root=$work/root
admin=$root/var/lib/dpkg
mkdir -p "$admin/info" "$admin/updates" "$admin/triggers" "$root/tmp"
# The database holds exactly the packages ours depend on, as this host has
# them (their status stanzas), so dpkg checks every Depends for real.
deps_all=""
for deb in "$work"/debs/*.deb; do
	deps_all="$deps_all $(names "$(dpkg-deb -f "$deb" Depends)")"
done
: >"$admin/status"
for dep in $(printf '%s\n' $deps_all | sort -u); do
	case " $want $abi_pkg " in *" $dep "*) continue ;; esac
	dpkg-query -s "$dep" >>"$admin/status" ||
		fail "'$dep' is not a package of this host"
	echo >>"$admin/status"
done
: >"$admin/available"

# What maintainer scripts need (and wsp's commands use): /bin/sh, ldconfig.
for d in bin sbin lib lib64; do
	if [ -L "/$d" ]; then
		ln -s "$(readlink "/$d")" "$root/$d"
		mkdir -p "$root/$(readlink "/$d")"
	fi
done
copy_in()
{
	for _f in "$@"; do
		_real=$(readlink -f "$_f")
		mkdir -p "$root$(dirname "$_real")" "$root$(dirname "$_f")"
		[ -e "$root$_real" ] || cp -p "$_real" "$root$_real"
		[ -e "$root$_f" ] || ln -s "$_real" "$root$_f"
	done
}
copy_libs_of()
{
	for _f in "$@"; do
		for _l in $(LD_LIBRARY_PATH=$root$full_libdir ldd "$_f" 2>/dev/null |
			grep -o '/[^ ]*' | grep -v "^$root"); do
			copy_in "$_l"
		done
	done
}
copy_in /bin/sh /sbin/ldconfig
copy_libs_of /bin/sh
mkdir -p "$root/etc"
cp -R /etc/ld.so.conf /etc/ld.so.conf.d "$root/etc/" 2>/dev/null || true

dpkg --root="$root" --admindir="$admin" --log=/dev/null -i \
	"$work"/debs/*.deb >"$work/dpkg.log" 2>&1 ||
	{ cat "$work/dpkg.log" >&2; fail "dpkg -i into '$root' failed"; }
for pkg in $want; do
	st=$(dpkg-query --admindir="$admin" -W -f='${db:Status-Abbrev}' "$pkg")
	[ "$st" = "ii " ] || fail "$pkg is '$st' in the root, not installed"
	for f in $(dpkg-query --admindir="$admin" -L "$pkg"); do
		[ -e "$root$f" ] || fail "$pkg: '$f' is missing from the root"
	done
done
# A provider without the core is refused: the virtual ABI package works.
if dpkg --root="$root" --admindir="$admin" --log=/dev/null -r libwsp2 \
	>"$work/remove.log" 2>&1; then
	fail "dpkg removed libwsp2 although providers depend on it"
fi
grep -q "$abi_pkg" "$work/remove.log" ||
	fail "removing libwsp2 was refused, but not for $abi_pkg"
. "$(dirname "$0")/deb_third_party.sh"

# ---- 4. run it from the root, on this host -------------------------------
out=$(env -u LD_LIBRARY_PATH "$root$prefix/bin/wsp" plugins 2>&1) ||
	fail "$root$prefix/bin/wsp plugins failed: $out"
for so in "$root$full_libdir"/wsp/plugins/wsp-*.so; do
	echo "$out" | grep -q "^ok .* $so\$" ||
		fail "wsp run from the root does not list '$so' as ok: $out"
done
echo "from the root, LD_LIBRARY_PATH unset: wsp plugins lists the root's providers"

# ---- 5. run the installed wsp in the root ---------------------------------
copy_libs_of "$root$prefix/bin/wsp" "$root$full_libdir"/libwsp.so.2 \
	"$root$full_libdir"/wsp/plugins/*.so
ldconfig -r "$root" || fail "ldconfig -r failed"
in_root()
{
	bwrap --bind "$root" / --proc /proc --dev /dev --tmpfs /tmp \
		--die-with-parent --clearenv \
		--setenv PATH /usr/local/bin:/usr/bin:/bin --setenv HOME /tmp \
		${ASAN_OPTIONS:+--setenv ASAN_OPTIONS "$ASAN_OPTIONS"} \
		${UBSAN_OPTIONS:+--setenv UBSAN_OPTIONS "$UBSAN_OPTIONS"} \
		--chdir /tmp "$@"
}
out=$(in_root "$prefix/bin/wsp" version 2>&1) ||
	fail "wsp version in the root failed: $out"
echo "in the root: $out"
case $out in
*"plugin ABI $major."*) ;;
*) fail "unexpected 'wsp version' output: $out" ;;
esac
# Every packaged provider is found in the installed plugin directory
# (nothing else is in the root) and passes the core's checks.
out=$(in_root "$prefix/bin/wsp" plugins 2>&1) ||
	fail "wsp plugins in the root failed: $out"
echo "$out"
for so in "$root$full_libdir"/wsp/plugins/wsp-*.so; do
	f=${so#"$root"}
	echo "$out" | grep -q "^ok .* $f\$" ||
		fail "wsp plugins does not list '$f' as ok"
done
if echo "$out" | grep -v '^ok ' | grep -q "/wsp-"; then
	fail "wsp plugins in the root lists a provider that is not ok"
fi
# And a configuration selecting the packaged local sandbox checks out. Its
# working directory is not /tmp itself: the default state directory (under
# HOME=/tmp) may not lie inside it (docs/security.md, "State directory").
mkdir -p "$root/tmp/cfg"
cat >"$root/etc/wsp.yaml" <<'YAML'
sandbox:
  provider: local
  id: dev-box
  options:
    working_dir: /tmp/ws
    isolation: none
YAML
out=$(in_root "$prefix/bin/wsp" --config /etc/wsp.yaml config check 2>&1) ||
	fail "wsp config check in the root failed: $out"
# And runs a command there through the packaged provider.
out=$(in_root "$prefix/bin/wsp" --config /etc/wsp.yaml sh \
	'echo "hello from $(pwd)"; exit 3' 2>&1) && rc=0 || rc=$?
[ "$rc" = 3 ] && [ "$out" = "hello from /tmp/ws" ] ||
	fail "wsp sh in the root: exit $rc, output '$out'"
echo "in the root: wsp sh -> '$out', exit $rc"
# The third party's provider, installed by its own package, runs one too
# (in a directory that exists: it creates none).
mkdir -p "$root/srv/ws"
cat >"$root/etc/wsp-template.yaml" <<'YAML'
sandbox:
  provider: template
  id: dev-box
  options:
    working_dir: /srv/ws
YAML
out=$(in_root "$prefix/bin/wsp" --config /etc/wsp-template.yaml sh \
	'echo "template in $(pwd)"; exit 4' 2>&1) && rc=0 || rc=$?
[ "$rc" = 4 ] && [ "$out" = "template in /srv/ws" ] ||
	fail "wsp sh through $tp_pkg in the root: exit $rc, output '$out'"
echo "in the root, through $tp_pkg: wsp sh -> '$out', exit $rc"
echo "ok: packages built, checked, installed into '$root' and run"
