# Sourced by the run-*.sh scripts: what every run of the kit against a
# server started for it does alike.
#   kit_tmp NAME
# Sets tmp, a fresh directory removed on exit, and pid (empty): a server
# started with its pid in pid is killed on exit too.
#   wait_listening LOG PID WHAT
# Waits until the server's log's first line says "listening", or fails
# with the log (30 s at most: node starts slowly on a loaded machine).
#   kit_run CONFORMANCE PLUGIN.so [ARGS...]
# Runs the kit with $tmp/options.yaml, its output into $tmp/out and shown;
# kit_rc is its exit status.
#   kit_checks
# After kit_run: each WSP_CONF_EXPECT_PASS check passed, some check passed
# and none failed; exits 1 otherwise.
#   kit_secret_absent SECRET PATH...
# Exits 1 when SECRET is in any of the files (or files under directories)
# named.

kit_tmp() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/wsp-conformance-$1-XXXXXX")
	pid=
	trap kit_cleanup EXIT
	trap 'exit 1' INT TERM
}

kit_cleanup() {
	exec 9>&- 2>/dev/null || true # a fake's stdin (node-fake.sh)
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}

wait_listening() {
	_i=0
	until grep -q '^listening' "$1"; do
		_i=$((_i + 1))
		if [ $_i -gt 300 ] || ! kill -0 "$2" 2>/dev/null; then
			echo "$3 did not start:" >&2
			cat "$1" >&2
			exit 1
		fi
		sleep 0.1
	done
}

# shellcheck disable=SC2034 # kit_rc: read by the script that sources this
kit_run() {
	_conf=$1 _so=$2
	shift 2
	kit_rc=0
	"$_conf" "$_so" --options "$tmp/options.yaml" "$@" >"$tmp/out" 2>&1 ||
		kit_rc=$?
	cat "$tmp/out"
}

kit_checks() {
	for check in ${WSP_CONF_EXPECT_PASS-}; do
		grep -q "^PASS $check\$" "$tmp/out" ||
			{ echo "no 'PASS $check'" >&2; exit 1; }
	done
	grep -q '^PASS ' "$tmp/out" || { echo "no check passed" >&2; exit 1; }
	grep -q '^[0-9]* passed, 0 failed' "$tmp/out" || exit 1
}

kit_secret_absent() {
	_secret=$1
	shift
	for _p in "$@"; do
		if grep -rqs -- "$_secret" "$_p"; then
			echo "the secret leaked into $_p" >&2
			exit 1
		fi
	done
}
