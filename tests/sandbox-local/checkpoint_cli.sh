#!/bin/sh
# tests/sandbox-local/checkpoint_cli.sh - `wsp ext local checkpoint|restore|
# checkpoints` as a user runs them: output, exit codes, a restored tree.
#
# usage: checkpoint_cli.sh WSP WORK_DIR
set -eu
wsp=$1 work=$2

fail()
{
	echo "FAIL: $*" >&2
	exit 1
}

rm -rf "$work"
mkdir -p "$work/workspace/src"
trap 'rm -rf "$work"' EXIT
cat >"$work/wsp.yaml" <<YAML
sandbox:
  provider: local
  id: dev-box
  options:
    isolation: none
    state_dir: ./state
YAML
cd "$work"
printf 'team-data\n' >workspace/notes.txt
printf 'echo dev-box\n' >workspace/src/run.sh
chmod 750 workspace/src/run.sh
ln -s notes.txt workspace/link

out=$("$wsp" ext local checkpoint base)
[ "$out" = "checkpoint 'base': 2 files, 23 bytes" ] || fail "checkpoint: '$out'"
before=$(cd workspace && ls -lR --time-style=+%s . && cat notes.txt src/run.sh)

printf 'changed\n' >workspace/notes.txt
rm workspace/link workspace/src/run.sh
touch workspace/extra

out=$("$wsp" ext local restore base)
[ "$out" = "restored 'base': 2 files, 23 bytes" ] || fail "restore: '$out'"
after=$(cd workspace && ls -lR --time-style=+%s . && cat notes.txt src/run.sh)
[ "$before" = "$after" ] || fail "restored tree differs:
$before
---
$after"
[ -L workspace/link ] || fail "the symlink was not restored as a link"

out=$("$wsp" ext local checkpoints)
case $out in
base"	"20*Z) ;;
*) fail "checkpoints: '$out'" ;;
esac

rc=0
"$wsp" ext local restore missing 2>err || rc=$?
[ "$rc" != 0 ] || fail "restore of an unknown checkpoint succeeded"
grep -qF "no checkpoint named 'missing'" err || fail "stderr: $(cat err)"
rc=0
"$wsp" ext local checkpoint base 2>err || rc=$?
[ "$rc" != 0 ] || fail "a second checkpoint 'base' succeeded"
grep -qF "checkpoint 'base' already exists" err || fail "stderr: $(cat err)"
rc=0
"$wsp" ext local checkpoint ../escape 2>err || rc=$?
[ "$rc" != 0 ] || fail "checkpoint '../escape' succeeded"
grep -qF "invalid checkpoint name '../escape'" err || fail "stderr: $(cat err)"
[ ! -e escape ] && [ ! -e state/escape ] || fail "a bad name made a directory"
echo "ok"
