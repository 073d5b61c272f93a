#!/usr/bin/env bash
# Set up (install what is missing, build) and run the main job on the
# embedded default: the local sandbox and the local filesystem in
# ./workspace. No configuration file is needed.
#   scripts/demo.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
scripts/install-deps.sh
# the demo needs no test suites (they need node and the test servers)
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWSP_BUILD_TESTS=OFF \
	>/dev/null
cmake --build "$build" -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
wsp="$build/bin/wsp"

say() { printf '\n$ wsp %s\n' "$*"; }

# The main job: an agent-style session on the embedded default. Files go
# through the mount table into ./workspace, commands run in the local
# sandbox (bubblewrap when installed), a background process outlives the
# call that started it, and the agent tools answer as they would over MCP.
say version
"$wsp" version
say plugins
"$wsp" plugins
say "fs put - notes/hello.txt"
printf 'hello from wsp\nTODO: water the plants\n' | "$wsp" fs put - notes/hello.txt
say "fs ls -l -R /"
"$wsp" fs ls -l -R /
say "sh 'tr a-z A-Z < notes/hello.txt; echo pid 1 is \$(cat /proc/1/comm)'"
"$wsp" sh 'tr a-z A-Z < notes/hello.txt; echo pid 1 is $(cat /proc/1/comm)'
say "exec --timeout 1s -- sleep 5"
rc=0
"$wsp" exec --timeout 1s -- sleep 5 || rc=$?
echo "(exit status $rc: the timeout killed it, as 124 says)"
say "spawn -- sh -c 'for i in 1 2 3; do echo tick \$i; sleep 0.2; done'"
id=$("$wsp" spawn -- sh -c 'for i in 1 2 3; do echo tick $i; sleep 0.2; done')
echo "$id"
say ps
"$wsp" ps
sleep 1
say "logs $id"
"$wsp" logs "$id"
"$wsp" release "$id"
say "tool grep '{\"pattern\":\"TODO\"}'"
"$wsp" tool grep '{"pattern":"TODO"}'
say "tool read_file '{\"path\":\"notes/hello.txt\"}'"
"$wsp" tool read_file '{"path":"notes/hello.txt"}'
say "sh 'echo kept > /tmp/note'; then, in another wsp call: sh 'cat /tmp/note'"
"$wsp" sh 'echo kept > /tmp/note'
"$wsp" sh 'cat /tmp/note'
echo "(the sandbox is one place: its /tmp, network and processes last until it is stopped)"
say "sandbox info"
"$wsp" sandbox info
say "sandbox stop"
"$wsp" sandbox stop
