#!/bin/sh
# tests/ext/ext_cli.sh - `wsp ext`: listing, calling, exit codes, messages.
#
# usage: ext_cli.sh WSP FIXTURE_DIR WORK_DIR
set -eu
wsp=$1 fixtures=$2 work=$3

fail()
{
	echo "FAIL: $*" >&2
	exit 1
}

rm -rf "$work"
mkdir -p "$work"
cat >"$work/wsp.yaml" <<YAML
plugin_path:
  - $fixtures
sandbox:
  provider: extdemo
  id: dev-box
YAML
cd "$work"

# expect STATUS STDOUT ARGS...: wsp's exit status and standard output.
expect()
{
	_status=$1 _out=$2
	shift 2
	_rc=0
	_got=$("$wsp" "$@" 2>"$work/stderr") || _rc=$?
	[ "$_rc" = "$_status" ] ||
		fail "wsp $*: exit $_rc, expected $_status ($(cat "$work/stderr"))"
	[ "$_got" = "$_out" ] || fail "wsp $*: printed '$_got', expected '$_out'"
}
expect_err()
{
	grep -qF "$1" "$work/stderr" ||
		fail "stderr lacks '$1': $(cat "$work/stderr")"
}

expect 0 "echo                 (r:s) TEXT: print TEXT back
mix                  (r:isdb) N TEXT X FLAG
sum                  (r:iiiiiiiid) A B C D E F G H SCALE
bump                 (i) BY
count                (r:) 
fail                 () " ext extdemo
expect 0 "hello from dev-box" ext extdemo echo "hello from dev-box"
expect 0 "n=7 text=a b x=1.500 flag=0" ext extdemo mix 7 "a b" 1.5 false
expect 0 '{
	"result":	"n=-1 text= x=0.000 flag=1"
}' --json ext extdemo mix -- -1 "" 0 on
# No result: nothing printed.
expect 0 "" ext extdemo bump 1

expect 2 "" ext extdemo echo
expect_err "wsp: extension 'echo' of provider 'extdemo' takes 1 argument (TEXT: print TEXT back), not 0"
expect 2 "" ext extdemo mix x y 1 true
expect_err "argument 1 of 'mix' of provider 'extdemo' must be an integer, not 'x'"
expect 1 "" ext extdemo snapshot
expect_err "provider 'extdemo' has no extension 'snapshot'; it has: echo, mix, sum, bump, count, fail"
expect 1 "" ext elsewhere
expect_err "no sandbox or mount uses 'elsewhere'"
expect 1 "" ext extdemo fail
expect_err "extension 'fail' of provider 'extdemo' failed: service unavailable"
expect 2 "" ext
expect_err "no TARGET given"

sed -i 's/provider: extdemo/provider: extbad/' "$work/wsp.yaml"
expect 1 "" ext extbad echo x
expect_err "extension 'broken' needs a name [a-z][a-z0-9_-]*, a function and a signature"
echo "ok: wsp ext lists, calls and refuses as documented"
