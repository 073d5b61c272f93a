/*
 * toolkit/tools_instructions.c - the text an agent's system prompt gets
 * about its workspace (MCP's initialize `instructions`, `wsp
 * instructions`): the sandbox, the mount table, then the skills (as
 * Mastra's SkillsProcessor lists them).
 *
 * Nothing here starts a provider: an agent that connects and reads the
 * instructions must not create a cloud VM. The sandbox's own words need
 * a live instance (its instructions slot takes the instance), so they are
 * used once a call has started the sandbox; before that, the text comes
 * from the configuration and the provider's descriptor.
 */
#include "skills.h"
#include "tools_impl.h"
#include "workspace_impl.h"

#include <stdlib.h>
#include <string.h>

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
	const char *id = wsp_sandbox_id(ws);
	const wsp__provider *prov;
	wsp_error err;

	if (!id)
		return;
	if (wsp_sandbox_loaded(ws)) {
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

/* Text of a skill file for XML: markup escaped, control characters
 * (a terminal prints `wsp instructions`) blanked. */
static void add_xml(struct wsp__tbuf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': wsp__tbuf_puts(b, "&amp;"); break;
		case '<': wsp__tbuf_puts(b, "&lt;"); break;
		case '>': wsp__tbuf_puts(b, "&gt;"); break;
		case '"': wsp__tbuf_puts(b, "&quot;"); break;
		case '\'': wsp__tbuf_puts(b, "&apos;"); break;
		default:
			wsp__tbuf_add(b, (unsigned char)*s < 0x20 &&
						 *s != '\n' && *s != '\t'
					 ? " "
					 : s,
				      1);
		}
	}
}

/*
 * The skills, as Mastra's SkillsProcessor gives them to the model: an
 * <available_skills> block sorted by name, and how to use them (with the
 * `skill` tool's configured name). Nothing when discovery fails or would
 * start the sandbox (it is logged, and the tools report it).
 */
static void skills_text(struct wsp__tbuf *b, wsp_workspace *ws)
{
	struct wsp__tool_settings st;
	struct wsp__skills *s;
	wsp_error err;
	size_t i;

	if (!ws->cfg->skills.configured)
		return;
	if (wsp__skills_need_sandbox(ws)) {
		wsp__tbuf_puts(b, "\nSkills are in the sandbox, which starts "
				  "with the first command or skill tool.\n");
		return;
	}
	if (wsp__skills_get(&s, ws, NULL, &err)) {
		wsp__log(&ws->sink, WSP_LOG_WARN, "skills: %s", err.message);
		return;
	}
	if (s->n) {
		wsp__tbuf_puts(b, "\n<available_skills>\n");
		for (i = 0; i < s->n; i++) {
			wsp__tbuf_puts(b, "  <skill>\n    <name>");
			add_xml(b, s->v[i].name);
			wsp__tbuf_puts(b, "</name>\n    <description>");
			add_xml(b, s->v[i].description);
			wsp__tbuf_puts(b, "</description>\n    <location>");
			add_xml(b, s->v[i].path);
			wsp__tbuf_puts(b, strcmp(s->v[i].path, "/")
						  ? "/SKILL.md"
						  : "SKILL.md");
			wsp__tbuf_puts(b, "</location>\n  </skill>\n");
		}
		wsp__tbuf_puts(b, "</available_skills>\n");
	}
	wsp__skills_release(ws);
	wsp__tools_settings(&st, ws, "skill");
	if (!s->n || !st.enabled)
		return;
	wsp__tbuf_addf(b,
		       "IMPORTANT: Skills are NOT tools. Do not call skill "
		       "names directly as tool names. To use a skill, call the "
		       "`%s` tool with the skill name as the \"name\" "
		       "parameter. If multiple skills share the same name, use "
		       "the skill path (shown in <location>) instead of the "
		       "name to disambiguate. When a user asks about a topic "
		       "covered by an available skill, activate it immediately "
		       "without asking for permission first.\n",
		       st.rename ? st.rename : "skill");
}

int wsp_tools_instructions(char **out, wsp_workspace *ws, wsp_error *err)
{
	struct wsp__tbuf b = {0};
	const char *path;
	size_t i;
	int ro;

	*out = NULL;
	if (!ws)
		return wsp_error_set(err, WSP_EINVAL, "no workspace given");
	sandbox_text(&b, ws);
	if (b.len && b.p[b.len - 1] != '\n')
		wsp__tbuf_add(&b, "\n", 1);
	for (i = 0; !wsp_files_mount(&path, &ro, ws, i); i++) {
		if (i == 0 && b.len)
			wsp__tbuf_add(&b, "\n", 1);
		if (i == 0)
			wsp__tbuf_puts(&b, "Workspace filesystems (use the file "
					   "tools with these paths):\n");
		wsp__tbuf_addf(&b, "- %s%s\n", path, ro ? " (read-only)" : "");
	}
	skills_text(&b, ws);
	if (b.oom) {
		wsp__tbuf_free(&b);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	*out = wsp__tbuf_take(&b);
	return *out ? 0 : wsp_error_set(err, WSP_ENOMEM, "out of memory");
}
