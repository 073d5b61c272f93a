# Sourced by the bench/*/run.sh scripts that time whole client processes
# side by side (bash; needs /usr/bin/time and bc, from install-deps --test).
#   measure NAME CMD...
# Runs CMD with its stdout dropped and prints NAME's wall time, CPU
# (user + sys) and peak resident memory; sets NAME_wall, NAME_cpu (seconds)
# and NAME_rss (KiB), with '-' in NAME read as '_'. Needs $work, a scratch
# directory. A CMD that fails prints nothing and returns its status.
measure() {
	local name=$1 wall user sys rss cpu st=0
	shift
	/usr/bin/time -f '%e %U %S %M' -o "$work/time" "$@" >/dev/null || st=$?
	# a failed command: its status, no numbers (time wrote a line before)
	[ "$st" = 0 ] || return "$st"
	read -r wall user sys rss <"$work/time"
	cpu=$(echo "$user + $sys" | bc)
	printf '%-10s wall %7.2f s  cpu %7.2f s  peak rss %6d MiB\n' \
		"$name" "$wall" "$cpu" "$((rss / 1024))"
	eval "${name//-/_}_wall=$wall ${name//-/_}_cpu=$cpu ${name//-/_}_rss=$rss"
}
