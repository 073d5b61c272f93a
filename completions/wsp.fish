# fish completion for wsp(1). The candidates come from wsp itself
# (`wsp __complete WORDS... CURRENT`, cli/cmd_complete.c); a `:files`
# answer means local file names.
function __wsp_complete
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    set -l out ($words[1] __complete $words[2..-1] "$cur" 2>/dev/null)
    if test "$out" = ":files"
        __fish_complete_path "$cur"
        return
    end
    printf '%s\n' $out
end
complete -c wsp -f -a '(__wsp_complete)'
