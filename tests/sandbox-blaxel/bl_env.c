/*
 * tests/sandbox-blaxel/bl_env.c - see bl_env.h.
 */
#include "bl_env.h"
#include "fake_admin.h"
#include "node_fake.h"

#include <stdio.h>
#include <string.h>

const wsp_plugin_desc *wsp_plugin_entry(uint32_t major, uint32_t minor);

int fake_port;
static struct node_fake fake;
/* a host of the core's real HTTP service, for the admin API */
static wsp_fakehost *admin_fh;

int fake_start(void)
{
	static const char *const argv[] = {
		WSP_TEST_BLAXEL_DIR "/fake-blaxel.mjs", NULL};
	wsp_error err = {0};

	if (node_fake_start(&fake, "wsp-blaxel-test", argv))
		return -1;
	fake_port = fake.port;
	return wsp_fakehost_new(&admin_fh,
				wsp_plugin_entry(WSP_PLUGIN_ABI_MAJOR,
						 WSP_PLUGIN_ABI_MINOR),
				&err);
}

void fake_stop(void)
{
	node_fake_stop(&fake);
	wsp_fakehost_free(admin_fh);
	admin_fh = NULL;
}

int fake_admin(const char *method, const char *path, const char *json,
	       cJSON **out)
{
	return fake_admin_call(admin_fh, fake_port, method, path, json, out);
}

cJSON *fake_requests(void)
{
	cJSON *j = NULL;

	fake_admin("GET", "/_fake/requests", NULL, &j);
	return j;
}

cJSON *fake_find(cJSON *log, const char *method, const char *path)
{
	return fake_log_find(log, method, path);
}

int fake_count(const char *method, const char *path)
{
	cJSON *log = fake_requests();
	int n = fake_log_count(log, method, path);

	cJSON_Delete(log);
	return n;
}

cJSON *fake_sandbox(const char *name)
{
	cJSON *all = NULL, *s, *found = NULL;

	fake_admin("GET", "/_fake/sandboxes", NULL, &all);
	cJSON_ArrayForEach(s, cJSON_GetObjectItem(all, "sandboxes"))
	{
		const char *n = cJSON_GetStringValue(cJSON_GetObjectItem(s, "name"));

		if (n && !strcmp(n, name)) {
			found = cJSON_Duplicate(s, 1);
			break;
		}
	}
	cJSON_Delete(all);
	return found;
}

static int init_with(struct box *bx, const char *extra, wsp_error *err,
		     int no_key)
{
	const wsp_instance_args *a;
	char yaml[2048];
	int rc;

	snprintf(yaml, sizeof(yaml),
		 "api_url: http://127.0.0.1:%d/v0\nworkspace: " BL_WS "\n"
		 "%s%s",
		 fake_port, no_key ? "" : "api_key: " BL_KEY "\n",
		 extra ? extra : "");
	if ((rc = wsp_fakehost_options(bx->fh, yaml, err)) ||
	    (rc = wsp_fakehost_args(&a, bx->fh, err)))
		return rc;
	/* the id under test, not the fake host's "test" */
	bx->args.struct_size = sizeof(bx->args);
	bx->args.options = a->options;
	bx->args.config_dir = a->config_dir;
	bx->args.state_dir = a->state_dir;
	bx->args.state = a->state;
	return bx->d->init(&bx->self, wsp_fakehost_host(bx->fh), &bx->args,
			   err);
}

static char box_ids[8][64];
static int box_n;

int box_open(struct box *bx, const char *id, const char *extra, int no_key,
	     wsp_error *err)
{
	int rc;

	memset(bx, 0, sizeof(*bx));
	bx->d = wsp_plugin_entry(WSP_PLUGIN_ABI_MAJOR, WSP_PLUGIN_ABI_MINOR);
	if ((rc = wsp_fakehost_new(&bx->fh, bx->d, err)))
		return rc;
	/* a key the provider must never log, whatever the options say */
	wsp_fakehost_add_secret(bx->fh, BL_KEY, err);
	snprintf(box_ids[box_n % 8], sizeof(box_ids[0]), "%s", id);
	bx->args.instance_id = box_ids[box_n++ % 8];
	return init_with(bx, extra, err, no_key);
}

int box_reinit(struct box *bx, const char *extra, wsp_error *err)
{
	bx->d->fini(bx->self);
	bx->self = NULL;
	return init_with(bx, extra, err, 0);
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
		bx->d->sandbox->destroy(bx->self, box_call(bx, 30000), 0, &err);
	box_close(bx);
}

const wsp_call *box_call(struct box *bx, int64_t ms)
{
	return wsp_fakehost_call(bx->fh, ms);
}
