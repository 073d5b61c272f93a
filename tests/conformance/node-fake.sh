# Sourced by run-daytona.sh and run-blaxel.sh: a vendor fake (a Node
# script, built-in modules and bwrap) started for one conformance run.
#   node_fake_start NAME FAKE.mjs   (NAME: "daytona", "blaxel")
# Sets tmp (a fresh directory, removed on exit) and addr (HOST:PORT). The
# fake gets a TMPDIR of its own and exits when its stdin, a FIFO this
# shell holds open, closes, so it never outlives the run even if the
# script is killed.
#   node_fake_checks OUT
# After the kit ran into OUT: each WSP_CONF_EXPECT_PASS check passed, some
# check passed and none failed; exits 1 otherwise.
. "$(dirname "$0")/wait-listening.sh"

node_fake_start() {
	node=$(command -v node || true)
	if [ ! -x "${node:-/nonexistent}" ]; then
		echo "node is needed for the $1 fake" >&2
		exit 1
	fi
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/wsp-conformance-$1-XXXXXX")
	mkdir "$tmp/fake"
	pid=
	trap node_fake_cleanup EXIT
	trap 'exit 1' INT TERM
	mkfifo "$tmp/stdin"
	TMPDIR="$tmp/fake" "$node" "$2" <"$tmp/stdin" \
		>"$tmp/server.log" 2>&1 &
	pid=$!
	exec 9>"$tmp/stdin" # held open: the fake exits when it closes
	wait_listening "$tmp/server.log" "$pid" "the $1 fake"
	addr=$(sed -n 's/^listening //p' "$tmp/server.log" | head -n 1)
}

node_fake_cleanup() {
	exec 9>&- 2>/dev/null || true
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}

node_fake_checks() {
	for check in ${WSP_CONF_EXPECT_PASS-}; do
		grep -q "^PASS $check\$" "$1" ||
			{ echo "no 'PASS $check'" >&2; exit 1; }
	done
	grep -q '^PASS ' "$1" || { echo "no check passed" >&2; exit 1; }
	grep -q '^[0-9]* passed, 0 failed' "$1" || exit 1
}
