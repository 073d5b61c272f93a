/*
 * plugins/sandbox-local/sibling.h - the helper executables installed next
 * to this plugin (wsp-local-monitor, wsp-local-agent), found through the
 * plugin's own path, in the build tree and once installed alike.
 */
#ifndef WSP_SANDBOX_LOCAL_SIBLING_H
#define WSP_SANDBOX_LOCAL_SIBLING_H

#include <wsp/plugin.h>

/*
 * The path of the executable `name` beside this plugin (malloc'ed), or
 * NULL with err saying why (the plugin's path unknown, or the file not
 * executable: reinstall).
 */
char *local_sibling(const char *name, wsp_error *err);

#endif /* WSP_SANDBOX_LOCAL_SIBLING_H */
