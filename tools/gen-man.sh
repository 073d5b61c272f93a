#!/bin/sh
# tools/gen-man.sh - the man pages, generated from the programs' own
# --help and the providers' option schemas, so a page cannot say what the
# program does not.
#
# usage: gen-man.sh BIN_DIR PLUGIN_DIR SOURCE_DIR OUT_DIR VERSION
#
# Every page is written gzip-compressed (NAME.N.gz).
#
#   OUT_DIR/man1/wsp.1               wsp --help
#   OUT_DIR/man1/wsp-COMMAND.1       wsp COMMAND --help, each command
#                                    'wsp --help' lists
#   OUT_DIR/man1/wsp-conformance.1   wsp-conformance --help
#   OUT_DIR/man5/wsp.yaml.5          man/wsp.yaml.5.in, then every
#                                    provider in PLUGIN_DIR with its
#                                    options ('wsp plugins info')
#
# help2man (Debian's) turns --help text into roff; this script only
# names the pages and adds their SEE ALSO.
set -eu
bin=$1 plugins=$2 src=$3 out=$4 version=$5

mkdir -p "$out/man1" "$out/man5" "$out/.h2m"
# Our help says "usage:" / "   or:"; help2man makes a SYNOPSIS of "Usage:".
for prog in wsp wsp-conformance; do
	cat >"$out/.h2m/$prog" <<SH
#!/bin/sh
"$bin/$prog" "\$@" | sed 's/^usage:/Usage:/; s/^   or:/  or:/'
SH
	chmod +x "$out/.h2m/$prog"
done
export WSP_PLUGIN_PATH=$plugins
unset WSP_CONFIG

cmds=$("$bin/wsp" --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\)  *.*/\1/p')
[ -n "$cmds" ] || { echo "gen-man.sh: no commands in 'wsp --help'" >&2; exit 1; }

# A help2man include file: SEE ALSO naming the pages given, one a line
# as "NAME SECTION".
see_also()
{
	printf '[SEE ALSO]\n'
	sed 's/^\([^ ]*\) \(.*\)$/.BR \1 (\2)/' | sed '$!s/$/,/'
}

h2m()
{
	help2man --no-info --version-string="$version" "$@"
}

# wsp(1)
{
	for c in $cmds; do
		echo "wsp-$c 1"
	done
	printf 'wsp.yaml 5\nwsp-conformance 1\n'
} | see_also >"$out/.h2m/wsp.see"
h2m --name="workspaces for AI agents: files and sandboxes behind one plugin ABI" \
	--include="$out/.h2m/wsp.see" -o "$out/man1/wsp.1" "$out/.h2m/wsp"

# wsp-COMMAND(1): named after the command, not after the program.
for c in $cmds; do
	desc=$("$bin/wsp" --help | sed -n "s/^  $c  *//p" | head -n1)
	printf 'wsp 1\nwsp.yaml 5\n' | see_also >"$out/.h2m/cmd.see"
	page=$out/man1/wsp-$c.1
	h2m --name="$desc" --help-option="$c --help" \
		--include="$out/.h2m/cmd.see" -o "$page" "$out/.h2m/wsp"
	upper=$(printf 'WSP-%s' "$c" | tr a-z A-Z)
	sed -i "s/^\\.TH WSP /.TH $upper /; /^\\.SH NAME/{n;s/^wsp /wsp-$c /}" \
		"$page"
done

# wsp-conformance(1)
printf 'wsp 1\nwsp.yaml 5\n' | see_also >"$out/.h2m/conf.see"
h2m --name="check a wsp provider's behaviour" --include="$out/.h2m/conf.see" \
	-o "$out/man1/wsp-conformance.1" "$out/.h2m/wsp-conformance"

# wsp.yaml(5): the file's shape, then each provider's options as
# 'wsp plugins info' prints them (roff-escaped, as preformatted text).
roff_escape()
{
	sed 's/\\/\\e/g; s/^\([.'"'"']\)/\\\&\1/'
}
{
	sed "s/@VERSION@/$version/" "$src/man/wsp.yaml.5.in"
	for so in "$plugins"/wsp-*.so; do
		[ -e "$so" ] || continue
		base=$(basename "$so" .so)
		kind_name=${base#wsp-}
		printf '.SS "%s"\n' "$kind_name"
		printf '.nf\n'
		"$bin/wsp" plugins info "$kind_name" |
			sed -n '/^  description:/p; /^  options:/,$p' | roff_escape
		printf '.fi\n'
	done
	printf '.SH "SEE ALSO"\n.BR wsp (1)\n'
} >"$out/man5/wsp.yaml.5"
rm -rf "$out/.h2m"
# Compressed as Debian installs them (man reads them so everywhere);
# -n: no name or time stamp inside, the same bytes on every build.
gzip -9nf "$out"/man1/*.1 "$out"/man5/*.5
