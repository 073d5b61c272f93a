/* tests/sandbox-local/fake_host.c - see fake_host.h. */
#include "fake_host.h"

#include <dlfcn.h>
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef WSP_LOCAL_PLUGIN
#error "WSP_LOCAL_PLUGIN must name the plugin file"
#endif

long fake_live_allocs;
int fake_warnings;
char fake_last_warning[512];
static pthread_mutex_t fake_lock = PTHREAD_MUTEX_INITIALIZER;

#define MAX_OPTS 32

/* The config is a list of "name=value"; arrays are built on demand. */
struct wsp_config {
	const char *items[MAX_OPTS];
	const char **arrays[MAX_OPTS];
	size_t n;
};

static struct wsp_config fake_cfg;

static const char *find(const wsp_config *cfg, const char *name)
{
	size_t i, len = strlen(name);

	for (i = 0; i < cfg->n; i++)
		if (!strncmp(cfg->items[i], name, len) &&
		    cfg->items[i][len] == '=')
			return cfg->items[i] + len + 1;
	return NULL;
}

static int slot_of(const wsp_config *cfg, const char *name)
{
	size_t i, len = strlen(name);

	for (i = 0; i < cfg->n; i++)
		if (!strncmp(cfg->items[i], name, len) &&
		    cfg->items[i][len] == '=')
			return (int)i;
	return -1;
}

static void fake_log(const wsp_host *h, int level, const char *fmt, ...)
{
	va_list ap;

	(void)h;
	if (level > WSP_LOG_WARN)
		return;
	pthread_mutex_lock(&fake_lock);
	fake_warnings++;
	va_start(ap, fmt);
	vsnprintf(fake_last_warning, sizeof(fake_last_warning), fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&fake_lock);
}

static void *fake_alloc(const wsp_host *h, size_t size)
{
	void *p = malloc(size ? size : 1);

	(void)h;
	if (p)
		__atomic_add_fetch(&fake_live_allocs, 1, __ATOMIC_SEQ_CST);
	return p;
}

static void fake_free(const wsp_host *h, void *p)
{
	(void)h;
	if (p)
		__atomic_sub_fetch(&fake_live_allocs, 1, __ATOMIC_SEQ_CST);
	free(p);
}

static int fake_opt_string(const char **out, const wsp_host *h,
			   const wsp_config *cfg, const char *name,
			   wsp_error *err)
{
	const char *v = find(cfg, name);

	(void)h;
	if (!v)
		return wsp_error_set(err, WSP_ENOTFOUND, "no '%s'", name);
	*out = v;
	return 0;
}

static int fake_opt_int(int64_t *out, const wsp_host *h,
			const wsp_config *cfg, const char *name,
			wsp_error *err)
{
	const char *v = find(cfg, name);

	(void)h;
	if (!v)
		return wsp_error_set(err, WSP_ENOTFOUND, "no '%s'", name);
	*out = strtoll(v, NULL, 10);
	return 0;
}

static int fake_opt_bool(int *out, const wsp_host *h, const wsp_config *cfg,
			 const char *name, wsp_error *err)
{
	const char *v = find(cfg, name);

	(void)h;
	if (!v)
		return wsp_error_set(err, WSP_ENOTFOUND, "no '%s'", name);
	*out = !strcmp(v, "true");
	return 0;
}

static int fake_opt_duration(int64_t *out, const wsp_host *h,
			     const wsp_config *cfg, const char *name,
			     wsp_error *err)
{
	const char *v = find(cfg, name);
	char *end;
	double d;

	(void)h;
	if (!v)
		return wsp_error_set(err, WSP_ENOTFOUND, "no '%s'", name);
	d = strtod(v, &end);
	if (!strcmp(end, "ms"))
		*out = (int64_t)d;
	else if (!strcmp(end, "m"))
		*out = (int64_t)(d * 60000);
	else
		*out = (int64_t)(d * 1000);
	return 0;
}

static int fake_opt_size(uint64_t *out, const wsp_host *h,
			 const wsp_config *cfg, const char *name,
			 wsp_error *err)
{
	const char *v = find(cfg, name);
	char *end;
	unsigned long long n;

	(void)h;
	if (!v)
		return wsp_error_set(err, WSP_ENOTFOUND, "no '%s'", name);
	n = strtoull(v, &end, 10);
	if (!strcmp(end, "KiB"))
		n <<= 10;
	else if (!strcmp(end, "MiB"))
		n <<= 20;
	else if (!strcmp(end, "GiB"))
		n <<= 30;
	*out = n;
	return 0;
}

/* Split the value at any of seps into a NULL-terminated array. */
static const char *const *split(const wsp_config *cfg, const char *name,
				const char *seps)
{
	struct wsp_config *c = (struct wsp_config *)cfg;
	int slot = slot_of(cfg, name);
	const char *v;
	char *copy, *tok, *save = NULL;
	size_t n = 0;

	if (slot < 0)
		return NULL;
	if (c->arrays[slot])
		return c->arrays[slot];
	v = find(cfg, name);
	copy = strdup(v);
	c->arrays[slot] = calloc(strlen(v) + 2, sizeof(char *));
	for (tok = strtok_r(copy, seps, &save); tok;
	     tok = strtok_r(NULL, seps, &save))
		c->arrays[slot][n++] = strdup(tok);
	free(copy);
	return c->arrays[slot];
}

static int fake_opt_list(const char *const **out, const wsp_host *h,
			 const wsp_config *cfg, const char *name,
			 wsp_error *err)
{
	(void)h;
	if (!find(cfg, name))
		return wsp_error_set(err, WSP_ENOTFOUND, "no '%s'", name);
	*out = split(cfg, name, ",");
	return 0;
}

static int fake_opt_map(const char *const **out, const wsp_host *h,
			const wsp_config *cfg, const char *name,
			wsp_error *err)
{
	(void)h;
	if (!find(cfg, name))
		return wsp_error_set(err, WSP_ENOTFOUND, "no '%s'", name);
	*out = split(cfg, name, ",:");
	return 0;
}

static int fake_cancel_requested(const wsp_host *h, const wsp_cancel *c)
{
	(void)h;
	return c && __atomic_load_n(&c->requested, __ATOMIC_SEQ_CST);
}

static int fake_cancel_fd(const wsp_host *h, const wsp_cancel *c)
{
	(void)h;
	return c ? c->fds[0] : -1;
}

/*
 * Like the core's (core/call.c): cancel first, then the deadline; a NULL
 * call (the plugin's own bounded waits) never expires.
 */
static int fake_call_expired(const wsp_host *h, const wsp_call *call)
{
	if (!call)
		return 0;
	if (fake_cancel_requested(h, call->cancel))
		return WSP_ECANCELED;
	if (call->deadline_ms > 0 && fake_now_ms() >= call->deadline_ms)
		return WSP_ETIMEDOUT;
	return 0;
}

static int64_t fake_call_remaining_ms(const wsp_host *h, const wsp_call *call)
{
	long long now = fake_now_ms();

	if (!call)
		return -1;
	if (fake_cancel_requested(h, call->cancel))
		return 0;
	if (call->deadline_ms <= 0)
		return -1;
	return call->deadline_ms > now ? call->deadline_ms - now : 0;
}

static int fake_call_fd(const wsp_host *h, const wsp_call *call)
{
	return call ? fake_cancel_fd(h, call->cancel) : -1;
}

const wsp_call fake_call = {sizeof(wsp_call), 0, NULL, 0};

wsp_host fake_host = {
	.struct_size = sizeof(wsp_host),
	.abi_major = WSP_PLUGIN_ABI_MAJOR,
	.abi_minor = WSP_PLUGIN_ABI_MINOR,
	.log = fake_log,
	.alloc = fake_alloc,
	.free = fake_free,
	.opt_string = fake_opt_string,
	.opt_int = fake_opt_int,
	.opt_bool = fake_opt_bool,
	.opt_duration = fake_opt_duration,
	.opt_size = fake_opt_size,
	.opt_list = fake_opt_list,
	.opt_map = fake_opt_map,
	.cancel_requested = fake_cancel_requested,
	.cancel_fd = fake_cancel_fd,
	.call_expired = fake_call_expired,
	.call_remaining_ms = fake_call_remaining_ms,
	.call_fd = fake_call_fd,
};

void fake_cancel_init(struct wsp_cancel *c)
{
	if (pipe(c->fds) < 0)
		abort();
	c->requested = 0;
}

void fake_cancel_fire(struct wsp_cancel *c)
{
	__atomic_store_n(&c->requested, 1, __ATOMIC_SEQ_CST);
	if (write(c->fds[1], "x", 1) < 0)
		abort();
}

void fake_cancel_destroy(struct wsp_cancel *c)
{
	close(c->fds[0]);
	close(c->fds[1]);
}

static void free_cfg(void)
{
	size_t i, j;

	for (i = 0; i < MAX_OPTS; i++) {
		for (j = 0; fake_cfg.arrays[i] && fake_cfg.arrays[i][j]; j++)
			free((char *)fake_cfg.arrays[i][j]);
		free(fake_cfg.arrays[i]);
		free((char *)fake_cfg.items[i]);
	}
	memset(&fake_cfg, 0, sizeof(fake_cfg));
}

static void add_opt(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fake_cfg.items[fake_cfg.n++] = strdup(buf);
}

int fake_open(struct fake_sandbox *fs, const char *const *opts,
	      wsp_error *err)
{
	wsp_instance_args args = { sizeof(args), 0, "dev-box", NULL, NULL,
				   NULL, NULL };
	wsp_plugin_entry_fn entry;
	size_t i;
	int have_wd = 0, have_sd = 0;

	memset(fs, 0, sizeof(*fs));
	fake_warnings = 0;
	fake_last_warning[0] = '\0';
	snprintf(fs->tmp, sizeof(fs->tmp), "/tmp/wsp-local-test-XXXXXX");
	if (!mkdtemp(fs->tmp))
		abort();
	snprintf(fs->workdir, sizeof(fs->workdir), "%s/ws", fs->tmp);
	snprintf(fs->statedir, sizeof(fs->statedir), "%s/state/dev-box",
		 fs->tmp);
	fs->dl = dlopen(WSP_LOCAL_PLUGIN, RTLD_NOW | RTLD_LOCAL);
	if (!fs->dl) {
		fprintf(stderr, "dlopen: %s\n", dlerror());
		abort();
	}
	*(void **)&entry = dlsym(fs->dl, WSP_PLUGIN_ENTRY_SYMBOL);
	fs->desc = entry(WSP_PLUGIN_ABI_MAJOR, WSP_PLUGIN_ABI_MINOR);
	free_cfg();
	for (i = 0; opts && opts[i]; i++) {
		if (!strncmp(opts[i], "working_dir=", 12))
			have_wd = 1;
		if (!strncmp(opts[i], "state_dir=", 10))
			have_sd = 1;
		add_opt("%s", opts[i]);
	}
	if (!have_wd)
		add_opt("working_dir=%s", fs->workdir);
	if (!have_sd)
		add_opt("state_dir=%s", fs->statedir);
	args.options = &fake_cfg;
	args.config_dir = fs->tmp;
	args.state_dir = fs->tmp;
	return fs->desc->init(&fs->self, &fake_host, &args, err);
}

static int rm_entry(const char *path, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void fake_close(struct fake_sandbox *fs)
{
	if (fs->desc && fs->self)
		fs->desc->fini(fs->self);
	fs->self = NULL;
	if (fs->tmp[0])
		nftw(fs->tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (fs->dl)
		dlclose(fs->dl);
	fs->dl = NULL;
	free_cfg();
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

void fake_result_release(wsp_exec_result *res)
{
	fake_free(&fake_host, res->stdout_data);
	fake_free(&fake_host, res->stderr_data);
	res->stdout_data = res->stderr_data = NULL;
}

long long fake_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int fake_have_bwrap(void)
{
	return system("bwrap --ro-bind / / --dev /dev --proc /proc "
		      "--unshare-pid --unshare-net true "
		      ">/dev/null 2>&1") == 0;
}
