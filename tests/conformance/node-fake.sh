# Sourced by run-e2b.sh, run-daytona.sh and run-blaxel.sh: a vendor fake
# (a Node script, built-in modules and bwrap) started for one conformance
# run, with the helpers of kit.sh.
#   node_fake_start NAME FAKE.mjs   (NAME: "e2b", "Daytona", "Blaxel")
# Sets tmp (a fresh directory, removed on exit) and addr (HOST:PORT). The
# fake gets a TMPDIR of its own and exits when its stdin, a FIFO this
# shell holds open, closes, so it never outlives the run even if the
# script is killed.
. "$(dirname "$0")/kit.sh"

node_fake_start() {
	node=$(command -v node || true)
	if [ ! -x "${node:-/nonexistent}" ]; then
		echo "node is needed for the $1 fake" >&2
		exit 1
	fi
	kit_tmp "$1"
	mkdir "$tmp/fake"
	mkfifo "$tmp/stdin"
	TMPDIR="$tmp/fake" "$node" "$2" <"$tmp/stdin" \
		>"$tmp/server.log" 2>&1 &
	pid=$!
	exec 9>"$tmp/stdin" # held open: the fake exits when it closes
	wait_listening "$tmp/server.log" "$pid" "the $1 fake"
	addr=$(sed -n 's/^listening //p' "$tmp/server.log" | head -n 1)
}
