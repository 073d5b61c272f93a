/*
 * tests/sandbox-e2b/e2_env.c - see e2_env.h.
 */
#include "e2_env.h"
#include "fake_admin.h"
#include "node_fake.h"

#include <stdio.h>
#include <string.h>

static struct node_fake fake;
/* a host of the core's real HTTP service, for the admin API */
static wsp_fakehost *admin_fh;

int e2_fake_start(void)
{
	return e2_fake_start_with(NULL);
}

int e2_fake_start_with(const char *const *extra)
{
	const char *argv[8] = {WSP_TEST_E2B_DIR "/fake-e2b.mjs"};
	wsp_error err = {0};

	for (int n = 1; extra && *extra && n < 7; n++)
		argv[n] = *extra++;
	if (node_fake_start(&fake, "wsp-e2b-test", argv))
		return -1;
	return wsp_fakehost_new(&admin_fh,
				wsp_plugin_entry(WSP_PLUGIN_ABI_MAJOR,
						 WSP_PLUGIN_ABI_MINOR),
				&err)
		       ? -1
		       : 0;
}

int e2_fake_stop(void)
{
	node_fake_stop(&fake);
	wsp_fakehost_free(admin_fh);
	admin_fh = NULL;
	return 0;
}

int e2_fake_port(void)
{
	return fake.port;
}

int e2_fake_call(const char *method, const char *path, const char *json,
		 cJSON **out)
{
	return fake_admin_call(admin_fh, fake.port, method, path, json, out);
}

cJSON *e2_fake_requests(void)
{
	cJSON *j = NULL;

	e2_fake_call("GET", "/_fake/requests", NULL, &j);
	return j;
}

cJSON *e2_fake_find(cJSON *log, const char *method, const char *path)
{
	return fake_log_find(log, method, path);
}

int e2_fake_count(const char *method, const char *path)
{
	cJSON *log = e2_fake_requests();
	int n = fake_log_count(log, method, path);

	cJSON_Delete(log);
	return n;
}

static int init_with(struct box *bx, const char *extra, int no_key,
		     wsp_error *err)
{
	const wsp_instance_args *a;
	char yaml[2048];
	int port = fake.port, rc;

	snprintf(yaml, sizeof(yaml),
		 "api_url: http://127.0.0.1:%d\n"
		 "sandbox_url: http://127.0.0.1:%d\n%s%s",
		 port, port, no_key ? "" : "api_key: " E2_KEY "\n",
		 extra ? extra : "");
	if ((rc = wsp_fakehost_options(bx->fh, yaml, err)) ||
	    (rc = wsp_fakehost_args(&a, bx->fh, err)))
		return rc;
	/* the id under test, not the fake host's "test" */
	bx->args = *a;
	bx->args.instance_id = bx->id;
	return bx->d->init(&bx->self, wsp_fakehost_host(bx->fh), &bx->args,
			   err);
}

int box_open(struct box *bx, const char *id, const char *extra, int no_key,
	     wsp_error *err)
{
	int rc;

	memset(bx, 0, sizeof(*bx));
	snprintf(bx->id, sizeof(bx->id), "%s", id);
	bx->d = wsp_plugin_entry(WSP_PLUGIN_ABI_MAJOR, WSP_PLUGIN_ABI_MINOR);
	if ((rc = wsp_fakehost_new(&bx->fh, bx->d, err)))
		return rc;
	/* a key the provider must never log, whatever the options say */
	wsp_fakehost_add_secret(bx->fh, E2_KEY, err);
	return init_with(bx, extra, no_key, err);
}

int box_reinit(struct box *bx, const char *extra, wsp_error *err)
{
	bx->d->fini(bx->self);
	bx->self = NULL;
	return init_with(bx, extra, 0, err);
}

void box_close(struct box *bx)
{
	if (bx->self)
		bx->d->fini(bx->self);
	bx->self = NULL;
	if (bx->fh)
		wsp_fakehost_free(bx->fh);
	bx->fh = NULL;
}

void box_destroy(struct box *bx)
{
	wsp_error err = {0};

	if (bx->self)
		box_vt(bx)->destroy(bx->self, box_call(bx, 30000), 0, &err);
	box_close(bx);
}

wsp_call *box_call(struct box *bx, int64_t ms)
{
	return wsp_fakehost_call(bx->fh, ms);
}

const wsp_sandbox_vtable *box_vt(const struct box *bx)
{
	return bx->d->sandbox;
}

cJSON *e2_fake_sandbox(const char *id)
{
	cJSON *all = NULL, *s, *found = NULL;

	e2_fake_call("GET", "/_fake/sandboxes", NULL, &all);
	cJSON_ArrayForEach(s, cJSON_GetObjectItem(all, "sandboxes"))
	{
		const char *n =
			cJSON_GetStringValue(cJSON_GetObjectItem(s, "sandboxID"));

		if (n && !strcmp(n, id)) {
			found = cJSON_Duplicate(s, 1);
			break;
		}
	}
	cJSON_Delete(all);
	return found;
}

void box_kept_id(char *out, size_t cap, struct box *bx)
{
	const wsp_host *h = wsp_fakehost_host(bx->fh);
	char *v = NULL;
	size_t len = 0;

	out[0] = '\0';
	if (!h->state_get(&v, &len, h, bx->args.state, "sandbox-id", NULL)) {
		snprintf(out, cap, "%s", v);
		h->free(h, v);
	}
}

int e2_suite_start(struct box *bx, const char *id)
{
	wsp_error err = {0};
	uint32_t outcome;

	if (e2_fake_start() || box_open(bx, id, NULL, 0, &err) ||
	    box_vt(bx)->start(&outcome, bx->self, box_call(bx, 30000), 0,
			      &err)) {
		fprintf(stderr, "setup: %s\n", err.message);
		return -1;
	}
	return 0;
}

int e2_suite_stop(struct box *bx)
{
	box_destroy(bx);
	return e2_fake_stop();
}
