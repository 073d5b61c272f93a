/* tests/sandbox-local/local_box.c - see local_box.h. */
#include "local_box.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef WSP_LOCAL_PLUGIN
#error "WSP_LOCAL_PLUGIN must name the plugin file"
#endif

const wsp_call fake_call = {sizeof(wsp_call), 0, NULL, 0};

static struct fake_sandbox *open_box; /* the instance fake_live_allocs sees */
static long closed_allocs;

/* The declared type of option name (0: not declared). */
static uint32_t option_type(const wsp_plugin_desc *d, const char *name,
			    size_t len)
{
	const char *p = (const char *)d->options;
	size_t stride = d->options ? d->options->struct_size : 0;

	for (; p && ((const wsp_option_spec *)p)->name; p += stride) {
		const wsp_option_spec *o = (const wsp_option_spec *)p;

		if (strlen(o->name) == len && !strncmp(o->name, name, len))
			return o->type;
	}
	return 0;
}

/* Append text to a growing buffer (abort on no memory: a test helper). */
static void put(char **buf, size_t *len, const char *s, size_t n)
{
	char *g = realloc(*buf, *len + n + 1);

	if (!g)
		abort();
	memcpy(g + *len, s, n);
	*len += n;
	g[*len] = '\0';
	*buf = g;
}

/* s[0..n) as a YAML double-quoted scalar. */
static void put_quoted(char **buf, size_t *len, const char *s, size_t n)
{
	put(buf, len, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			put(buf, len, "\\", 1);
		put(buf, len, s + i, 1);
	}
	put(buf, len, "\"", 1);
}

/* "a,b" as ["a", "b"]; "K:V,K2:V2" as {"K": "V", "K2": "V2"}. */
static void put_collection(char **buf, size_t *len, const char *v, int map)
{
	const char *item = v;

	put(buf, len, map ? "{" : "[", 1);
	while (*item) {
		size_t n = strcspn(item, ",");
		const char *colon = map ? memchr(item, ':', n) : NULL;

		if (item != v)
			put(buf, len, ", ", 2);
		if (colon) {
			put_quoted(buf, len, item, (size_t)(colon - item));
			put(buf, len, ": ", 2);
			put_quoted(buf, len, colon + 1,
				   n - (size_t)(colon - item) - 1);
		} else {
			put_quoted(buf, len, item, n);
		}
		item += n + (item[n] == ',');
	}
	put(buf, len, map ? "}" : "]", 1);
}

/* One "name=value" as a YAML line typed by the option's declaration. */
static void put_option(char **buf, size_t *len, const wsp_plugin_desc *d,
		       const char *opt)
{
	const char *eq = strchr(opt, '=');
	size_t nlen = eq ? (size_t)(eq - opt) : strlen(opt);
	uint32_t type = option_type(d, opt, nlen);
	const char *v = eq ? eq + 1 : "";

	put(buf, len, opt, nlen);
	put(buf, len, ": ", 2);
	if (type == WSP_OPT_LIST || type == WSP_OPT_MAP)
		put_collection(buf, len, v, type == WSP_OPT_MAP);
	else if (type == WSP_OPT_STRING || type == WSP_OPT_SECRET)
		put_quoted(buf, len, v, strlen(v));
	else /* numbers, booleans, durations, sizes: plain, as typed */
		put(buf, len, v, strlen(v));
	put(buf, len, "\n", 1);
}

int fake_open(struct fake_sandbox *fs, const char *const *opts,
	      wsp_error *err)
{
	const wsp_instance_args *core_args;
	wsp_instance_args args;
	int have_wd = 0, have_sd = 0, rc;
	char *yaml = NULL, extra[700];
	size_t len = 0;

	memset(fs, 0, sizeof(*fs));
	if (wsp_fakehost_load(&fs->fh, WSP_LOCAL_PLUGIN, err)) {
		fprintf(stderr, "%s\n", err->message);
		abort();
	}
	fs->desc = wsp_fakehost_desc(fs->fh);
	fs->host = wsp_fakehost_host(fs->fh);
	open_box = fs;
	snprintf(fs->tmp, sizeof(fs->tmp), "%s", wsp_fakehost_dir(fs->fh));
	snprintf(fs->workdir, sizeof(fs->workdir), "%s/ws", fs->tmp);
	snprintf(fs->statedir, sizeof(fs->statedir), "%s/state/dev-box",
		 fs->tmp);
	put(&yaml, &len, "", 0);
	for (size_t i = 0; opts && opts[i]; i++) {
		have_wd |= !strncmp(opts[i], "working_dir=", 12);
		have_sd |= !strncmp(opts[i], "state_dir=", 10);
		put_option(&yaml, &len, fs->desc, opts[i]);
	}
	if (!have_wd) {
		snprintf(extra, sizeof(extra), "working_dir=%s", fs->workdir);
		put_option(&yaml, &len, fs->desc, extra);
	}
	if (!have_sd) {
		snprintf(extra, sizeof(extra), "state_dir=%s", fs->statedir);
		put_option(&yaml, &len, fs->desc, extra);
	}
	rc = wsp_fakehost_options(fs->fh, yaml, err);
	free(yaml);
	if (!rc)
		rc = wsp_fakehost_args(&core_args, fs->fh, err);
	if (rc)
		return rc;
	/* the id the tests' expectations (and statedir) name */
	args = *core_args;
	args.instance_id = "dev-box";
	return fs->desc->init(&fs->self, fs->host, &args, err);
}

void fake_close(struct fake_sandbox *fs)
{
	if (fs->desc && fs->self)
		fs->desc->fini(fs->self);
	fs->self = NULL;
	if (fs->fh) {
		if (open_box == fs) {
			closed_allocs = wsp_fakehost_live_allocs(fs->fh);
			open_box = NULL;
		}
		wsp_fakehost_free(fs->fh);
	}
	fs->fh = NULL;
	fs->host = NULL;
}

long fake_live_allocs(void)
{
	return open_box ? wsp_fakehost_live_allocs(open_box->fh) :
			  closed_allocs;
}

size_t fake_warnings(const struct fake_sandbox *fs, const char *needle)
{
	return wsp_fakehost_log_find(fs->fh, WSP_LOG_WARN, needle);
}

wsp_call *fake_call_new(struct fake_sandbox *fs)
{
	wsp_call *c = wsp_fakehost_call(fs->fh, 0);

	if (!c)
		abort();
	return c;
}

int fake_sh(struct fake_sandbox *fs, wsp_exec_result *res, const char *sh,
	    wsp_error *err)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;

	memset(res, 0, sizeof(*res));
	res->struct_size = sizeof(*res);
	o.shell = sh;
	return fs->desc->sandbox->exec(res, fs->self, &fake_call, &o, err);
}

void fake_result_release(struct fake_sandbox *fs, wsp_exec_result *res)
{
	fs->host->free(fs->host, res->stdout_data);
	fs->host->free(fs->host, res->stderr_data);
	res->stdout_data = res->stderr_data = NULL;
}

int fake_have_bwrap(void)
{
	return system("bwrap --ro-bind / / --dev /dev --proc /proc "
		      "--unshare-pid --unshare-net true "
		      ">/dev/null 2>&1") == 0;
}
