/* tests/tools/fixture.c - see fixture.h. */
#include "fixture.h"
#include "test_files.h"

#include <CUnit/CUnit.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

wsp_log_fn fixture_log;
void *fixture_log_payload;

/* extra with each "@DIR@" replaced by dir (malloc'd). */
static char *with_dir(const char *extra, const char *dir)
{
	size_t n = 1, dl = strlen(dir);
	const char *p;
	char *out, *o;

	for (p = extra; *p; p++)
		n += strncmp(p, "@DIR@", 5) ? 1 : dl;
	out = o = malloc(n);
	if (!out)
		return NULL;
	for (p = extra; *p;) {
		if (!strncmp(p, "@DIR@", 5)) {
			memcpy(o, dir, dl);
			o += dl;
			p += 5;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}

int fixture_open(struct fixture *f, const char *extra_yaml, uint32_t flags)
{
	const char *tmp = getenv("TMPDIR");

	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "%s/wsp-tools-XXXXXX",
		 tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(f->dir))
		return WSP_EIO;
	snprintf(f->work, sizeof(f->work), "%s/work", f->dir);
	if (mkdir(f->work, 0755))
		return WSP_EIO;
	return fixture_reopen(f, extra_yaml, flags);
}

int fixture_reopen(struct fixture *f, const char *extra_yaml, uint32_t flags)
{
	wsp_open_opts o = WSP_OPEN_OPTS_INIT;
	wsp_tools_opts to = WSP_TOOLS_OPTS_INIT;
	char *yaml = NULL, *extra;
	wsp_error err;
	int rc;

	wsp_tools_close(f->tools);
	wsp_workspace_close(f->ws);
	f->tools = NULL;
	f->ws = NULL;
	extra = with_dir(extra_yaml ? extra_yaml : "", f->dir);
	if (!extra)
		return WSP_ENOMEM;
	if (asprintf(&yaml,
		     "sandbox:\n"
		     "  provider: local\n"
		     "  options:\n"
		     "    working_dir: %s\n"
		     "    isolation: none\n"
		     "    state_dir: %s/state\n"
		     "mounts:\n"
		     "  /:\n"
		     "    provider: local\n"
		     "    options:\n"
		     "      base_path: %s\n"
		     "%s",
		     f->work, f->dir, f->work, extra) < 0) {
		free(extra);
		return WSP_ENOMEM;
	}
	free(extra);
	o.config_text = yaml;
	o.config_name = "<test>";
	o.plugin_path = WSP_TEST_PLUGIN_DIR;
	if (fixture_log) {
		o.log = fixture_log;
		o.log_payload = fixture_log_payload;
		o.log_level = WSP_LOG_DEBUG;
	}
	rc = wsp_workspace_open(&f->ws, &o, &err);
	free(yaml);
	if (rc) {
		fprintf(stderr, "fixture: %s\n", err.message);
		return rc;
	}
	to.flags = flags;
	rc = wsp_tools_open(&f->tools, f->ws, &to, &err);
	if (rc)
		fprintf(stderr, "fixture: %s\n", err.message);
	return rc;
}

void fixture_close(struct fixture *f)
{
	wsp_tools_close(f->tools);
	wsp_workspace_close(f->ws);
	if (f->dir[0])
		test_remove_tree(f->dir);
	memset(f, 0, sizeof(*f));
}

char *fixture_call(struct fixture *f, const char *name, const char *args,
		   int *is_error)
{
	wsp_tool_result r = {.struct_size = sizeof(r)};
	wsp_error err;
	char *text;
	int rc;

	rc = wsp_tool_call(&r, f->tools, name, args, NULL, &err);
	if (rc) {
		*is_error = -1;
		return strdup(err.message);
	}
	*is_error = r.is_error;
	text = strdup(r.text);
	wsp_tool_result_release(&r);
	return text;
}

void fixture_call_ok(struct fixture *f, const char *name, const char *args)
{
	int is_error;
	char *text = fixture_call(f, name, args, &is_error);

	CU_ASSERT_EQUAL(is_error, 0);
	if (is_error)
		fprintf(stderr, "\n%s %s: %s\n", name, args, text);
	free(text);
}

void fixture_write(struct fixture *f, const char *rel, const char *text)
{
	char path[1024], *slash;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->work, rel);
	for (slash = strchr(path + strlen(f->work) + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	fp = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	fputs(text, fp);
	fclose(fp);
}

char *fixture_read(struct fixture *f, const char *rel)
{
	char path[1024], *buf;
	FILE *fp;
	long n;

	snprintf(path, sizeof(path), "%s/%s", f->work, rel);
	fp = fopen(path, "r");
	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	return buf;
}

int fixture_has_tool(struct fixture *f, const char *name)
{
	wsp_tool_info info;
	size_t i;

	for (i = 0; i < wsp_tools_count(f->tools); i++) {
		info.struct_size = sizeof(info);
		if (!wsp_tools_get(&info, f->tools, i) &&
		    !strcmp(info.name, name))
			return 1;
	}
	return 0;
}

void fixture_config_error(const char *yaml, const char *want)
{
	wsp_open_opts o = WSP_OPEN_OPTS_INIT;
	wsp_workspace *ws = NULL;
	wsp_error err;
	int rc;

	o.config_text = yaml;
	o.config_name = "<test>";
	o.plugin_path = WSP_TEST_PLUGIN_DIR;
	rc = wsp_workspace_open(&ws, &o, &err);
	CU_ASSERT_EQUAL(rc, WSP_ECONFIG);
	if (rc == WSP_ECONFIG) {
		CU_ASSERT_PTR_NOT_NULL(strstr(err.message, want));
		if (!strstr(err.message, want))
			fprintf(stderr, "got: %s\n", err.message);
	}
	wsp_workspace_close(ws);
}
