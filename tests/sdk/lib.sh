# tests/sdk/lib.sh - what the SDK's shell tests share (sourced).

fail()
{
	echo "FAIL: $*" >&2
	exit 1
}

# expect_exports FILE NAME...: the dynamic symbols FILE defines are exactly
# the NAMEs (versioned names compared without their @VERSION).
expect_exports()
{
	_file=$1
	shift
	_got=$(nm -D --defined-only "$_file" | awk '{print $3}' |
		sed 's/@.*//' | sort -u | tr '\n' ' ')
	_want=$(printf '%s\n' "$@" | sort -u | tr '\n' ' ')
	[ "$_got" = "$_want" ] ||
		fail "$_file exports '$_got', expected '$_want'"
}
