/*
 * toolkit/tools_ext.c - a provider's extension operations (wsp_ext_op) as
 * tools. Only those the `tools:` section names are exposed (restore
 * replaces a sandbox's files: nothing of the kind is offered unasked).
 *
 * The tool is built from the provider's descriptor alone: listing loads
 * the .so (cheap) and never starts the provider (init may start a VM);
 * the first call does, as wsp_workspace_ext_call would. Its JSON Schema
 * follows the signature: one required property per argument, named after
 * the help text when it starts with the arguments' names in capitals
 * ("NAME: snapshot ... under NAME"), else arg1..argN; integer, number,
 * boolean or string, bounded as the C types are; nothing else allowed.
 * The call converts the validated JSON to typed values and goes through
 * ext.c's checks and libffi call (wsp__ext_call_values).
 */
#include "config.h"
#include "ext_call.h"
#include "json_num.h"
#include "tools_impl.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_LEN 32

/*
 * Bounds a JSON number can carry: integers are exact below 2^53 (about
 * 9.007e15; WSP__JSON_INT_MAX), and a number must be finite. Round
 * values, so that every JSON printer (cJSON's too) writes them exactly as
 * they are checked.
 */
#define JSON_INT_MAX ((double)WSP__JSON_INT_MAX)
#define JSON_NUM_MAX 1e308

struct ext_tool {
	struct wsp__tool_def def; /* first: the run function finds the rest */
	const struct wsp__tool_cfg *cfg; /* target, op; the workspace's */
	struct wsp__ext_sig sig;
	char names[WSP__EXT_MAX_ARGS][NAME_MAX_LEN]; /* one per argument */
	char *description;
	char *schema;
};

/*
 * Take the arguments' names from help when it starts with exactly as many
 * upper-case words as there are arguments, followed by ':' or its end;
 * *rest is then what follows. Returns 0 when it does not.
 */
static int names_from_help(struct ext_tool *x, const char *help,
			   const char **rest)
{
	const char *p = help;
	size_t i, j, len;

	for (i = 0; i < x->sig.n; i++) {
		while (*p == ' ')
			p++;
		for (len = 0;
		     isupper((unsigned char)p[len]) ||
		     (len && (isdigit((unsigned char)p[len]) || p[len] == '_'));
		     len++)
			;
		if (!len || len >= NAME_MAX_LEN ||
		    (p[len] && p[len] != ' ' && p[len] != ':'))
			return 0;
		for (j = 0; j < len; j++)
			x->names[i][j] = (char)tolower((unsigned char)p[j]);
		x->names[i][len] = '\0';
		for (j = 0; j < i; j++)
			if (!strcmp(x->names[j], x->names[i]))
				return 0;
		p += len;
	}
	while (*p == ' ')
		p++;
	if (x->sig.n && *p == ':')
		p++;
	else if (x->sig.n && *p)
		return 0;
	while (*p == ' ')
		p++;
	*rest = p;
	return 1;
}

static void name_arguments(struct ext_tool *x, const char *help,
			   const char **rest)
{
	size_t i;

	if (names_from_help(x, help, rest))
		return;
	for (i = 0; i < x->sig.n; i++)
		snprintf(x->names[i], sizeof(x->names[i]), "arg%zu", i + 1);
	*rest = help;
}

static cJSON *argument_schema(char type)
{
	cJSON *p = cJSON_CreateObject();

	if (!p)
		return NULL;
	switch (type) {
	case 'i':
		cJSON_AddStringToObject(p, "type", "integer");
		cJSON_AddNumberToObject(p, "minimum", -JSON_INT_MAX);
		cJSON_AddNumberToObject(p, "maximum", JSON_INT_MAX);
		break;
	case 'd':
		cJSON_AddStringToObject(p, "type", "number");
		cJSON_AddNumberToObject(p, "minimum", -JSON_NUM_MAX);
		cJSON_AddNumberToObject(p, "maximum", JSON_NUM_MAX);
		break;
	case 'b':
		cJSON_AddStringToObject(p, "type", "boolean");
		break;
	default:
		cJSON_AddStringToObject(p, "type", "string");
		cJSON_AddNumberToObject(p, "maxLength", WSP__EXT_MAX_ARG_LEN);
		break;
	}
	return p;
}

static char *build_schema(const struct ext_tool *x)
{
	cJSON *s = cJSON_CreateObject(), *props, *req, *p;
	char *text = NULL;
	size_t i;

	if (!s)
		return NULL;
	cJSON_AddStringToObject(s, "type", "object");
	props = cJSON_AddObjectToObject(s, "properties");
	req = cJSON_AddArrayToObject(s, "required");
	cJSON_AddBoolToObject(s, "additionalProperties", 0);
	for (i = 0; props && req && i < x->sig.n; i++) {
		p = argument_schema(x->sig.types[i]);
		if (!p)
			goto out;
		cJSON_AddItemToObject(props, x->names[i], p);
		cJSON_AddItemToArray(req, cJSON_CreateString(x->names[i]));
	}
	if (props && req && cJSON_GetArraySize(req) == (int)x->sig.n)
		text = cJSON_PrintUnformatted(s);
out:
	cJSON_Delete(s);
	return text;
}

static int run_ext(struct wsp__tool_ctx *c)
{
	const struct ext_tool *x = (const struct ext_tool *)c->def;
	struct wsp__ext_val v[WSP__EXT_MAX_ARGS];
	wsp_error err = { 0 };
	const cJSON *a;
	char *result = NULL;
	size_t i;
	int rc;

	/* The schema was checked: every argument is there, of its type. */
	for (i = 0; i < x->sig.n; i++) {
		a = cJSON_GetObjectItemCaseSensitive(c->args, x->names[i]);
		v[i].type = x->sig.types[i];
		switch (v[i].type) {
		case 'i':
			/* within +-9e15 by the schema; checked all the same */
			v[i].v.i = 0;
			if (cJSON_IsNumber(a) &&
			    wsp__num_to_int(a->valuedouble, -WSP__JSON_INT_MAX,
					    WSP__JSON_INT_MAX, &v[i].v.i))
				return wsp__tool_fail(
					c, "Error: '%s' must be an integer "
					   "from %lld to %lld",
					x->names[i],
					(long long)-WSP__JSON_INT_MAX,
					(long long)WSP__JSON_INT_MAX);
			break;
		case 'd':
			v[i].v.d = cJSON_IsNumber(a) ? a->valuedouble : 0;
			break;
		case 'b':
			v[i].v.b = cJSON_IsTrue(a);
			break;
		default:
			v[i].v.s = cJSON_GetStringValue(a);
			break;
		}
	}
	rc = wsp__ext_call_values(&result, c->ws, x->cfg->target, x->cfg->op,
				  x->sig.n, v, &err);
	if (rc == WSP_ENOMEM)
		return rc;
	if (rc)
		return wsp__tool_fail(c, "%s",
				      err.message[0] ? err.message
						     : wsp_strerror(rc));
	if (result)
		wsp__text_limit(&c->out, result, strlen(result),
				WSP__OUTPUT_TOKENS);
	else
		wsp__tbuf_puts(&c->out, "ok");
	free(result);
	return 0;
}

void wsp__tools_ext_free(struct wsp__tool_def *def)
{
	struct ext_tool *x = (struct ext_tool *)def;

	if (!x)
		return;
	free(x->description);
	free(x->schema);
	free(x);
}

static int where_failed(wsp_workspace *ws, const struct wsp__tool_cfg *tc,
			int rc, const char *why, wsp_error *err)
{
	return wsp_error_set(err, rc == WSP_ENOMEM ? rc : WSP_ECONFIG,
			     "%s:%u:%u: tool '%s': %s",
			     wsp_workspace_config_name(ws), tc->node->line,
			     tc->node->col, tc->tool, why);
}

int wsp__tools_ext_def(struct wsp__tool_def **out, wsp_workspace *ws,
		       const struct wsp__tool_cfg *tc, wsp_error *err)
{
	char why[WSP_ERROR_MSG_MAX];
	struct ext_tool *x;
	const wsp_ext_op *e;
	const char *prov, *rest;
	int rc, n;

	*out = NULL;
	x = calloc(1, sizeof(*x));
	if (!x)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	rc = wsp__ext_describe(&e, &x->sig, &prov, ws, tc->target, tc->op, err);
	if (rc) {
		snprintf(why, sizeof(why), "%s", err->message);
		free(x);
		return where_failed(ws, tc, rc, why, err);
	}
	x->cfg = tc;
	name_arguments(x, e->help ? e->help : "", &rest);
	n = *rest ? asprintf(&x->description,
			     "%s (extension operation '%s' of provider '%s')",
			     rest, e->name, prov)
		  : asprintf(&x->description,
			     "Extension operation '%s' of provider '%s'.",
			     e->name, prov);
	if (n < 0)
		x->description = NULL;
	else /* a sentence, as the built-in tools' descriptions are */
		x->description[0] =
			(char)toupper((unsigned char)x->description[0]);
	x->schema = build_schema(x);
	x->def.name = tc->tool;
	x->def.description = x->description;
	x->def.schema = x->schema;
	x->def.run = run_ext;
	if (!x->description || !x->schema) {
		wsp__tools_ext_free(&x->def);
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	}
	*out = &x->def;
	return 0;
}
