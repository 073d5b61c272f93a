/*
 * tests/common/rm_util.c - see rm_util.h.
 */
#include "rm_util.h"
#include "rm_vendor.h"
#include "fake_admin.h"
#include "cu_main.h"

#include <CUnit/CUnit.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int rm_mount(struct box *bx, const wsp_mount_source *s, const char *path,
	     uint32_t flags, wsp_error *err)
{
	return box_vt(bx)->mount(bx->self, box_call(bx, 60000), s, path, flags,
				 err);
}

int rm_mount_rel(struct box *bx, rm_source_fn source, const char *rel,
		 const char *path, uint32_t flags, wsp_error *err)
{
	wsp_mount_source s;
	int rc = source(&s, rel);

	if (!rc)
		rc = rm_mount(bx, &s, path, flags, err);
	wsp_mount_source_wipe(&s);
	return rc;
}

int rm_unmount(struct box *bx, const char *path, wsp_error *err)
{
	return box_vt(bx)->unmount(bx->self, box_call(bx, 60000), path, 0, err);
}

int rm_sh(struct box *bx, const char *cmd, char **out)
{
	const wsp_host *h = wsp_fakehost_host(bx->fh);
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result r = {.struct_size = sizeof(r)};
	wsp_error err = {0};
	int rc;

	o.shell = cmd;
	rc = box_vt(bx)->exec(&r, bx->self, box_call(bx, 60000), &o, &err);
	if (out)
		*out = strdup(!rc && r.stdout_data ? r.stdout_data : "");
	if (!rc) {
		h->free(h, r.stdout_data);
		h->free(h, r.stderr_data);
	}
	return rc ? -1 : r.exit_code;
}

static int is_start(const cJSON *r, const char *suffix)
{
	const char *p = cJSON_GetStringValue(cJSON_GetObjectItem(r, "path"));
	size_t n = p ? strlen(p) : 0, k = strlen(suffix);

	return n >= k && !strcmp(p + n - k, suffix);
}

int rm_count_starts(const char *suffix)
{
	int n = 0;

	rm_starts_holding(suffix, NULL, &n);
	return n;
}

int rm_starts_holding(const char *suffix, const char *const *words, int *starts)
{
	cJSON *log = fake_requests(), *r;
	int bad = 0;

	*starts = 0;
	cJSON_ArrayForEach(r, cJSON_GetObjectItem(log, "requests"))
	{
		char *text;

		if (!is_start(r, suffix))
			continue;
		(*starts)++;
		text = cJSON_PrintUnformatted(r);
		for (const char *const *w = words; w && *w; w++)
			bad += text && strstr(text, *w) != NULL;
		free(text);
	}
	cJSON_Delete(log);
	return bad;
}

int rm_main_root(CU_SuiteInfo *suites)
{
	if (geteuid() != 0) {
		fprintf(stderr, "needs root for the fake's mount namespace; "
				"not run\n");
		return 77;
	}
	signal(SIGPIPE, SIG_IGN);
	return cu_run_suites(suites);
}

int rm_box_start(struct box *bx, const char *id, const char *secret)
{
	static const char *const extra[] = {"--mount-ns", NULL};
	wsp_error err = {0};
	uint32_t outcome;

	if (RM_FAKE_START(extra) || box_open(bx, id, RM_ROOT_OPTS, 0, &err) ||
	    wsp_fakehost_add_secret(bx->fh, secret, &err) ||
	    box_vt(bx)->start(&outcome, bx->self, box_call(bx, 30000), 0,
			      &err)) {
		fprintf(stderr, "setup: %s\n", err.message);
		return -1;
	}
	return 0;
}

void rm_assert_secret_kept(struct box *bx, const char *client, const char *mark,
			   const char *secret, const char *const *words)
{
	char cmd[256], *out = NULL;
	int starts = 0;

	CU_ASSERT_EQUAL(rm_starts_holding(RM_START_SUFFIX, words, &starts), 0);
	CU_ASSERT(starts > 0);
	/* a client process that ended between pgrep and the read is no
	 * failure (the mark check below still needs a live one) */
	snprintf(cmd, sizeof(cmd),
		 "for p in $(pgrep -x %s); do "
		 "{ tr '\\0' '\\n' </proc/$p/cmdline; "
		 "tr '\\0' '\\n' </proc/$p/environ; } 2>/dev/null; "
		 "done; true",
		 client);
	CU_ASSERT_EQUAL(rm_sh(bx, cmd, &out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, mark));
	CU_ASSERT_PTR_NULL(strstr(out, secret));
	free(out);
	/* the credentials file went once the client had mounted; the
	 * marker is 0600 in a 0700 directory */
	CU_ASSERT_EQUAL(rm_sh(bx,
			      "cd /tmp/.wsp-mounts && stat -c %a . && "
			      "for f in *; do echo \"$f\"; stat -c %a \"$f\"; "
			      "done",
			      &out),
			0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "700\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, ".src\n600\n"));
	CU_ASSERT_PTR_NULL(strstr(out, ".pw"));
	free(out);
	snprintf(cmd, sizeof(cmd), "grep -r -F '%s' /tmp", secret);
	CU_ASSERT_EQUAL(rm_sh(bx, cmd, NULL), 1);
}
