# bash completion for wsp(1). The candidates come from wsp itself
# (`wsp __complete WORDS... CURRENT`, cli/cmd_complete.c): commands,
# options, subcommands, background process ids, provider names and
# workspace paths; a `:files` answer means local file names.
_wsp()
{
	local cur=${COMP_WORDS[COMP_CWORD]} out IFS=$'\n'

	out=$("${COMP_WORDS[0]}" __complete "${COMP_WORDS[@]:1:COMP_CWORD}" \
		2>/dev/null) || return 0
	if [[ $out == ":files" ]]; then
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
		return 0
	fi
	COMPREPLY=($out)
	# a directory goes on: no space after "docs/"
	if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == */ ]]; then
		compopt -o nospace 2>/dev/null
	fi
	return 0
}
complete -F _wsp wsp
