/*
 * toolkit/tools_config.c - the `tools:` section of the configuration as the
 * tool set reads it: enabled, name (rename) and require_approval per tool.
 */
#include "tools_impl.h"

void wsp__tools_settings(struct wsp__tool_settings *st, wsp_workspace *ws,
			 const char *tool)
{
	int enabled = 1, require_approval = -1;
	const char *rename = NULL;

	if (wsp__workspace_tool_config(ws, tool, &enabled, &rename,
				       &require_approval)) {
		enabled = 1;
		rename = NULL;
		require_approval = -1;
	}
	st->enabled = enabled != 0;
	st->rename = rename && rename[0] ? rename : NULL;
	/* Mastra's default: no tool asks for approval unless configured. */
	st->require_approval = require_approval > 0;
}
