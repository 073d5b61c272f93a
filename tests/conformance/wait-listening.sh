# Sourced by the run-*.sh scripts that start a test server: wait until its
# log's first line says "listening", or fail with the log.
#   wait_listening LOG PID WHAT
# 30 s at most: node starts slowly on a loaded machine.
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
