/*
 * core/config/options.c - a provider's `options:` checked against its schema.
 *
 * Every problem is reported at the line and column of the value (or of
 * the key, for unknown keys), so `wsp config check` can point at it. The
 * values of secret options never appear in a message.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bounds on what one option may hold. */
#define LIST_MAX 1024

static void free_val(struct wsp__optval *v)
{
	size_t i;

	for (i = 0; i < v->n_items; i++)
		free(v->items[i]);
	free(v->items);
	free(v->text);
	memset(v, 0, sizeof(*v));
}

static int scalar_ok(const struct wsp__ynode *n)
{
	return n->type == WSP__Y_SCALAR;
}

/*
 * Set v from node n for option s. Returns 0, 1 when n is null (treated as
 * not given), WSP_EINVAL with why, or WSP_ENOMEM.
 */
static int set_value(struct wsp__optval *v, const wsp_option_spec *s,
		     const struct wsp__ynode *n, char *why, size_t cap)
{
	const struct wsp__ynode *it;
	size_t i, count;
	int rc;

	if (wsp__yaml_is_null(n))
		return 1;
	if (s->type == WSP_OPT_LIST || s->type == WSP_OPT_MAP) {
		if (s->type == WSP_OPT_MAP && n->type != WSP__Y_MAP) {
			snprintf(why, cap,
				 "option '%s' must be a mapping, not %s",
				 s->name, wsp__yaml_type_name(n));
			return WSP_EINVAL;
		}
		if (s->type == WSP_OPT_LIST && n->type == WSP__Y_MAP) {
			snprintf(why, cap,
				 "option '%s' must be a list, not a mapping",
				 s->name);
			return WSP_EINVAL;
		}
		count = n->type == WSP__Y_SCALAR ? 1 : n->n;
		if (count > LIST_MAX) {
			snprintf(why, cap,
				 "option '%s' has %zu entries; the limit is "
				 "%d",
				 s->name, count, LIST_MAX);
			return WSP_EINVAL;
		}
		v->items = calloc(count + 1, sizeof(*v->items));
		if (!v->items)
			return WSP_ENOMEM;
		for (i = 0; i < count; i++) {
			it = n->type == WSP__Y_SCALAR ? n : n->items[i];
			if (!scalar_ok(it)) {
				snprintf(why, cap,
					 "entries of option '%s' must be "
					 "single values, not %s",
					 s->name, wsp__yaml_type_name(it));
				return WSP_EINVAL;
			}
			v->items[i] = strdup(it->value);
			if (!v->items[i])
				return WSP_ENOMEM;
			v->n_items = i + 1;
		}
		return 0;
	}
	if (!scalar_ok(n)) {
		snprintf(why, cap, "option '%s' must be a single %s value, "
				   "not %s",
			 s->name, wsp__option_type_name(s->type),
			 wsp__yaml_type_name(n));
		return WSP_EINVAL;
	}
	if (s->type == WSP_OPT_STRING && s->choices) {
		for (i = 0; s->choices[i]; i++)
			if (!strcmp(s->choices[i], n->value))
				break;
		if (!s->choices[i]) {
			char list[160] = "";
			size_t len = 0;

			for (i = 0; s->choices[i] && len < sizeof(list); i++)
				len += (size_t)snprintf(
					list + len, sizeof(list) - len,
					"%s%s", i ? ", " : "", s->choices[i]);
			snprintf(why, cap,
				 "option '%s' is '%.64s', not one of: %s",
				 s->name, n->value, list);
			return WSP_EINVAL;
		}
	}
	rc = wsp__optvalue_parse(v, s->type, n->value, why, cap);
	if (rc) {
		/* Prefix the option's name to the parser's reason. */
		char reason[WSP_ERROR_MSG_MAX];

		snprintf(reason, sizeof(reason), "%s", why);
		snprintf(why, cap, "option '%s': %s", s->name, reason);
		return rc;
	}
	rc = wsp__option_in_range(v, s, n->value, why, cap);
	if (rc)
		return rc;
	v->text = strdup(n->value);
	return v->text ? 0 : WSP_ENOMEM;
}

/*
 * Set v from text parsed like YAML input (what names it in messages:
 * "the default", "the value"); as set_value() returns.
 */
static int set_from_text(struct wsp__optval *v, const wsp_option_spec *s,
			 const char *text, const char *what, char *why,
			 size_t cap)
{
	struct wsp__diags d = { 0 };
	struct wsp__ynode *n;
	int rc;

	rc = wsp__yaml_parse(&n, text, strlen(text), what, &d);
	if (rc) {
		snprintf(why, cap, "%s of option '%s' is not valid YAML",
			 what, s->name);
		wsp__diag_clear(&d);
		return rc == WSP_ENOMEM ? rc : WSP_EINVAL;
	}
	wsp__diag_clear(&d);
	if (!n)
		return 1;
	rc = set_value(v, s, n, why, cap);
	wsp__yaml_free(n);
	return rc;
}

/* Parse a declared default (text parsed like YAML input) into v. */
static int set_default(struct wsp__optval *v, const wsp_option_spec *s,
		       char *why, size_t cap)
{
	int rc = set_from_text(v, s, s->default_value, "the default", why,
			       cap);

	if (!rc)
		v->from_default = 1;
	return rc;
}

int wsp__options_override(wsp_config *cfg, const char *name,
			  const char *text, char *why, size_t cap)
{
	struct wsp__optval v = { 0 };
	long k = wsp__options_find(cfg, name);
	int rc;

	if (k < 0)
		return WSP_ENOTFOUND;
	rc = set_from_text(&v, &cfg->spec[k], text, "the value", why, cap);
	if (rc == 1) {
		snprintf(why, cap, "option '%s' needs a value", name);
		rc = WSP_EINVAL;
	}
	if (rc) {
		free_val(&v);
		return rc;
	}
	free_val(&cfg->vals[k]);
	cfg->vals[k] = v;
	cfg->vals[k].set = 1;
	return 0;
}

int wsp__option_default_check(const wsp_option_spec *s, char *why,
			      size_t cap)
{
	struct wsp__optval v = { 0 };
	int rc;

	if (!s->default_value)
		return 0;
	rc = set_default(&v, s, why, cap);
	free_val(&v);
	return rc < 0 ? rc : 0;
}

long wsp__options_find(const wsp_config *cfg, const char *name)
{
	size_t i;

	if (!cfg || !name)
		return -1;
	for (i = 0; i < cfg->n; i++)
		if (!strcmp(cfg->spec[i].name, name))
			return (long)i;
	return -1;
}

static void unknown_option(const wsp_option_spec *spec, size_t n,
			   const struct wsp__ynode *key, const char *what,
			   const char *file, struct wsp__diags *d)
{
	const char **names = calloc(n + 1, sizeof(*names));
	const char *hint = NULL;
	size_t i;

	if (names) {
		for (i = 0; i < n; i++)
			names[i] = spec[i].name;
		hint = wsp__suggest(key->value, names);
	}
	if (hint)
		wsp__diag_add(d, file, key->line, key->col,
			      "unknown option '%.64s' for %s; did you mean "
			      "'%s'?",
			      key->value, what, hint);
	else if (n)
		wsp__diag_add(d, file, key->line, key->col,
			      "unknown option '%.64s' for %s; see 'wsp "
			      "plugins info' for its options",
			      key->value, what);
	else
		wsp__diag_add(d, file, key->line, key->col,
			      "unknown option '%.64s': %s takes no options",
			      key->value, what);
	free(names);
}

int wsp__options_check(wsp_config **out, const wsp_option_spec *spec,
		       size_t n, const struct wsp__ynode *options,
		       const struct wsp__ynode *at, const char *what,
		       const char *file, struct wsp__diags *d)
{
	const struct wsp__ynode *key, *val, *pos;
	size_t before = wsp__diag_count(d), i, k;
	char why[WSP_ERROR_MSG_MAX];
	wsp_config *cfg;
	int rc;

	*out = NULL;
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return WSP_ENOMEM;
	cfg->spec = spec;
	cfg->n = n;
	cfg->vals = calloc(n + 1, sizeof(*cfg->vals));
	if (!cfg->vals) {
		free(cfg);
		return WSP_ENOMEM;
	}
	for (i = 0; options && i + 1 < options->n; i += 2) {
		key = options->items[i];
		val = options->items[i + 1];
		for (k = 0; k < n; k++)
			if (!strcmp(spec[k].name, key->value))
				break;
		if (k == n) {
			unknown_option(spec, n, key, what, file, d);
			continue;
		}
		rc = set_value(&cfg->vals[k], &spec[k], val, why, sizeof(why));
		if (rc == WSP_ENOMEM)
			goto oom;
		if (rc < 0) {
			wsp__diag_add(d, file, val->line, val->col, "%s", why);
			free_val(&cfg->vals[k]);
			continue;
		}
		if (rc == 0) {
			cfg->vals[k].set = 1;
			cfg->vals[k].node = val;
		}
	}
	pos = options ? options : at;
	for (k = 0; k < n; k++) {
		if (cfg->vals[k].set)
			continue;
		if (spec[k].flags & WSP_OPT_REQUIRED) {
			wsp__diag_add(d, file, pos ? pos->line : 0,
				      pos ? pos->col : 0,
				      "missing required option '%s' for %s%s%s",
				      spec[k].name, what,
				      spec[k].help ? ": " : "",
				      spec[k].help ? spec[k].help : "");
			continue;
		}
		if (!spec[k].default_value)
			continue;
		rc = set_default(&cfg->vals[k], &spec[k], why, sizeof(why));
		if (rc == WSP_ENOMEM)
			goto oom;
		if (rc == 0)
			cfg->vals[k].set = 1;
		else
			free_val(&cfg->vals[k]);
	}
	if (wsp__diag_count(d) != before || d->oom) {
		wsp__options_free(cfg);
		return d->oom ? WSP_ENOMEM : WSP_ECONFIG;
	}
	*out = cfg;
	return 0;
oom:
	wsp__options_free(cfg);
	return WSP_ENOMEM;
}

void wsp__options_free(wsp_config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	for (i = 0; i < cfg->n; i++)
		free_val(&cfg->vals[i]);
	free(cfg->vals);
	free(cfg);
}
