/*
 * sdk/fakehost/fakehost.c - a fake host's life: its scratch directory,
 * the core's harness behind it, options and the provider's init.
 */
#define _XOPEN_SOURCE 700
#include "fakehost_impl.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STATE_SUBDIR "/state"

int wsp_fakehost_new(wsp_fakehost **out, const wsp_plugin_desc *desc,
		     wsp_error *err)
{
	wsp_host_harness_args a = { 0 };
	const char *tmp = getenv("TMPDIR");
	char state[sizeof(((wsp_fakehost *)0)->dir) + sizeof(STATE_SUBDIR)];
	wsp_fakehost *fh;
	int rc;

	*out = NULL;
	fh = calloc(1, sizeof(*fh));
	if (!fh)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	pthread_mutex_init(&fh->lock, NULL);
	fh->desc = desc;
	fh->echo = getenv("WSP_FAKEHOST_LOG") != NULL;
	if (!tmp || !*tmp || strlen(tmp) > 1024)
		tmp = "/tmp";
	snprintf(fh->dir, sizeof(fh->dir), "%s/wsp-fakehost-XXXXXX", tmp);
	if (!mkdtemp(fh->dir)) {
		fh->dir[0] = '\0';
		wsp_fakehost_free(fh);
		return wsp_error_set(err, WSP_EIO,
				     "fake host: cannot make a scratch "
				     "directory under %s", tmp);
	}
	snprintf(state, sizeof(state), "%s%s", fh->dir, STATE_SUBDIR);
	a.struct_size = sizeof(a);
	a.desc = desc;
	a.state_dir = state;
	a.config_dir = fh->dir;
	a.log = wsp__fakehost_log;
	a.log_payload = fh;
	rc = wsp_host_harness_open(&fh->harness, &a, err);
	if (rc) {
		wsp_fakehost_free(fh);
		return rc;
	}
	*out = fh;
	return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void wsp_fakehost_free(wsp_fakehost *fh)
{
	if (!fh)
		return;
	if (fh->harness)
		fh->harness->close(fh->harness);
	if (fh->dir[0])
		nftw(fh->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	wsp__fakehost_calls_fini(fh);
	wsp__fakehost_log_fini(fh);
	pthread_mutex_destroy(&fh->lock);
	free(fh);
}

const char *wsp_fakehost_dir(const wsp_fakehost *fh)
{
	return fh->dir;
}

const wsp_host *wsp_fakehost_host(const wsp_fakehost *fh)
{
	return fh->harness->host;
}

const wsp_plugin_desc *wsp_fakehost_desc(const wsp_fakehost *fh)
{
	return fh->desc;
}

int wsp_fakehost_options(wsp_fakehost *fh, const char *yaml, wsp_error *err)
{
	int rc = fh->harness->set_options(fh->harness, yaml, NULL, err);

	if (!rc)
		fh->options_set = 1;
	return rc;
}

int wsp_fakehost_args(const wsp_instance_args **out, wsp_fakehost *fh,
		      wsp_error *err)
{
	int rc;

	*out = NULL;
	if (!fh->options_set && (rc = wsp_fakehost_options(fh, NULL, err)))
		return rc;
	*out = fh->harness->args;
	return 0;
}

int wsp_fakehost_init(void **self, wsp_fakehost *fh, wsp_error *err)
{
	const wsp_instance_args *args;
	int rc;

	*self = NULL;
	rc = wsp_fakehost_args(&args, fh, err);
	if (rc)
		return rc;
	return fh->desc->init(self, fh->harness->host, args, err);
}

long wsp_fakehost_live_allocs(const wsp_fakehost *fh)
{
	return fh->harness->live_allocs(fh->harness);
}
