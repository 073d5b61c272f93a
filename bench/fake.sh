# Sourced by the bench/*/run.sh scripts that run a local fake server beside
# the clients they time (bash).
#   bench_scratch NAME
# Makes $work, a scratch directory removed on exit together with the server
# bench_listen started, and drops any HTTP proxy: the clients talk to
# 127.0.0.1.
#   bench_listen CMD...
# Runs CMD in the background (its stdout in $work/fake.out), waits up to
# 10 s for its "listening ADDR" line; sets pid and addr (empty when the
# line did not come).
bench_scratch() {
	work=$(mktemp -d "${TMPDIR:-/tmp}/wsp-$1-bench-XXXXXX")
	pid=
	trap bench_cleanup EXIT
	export http_proxy= https_proxy= HTTP_PROXY= HTTPS_PROXY=
}

bench_cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$work"
}

bench_listen() {
	"$@" >"$work/fake.out" &
	pid=$!
	for _ in $(seq 1 200); do
		grep -q listening "$work/fake.out" && break
		sleep 0.05
	done
	addr=$(sed -n 's/^listening //p' "$work/fake.out")
}
