/* core/workspace.c - placeholder until the loader and config land. */
#include "internal.h"

#include <stdlib.h>

struct wsp_workspace {
	int unused;
};

int wsp_workspace_open(wsp_workspace **out, const wsp_open_options *opts,
		       wsp_error *err)
{
	(void)opts;
	*out = NULL;
	return wsp_error_set(err, WSP_ENOTSUP, "workspaces are not built yet");
}

void wsp_workspace_close(wsp_workspace *ws)
{
	free(ws);
}
