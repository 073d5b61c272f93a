/*
 * core/tools_instructions.c - the text an agent's system prompt gets
 * about its workspace (MCP's initialize `instructions`, `wsp
 * instructions`): the sandbox, then the mount table.
 *
 * Nothing here starts a provider: an agent that connects and reads the
 * instructions must not create a cloud VM. The sandbox's own words need
 * a live instance (its instructions slot takes the instance), so they are
 * used once a call has started the sandbox; before that, the text comes
 * from the configuration and the provider's descriptor.
 */
#include "tools_impl.h"

#include <stdlib.h>

static int sink(const void *data, size_t len, void *payload)
{
	struct wsp__tbuf *b = payload;

	if (b->len + len > (1u << 20))
		return WSP_ETOOBIG;
	wsp__tbuf_add(b, data, len);
	return b->oom ? WSP_ENOMEM : 0;
}

/* The sandbox's paragraph; nothing when there is none or it cannot load. */
static void sandbox_text(struct wsp__tbuf *b, wsp_workspace *ws)
{
	const char *id = wsp__workspace_sandbox_id(ws);
	const wsp__provider *prov;
	wsp_error err;

	if (!id)
		return;
	if (wsp__workspace_sandbox_if_started(ws)) {
		if (wsp_sandbox_instructions(ws, NULL, sink, b, &err)) {
			b->len = 0; /* a failing provider adds nothing */
			if (b->p)
				b->p[0] = '\0';
		}
		return;
	}
	if (wsp__workspace_sandbox_provider(&prov, ws, &err))
		return;
	wsp__tbuf_addf(b,
		       "Commands run in the '%s' sandbox (provider '%s'), "
		       "started by the first command. Relative paths in "
		       "commands resolve in its working directory (`pwd` "
		       "shows it).\n",
		       id, prov->desc.name);
}

int wsp_tools_instructions(char **out, wsp_workspace *ws, wsp_error *err)
{
	struct wsp__tbuf b = {0};
	size_t i, n;

	*out = NULL;
	if (!ws)
		return wsp_error_set(err, WSP_EINVAL, "no workspace given");
	sandbox_text(&b, ws);
	if (b.len && b.p[b.len - 1] != '\n')
		wsp__tbuf_add(&b, "\n", 1);
	n = wsp__workspace_mount_count(ws);
	if (n) {
		if (b.len)
			wsp__tbuf_add(&b, "\n", 1);
		wsp__tbuf_puts(&b, "Workspace filesystems (use the file tools "
				   "with these paths):\n");
		for (i = 0; i < n; i++)
			wsp__tbuf_addf(&b, "- %s%s\n",
				       wsp__workspace_mount_path(ws, i),
				       wsp__workspace_mount_read_only(ws, i)
					       ? " (read-only)"
					       : "");
	}
	if (b.oom) {
		wsp__tbuf_free(&b);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	*out = wsp__tbuf_take(&b);
	return *out ? 0 : wsp_error_set(err, WSP_ENOMEM, "out of memory");
}
