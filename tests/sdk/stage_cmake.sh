#!/bin/sh
# tests/sdk/stage_cmake.sh - the installed SDK as a third party meets it.
#
# usage: stage_cmake.sh BUILD_DIR SOURCE_DIR WORK_DIR LIBDIR CC CFLAGS
#
# Installs the build into WORK_DIR/stage (cmake --install --prefix), copies
# the provider template out of the installed SDK (not the source tree),
# builds it with find_package(wsp) against the staging prefix, installs it
# into the staged plugin directory, and checks what came out. Later tests
# (fixture sdk-stage) use WORK_DIR/stage.
set -eu
build=$1 src=$2 work=$3 libdir=$4 cc=$5 cflags=$6
. "$(dirname "$0")/lib.sh"

rm -rf "$work"
mkdir -p "$work"
stage=$work/stage
cmake --install "$build" --prefix "$stage" >"$work/install.log" ||
	fail "cmake --install failed (see $work/install.log)"

# The SDK's pieces are where the documentation says.
for f in include/wsp/plugin.h include/wsp/wsp.h share/wsp/plugin.map \
	 "$libdir/pkgconfig/wsp.pc" "$libdir/pkgconfig/wsp-plugin.pc" \
	 "$libdir/pkgconfig/wsp-fakehost.pc" "$libdir/libwsp-fakehost.a" \
	 include/wsp/fakehost.h include/wsp/harness.h \
	 share/wsp/template/template_test.c \
	 "$libdir/cmake/wsp/wspConfig.cmake" \
	 "$libdir/cmake/wsp/wspConfigVersion.cmake" \
	 "$libdir/cmake/wsp/wspTargets.cmake" \
	 "$libdir/cmake/wsp/WspPlugin.cmake" bin/wsp \
	 share/wsp/template/CMakeLists.txt share/wsp/template/README.md; do
	[ -f "$stage/$f" ] || fail "'$f' was not installed"
done
soname=$(readelf -d "$stage/$libdir/libwsp.so.2" |
	sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ "$soname" = libwsp.so.2 ] || fail "libwsp SONAME is '$soname'"
[ -L "$stage/$libdir/libwsp.so" ] || fail "libwsp.so is not a symlink"

# The template stands alone: nothing in it points back at this tree.
cp -R "$stage/share/wsp/template" "$work/template"
if grep -rqF "$src" "$work/template"; then
	fail "the template refers to the source tree '$src'"
fi

cmake -S "$work/template" -B "$work/template-build" \
	-DCMAKE_PREFIX_PATH="$stage" -DCMAKE_C_COMPILER="$cc" \
	-DCMAKE_C_FLAGS="$cflags" >"$work/template-configure.log" ||
	fail "configuring the template failed (see $work/template-configure.log)"
cmake --build "$work/template-build" >"$work/template-build.log" 2>&1 ||
	fail "building the template failed (see $work/template-build.log)"
cmake --install "$work/template-build" >"$work/template-install.log" ||
	fail "installing the template failed"
# Its unit test, on the installed fake host (wsp::fakehost), passes.
(cd "$work/template-build" && ctest --output-on-failure) \
	>"$work/template-ctest.log" 2>&1 ||
	fail "the template's unit test on the installed fake host failed (see $work/template-ctest.log)"

so=$stage/$libdir/wsp/plugins/wsp-sandbox-template.so
[ -f "$so" ] || fail "the template was not installed as '$so'"
expect_exports "$so" wsp_plugin_entry
# No SONAME and no libwsp: providers reach the core through the host table.
if readelf -d "$so" | grep -q -e SONAME -e 'libwsp'; then
	fail "$so has a SONAME or links libwsp"
fi

# The installed wsp runs as it is, with no LD_LIBRARY_PATH (its run path
# is relative to itself), and loads the template from the plugin
# directory beside the libwsp it runs with: nothing names either.
mkdir -p "$work/cfg/workspace"
cat >"$work/cfg/wsp.yaml" <<YAML
sandbox:
  provider: template
  id: dev-box
  options:
    working_dir: ./workspace
    timeout: 30s
YAML
wsp_bin=$stage/bin/wsp
run_wsp()
{
	(cd "$work/cfg" && env -u LD_LIBRARY_PATH -u WSP_PLUGIN_PATH \
		"$wsp_bin" "$@")
}
out=$(run_wsp plugins info template 2>&1) ||
	fail "wsp plugins info template failed: $out"
case $out in
*"file:         $so"*"status:       ok"*) ;;
*) fail "unexpected 'wsp plugins info template': $out" ;;
esac
# A moved tree still runs and finds its own providers, not the stage's.
cp -a "$stage" "$work/moved"
wsp_bin=$work/moved/bin/wsp
out=$(run_wsp plugins info template 2>&1) ||
	fail "the moved tree's wsp failed: $out"
case $out in
*"file:         $work/moved/$libdir/wsp/plugins/wsp-sandbox-template.so"*"status:       ok"*) ;;
*) fail "the moved tree's wsp did not load its own template: $out" ;;
esac
rm -rf "$work/moved"
wsp_bin=$stage/bin/wsp
out=$(run_wsp config check 2>&1) || fail "wsp config check failed: $out"
sed -i 's/timeout: 30s/timeout: 30x/' "$work/cfg/wsp.yaml"
if out=$(run_wsp config check 2>&1); then
	fail "wsp config check accepted 'timeout: 30x'"
fi
case $out in
*"wsp.yaml:6:"*"'timeout'"*) ;;
*) fail "config check did not point at the bad option: $out" ;;
esac
sed -i 's/timeout: 30x/timeout: 30s/' "$work/cfg/wsp.yaml"

# Commands run through it: output, exit status, cwd, clean env, timeout.
out=$(run_wsp sh 'echo "home=$HOME"; pwd; echo oops >&2' 2>"$work/stderr") ||
	fail "wsp sh through the template failed"
[ "$out" = "home=$work/cfg/workspace
$work/cfg/workspace" ] || fail "wsp sh printed '$out'"
[ "$(cat "$work/stderr")" = oops ] || fail "stderr was '$(cat "$work/stderr")'"
out=$(run_wsp exec -- printf '%s|%s' 'a b' '$HOME') ||
	fail "wsp exec through the template failed"
[ "$out" = 'a b|$HOME' ] || fail "wsp exec printed '$out'"
rc=0
run_wsp sh 'exit 7' || rc=$?
[ "$rc" = 7 ] || fail "exit status 7 came back as $rc"
rc=0
out=$(WSP_SDK_LEAK=visible run_wsp sh 'echo "${WSP_SDK_LEAK:-clean}"') ||
	fail "wsp sh failed"
[ "$out" = clean ] || fail "the host environment leaked: '$out'"
rc=0
run_wsp sh --timeout 300ms 'sleep 20' || rc=$?
[ "$rc" = 124 ] || fail "a timed-out command returned $rc, not 124"

# The package refuses a wsp of another major (SameMajorVersion).
mkdir -p "$work/major"
cat >"$work/major/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.16)
project(major-check LANGUAGES C)
find_package(wsp 99 CONFIG)
if(wsp_FOUND)
  message(FATAL_ERROR "wsp 99 was accepted")
endif()
find_package(wsp CONFIG REQUIRED)
if(NOT TARGET wsp::wsp OR NOT TARGET wsp::plugin-sdk)
  message(FATAL_ERROR "wsp::wsp or wsp::plugin-sdk missing")
endif()
CMAKE
cmake -S "$work/major" -B "$work/major/build" -DCMAKE_PREFIX_PATH="$stage" \
	>"$work/major.log" 2>&1 || fail "version check failed (see $work/major.log)"
echo "ok: installed SDK, template built with find_package(wsp): $so"
