/*
 * tests/common/fake_env.c - see fake_env.h.
 */
#include "fake_env.h"
#include "fake_admin.h"
#include "node_fake.h"

#include <stdio.h>
#include <string.h>

static struct node_fake fake;
/* a host of the core's real HTTP service, for the admin API */
static wsp_fakehost *admin_fh;
const char *fake_env_state_dir;

static int admin_host(void)
{
	wsp_error err = {0};

	return wsp_fakehost_new(&admin_fh,
				wsp_plugin_entry(WSP_PLUGIN_ABI_MAJOR,
						 WSP_PLUGIN_ABI_MINOR),
				&err)
		       ? -1
		       : 0;
}

int fake_env_start(const char *tag, const char *const *argv)
{
	if (node_fake_start(&fake, tag, argv))
		return -1;
	return admin_host();
}

int fake_env_attach(int port)
{
	fake.port = port;
	return admin_host();
}

void fake_env_stop(void)
{
	node_fake_stop(&fake);
	wsp_fakehost_free(admin_fh);
	admin_fh = NULL;
}

int fake_port(void)
{
	return fake.port;
}

int fake_admin(const char *method, const char *path, const char *json,
	       cJSON **out)
{
	return fake_admin_call(admin_fh, fake.port, method, path, json, out);
}

cJSON *fake_requests(void)
{
	cJSON *j = NULL;

	fake_admin("GET", "/_fake/requests", NULL, &j);
	return j;
}

int fake_count(const char *method, const char *path)
{
	cJSON *log = fake_requests();
	int n = fake_log_count(log, method, path);

	cJSON_Delete(log);
	return n;
}

cJSON *fake_sandbox_by(const char *key, const char *value)
{
	cJSON *all = NULL, *s, *found = NULL;

	fake_admin("GET", "/_fake/sandboxes", NULL, &all);
	cJSON_ArrayForEach(s, cJSON_GetObjectItem(all, "sandboxes"))
	{
		const char *v = cJSON_GetStringValue(cJSON_GetObjectItem(s, key));

		if (v && !strcmp(v, value)) {
			found = cJSON_Duplicate(s, 1);
			break;
		}
	}
	cJSON_Delete(all);
	return found;
}

static int init_with(struct box *bx, const char *extra, int no_key,
		     wsp_error *err)
{
	const wsp_instance_args *a;
	char yaml[2048];
	int rc;

	fake_env_options(yaml, sizeof(yaml), extra, no_key);
	if ((rc = wsp_fakehost_options(bx->fh, yaml, err)) ||
	    (rc = wsp_fakehost_args(&a, bx->fh, err)))
		return rc;
	/* the id under test, not the fake host's "test" */
	bx->args = *a;
	bx->args.instance_id = bx->id;
	if (fake_env_state_dir)
		bx->args.state_dir = fake_env_state_dir;
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
	if ((rc = wsp_fakehost_add_secret(bx->fh, fake_env_key, err)))
		return rc;
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
