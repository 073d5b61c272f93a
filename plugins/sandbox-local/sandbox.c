/*
 * plugins/sandbox-local/sandbox.c - the local sandbox's options, instance
 * creation (init/fini), isolation choice and the plugin descriptor.
 */
#include "freezer.h"
#include "env.h"
#include "instance.h"
#include "mounts.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

extern const wsp_sandbox_vtable local_sandbox_vtable;

static const char *const isolation_choices[] = { "auto", "none", "bwrap",
						 NULL };

static const wsp_option_spec local_options[] = {
	WSP_OPTION(WSP_OPT_STRING, "working_dir", "./workspace",
		   "directory commands run in (relative to the config file)"),
	WSP_OPTION(WSP_OPT_DURATION, "timeout", "30s",
		   "default deadline of a foreground command; 0 = none"),
	WSP_OPTION_RANGE(
		WSP_OPT_DURATION, "kill_grace", "2s", NULL, "10m",
		"wait between SIGTERM and SIGKILL when a command is stopped"),
	WSP_OPTION_CHOICE(
		"isolation", "auto", isolation_choices,
		"none, bwrap, or auto (bwrap when installed and usable)"),
	WSP_OPTION(WSP_OPT_BOOL, "allow_network", "false",
		   "let isolated commands reach the network"),
	WSP_OPTION(WSP_OPT_BOOL, "read_only_workdir", "false",
		   "mount the working directory read-only when isolated"),
	WSP_OPTION(WSP_OPT_LIST, "read_only_paths", NULL,
		   "extra host paths visible read-only when isolated"),
	WSP_OPTION(WSP_OPT_LIST, "read_write_paths", NULL,
		   "extra host paths visible read-write when isolated"),
	WSP_OPTION(WSP_OPT_MAP, "env", NULL,
		   "extra environment variables of every command"),
	WSP_OPTION(WSP_OPT_SIZE, "memory_limit", NULL,
		   "address-space limit of each command process (RLIMIT_AS)"),
	WSP_OPTION_RANGE(
		WSP_OPT_INT, "max_processes", NULL, "0", NULL,
		"processes a command may run (RLIMIT_NPROC; for root a pids "
		"cgroup; 0 = none)"),
	WSP_OPTION(WSP_OPT_DURATION, "cpu_time", NULL,
		   "CPU time limit of each command process, whole seconds"),
	WSP_OPTION(WSP_OPT_SIZE, "file_size_limit", NULL,
		   "largest file a command may write (RLIMIT_FSIZE)"),
	WSP_OPTION_RANGE(WSP_OPT_SIZE, "max_capture", "1MiB", "1", "1GiB",
			 "bytes of each output stream kept by exec (newest)"),
	WSP_OPTION(
		WSP_OPT_STRING, "state_dir", NULL,
		"state directory (default $XDG_STATE_HOME/wsp/sandboxes/<id>)"),
	WSP_OPTION(WSP_OPT_STRING, "path", LOCAL_DEFAULT_PATH,
		   "PATH of commands"),
	WSP_OPTION_END,
};

/* ---- accessors (local.h) ------------------------------------------------ */

const char *local_state_dir(const struct local_sandbox *sb)
{
	return sb->state_dir;
}

const wsp_host *local_host(const struct local_sandbox *sb)
{
	return sb->host;
}

int64_t local_kill_grace_ms(const struct local_sandbox *sb)
{
	return sb->kill_grace_ms;
}

int local_call_check(const struct local_sandbox *sb, const wsp_call *call,
		     const char *what, wsp_error *err)
{
	int rc = sb->host->call_expired(sb->host, call);

	if (rc)
		return wsp_error_set(err, rc, "%s: the call %s", what,
				     rc == WSP_ECANCELED ? "was canceled"
							 : "ran out of time");
	return 0;
}

/* ---- isolation ---------------------------------------------------------- */

int local_resolve_isolation(struct local_sandbox *sb, wsp_error *err)
{
	wsp_error probe_err;
	char *bwrap = NULL;
	int rc = 0;

	pthread_mutex_lock(&sb->lock);
	if (sb->resolved)
		goto out;
	if (sb->isolation == LOCAL_ISOLATION_NONE) {
		sb->use_bwrap = 0;
		sb->resolved = 1;
		goto out;
	}
	bwrap = local_bwrap_find(sb->path);
	if (!bwrap) {
		if (sb->isolation == LOCAL_ISOLATION_BWRAP) {
			rc = wsp_error_set(err, WSP_EUNAVAIL,
				"isolation 'bwrap' requested but bwrap is not "
				"installed (searched '%s'); install bubblewrap "
				"or set 'isolation: none'", sb->path);
			goto out;
		}
		sb->unisolated_why = strdup("bwrap is not installed");
		sb->use_bwrap = 0;
		sb->resolved = 1;
		goto out;
	}
	/*
	 * A running environment proves bwrap works here: only a wsp that
	 * starts one probes (once per instance).
	 */
	if (!local_env_running(sb) &&
	    local_bwrap_probe(sb, bwrap, &probe_err) < 0) {
		if (sb->isolation == LOCAL_ISOLATION_BWRAP) {
			rc = wsp_error_set(err, WSP_EUNAVAIL,
				"isolation 'bwrap' requested but bwrap does "
				"not work here: %s", probe_err.message);
			goto out;
		}
		sb->unisolated_why = strdup(probe_err.message);
		sb->use_bwrap = 0;
		sb->resolved = 1;
		goto out;
	}
	sb->bwrap_path = bwrap;
	bwrap = NULL;
	sb->use_bwrap = 1;
	sb->resolved = 1;
out:
	pthread_mutex_unlock(&sb->lock);
	free(bwrap);
	return rc;
}

const char *local_isolation_name(struct local_sandbox *sb)
{
	if (local_resolve_isolation(sb, NULL) < 0)
		return "unavailable";
	return sb->use_bwrap ? "bwrap" : "none";
}

static int parse_isolation(const char *s)
{
	if (!strcmp(s, "auto"))
		return LOCAL_ISOLATION_AUTO;
	if (!strcmp(s, "none"))
		return LOCAL_ISOLATION_NONE;
	if (!strcmp(s, "bwrap"))
		return LOCAL_ISOLATION_BWRAP;
	return -1;
}

/* ---- init --------------------------------------------------------------- */

/* An option getter result: absent (no default) is fine, the rest fails. */
static int opt_ok(int rc)
{
	return rc == 0 || rc == WSP_ENOTFOUND;
}

/* Make a configured path absolute: relative ones are under config_dir. */
static char *absolute_from(const char *config_dir, const char *p)
{
	if (p[0] == '/')
		return strdup(p);
	if (p[0] == '~' && (p[1] == '/' || p[1] == '\0')) {
		const char *home = getenv("HOME");

		if (home && home[0] == '/')
			return local_path_join(home, p[1] ? p + 2 : ".");
	}
	return local_path_join(config_dir ? config_dir : ".", p);
}

static int is_safe_id(const char *id)
{
	const char *s;

	if (!id[0] || !strcmp(id, ".") || !strcmp(id, "..") ||
	    strlen(id) > 128)
		return 0;
	for (s = id; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' ||
		      *s == '.'))
			return 0;
	return 1;
}

static int is_env_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

/* Canonical copies of a list of existing host paths. */
static int load_paths(char ***out, struct local_sandbox *sb,
		      const wsp_config *cfg, const char *cfg_dir,
		      const char *name, wsp_error *err)
{
	const char *const *list = NULL;
	size_t n = 0, i;
	char **v;
	int rc;

	rc = sb->host->opt_list(&list, sb->host, cfg, name, err);
	if (!opt_ok(rc))
		return rc;
	while (list && list[n])
		n++;
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	*out = v;
	for (i = 0; i < n; i++) {
		char *abs = absolute_from(cfg_dir, list[i]);

		if (!abs)
			return wsp_error_set(err, WSP_ENOMEM, "out of memory");
		v[i] = realpath(abs, NULL);
		free(abs);
		if (!v[i])
			return wsp_error_set_os(err, WSP_ECONFIG, errno,
				"option '%s': cannot use '%s': %s; give an "
				"existing path", name, list[i],
				strerror(errno));
		if (!strcmp(v[i], "/"))
			return wsp_error_set(err, WSP_ECONFIG,
				"option '%s': '%s' is the whole filesystem; "
				"use 'isolation: none' instead", name,
				list[i]);
	}
	return 0;
}

static int load_env(struct local_sandbox *sb, const wsp_config *cfg,
		    wsp_error *err)
{
	const char *const *kv = NULL;
	size_t n = 0, i;
	int rc;

	rc = sb->host->opt_map(&kv, sb->host, cfg, "env", err);
	if (!opt_ok(rc))
		return rc;
	while (kv && kv[n] && kv[n + 1])
		n += 2;
	sb->env = calloc(n / 2 + 1, sizeof(char *));
	if (!sb->env)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	for (i = 0; i < n; i += 2) {
		size_t lk = strlen(kv[i]), lv = strlen(kv[i + 1]);
		char *e;

		if (!is_env_name(kv[i], lk))
			return wsp_error_set(err, WSP_ECONFIG,
				"option 'env': '%s' is not a valid variable "
				"name; use letters, digits and '_'", kv[i]);
		e = malloc(lk + 1 + lv + 1);
		if (!e)
			return wsp_error_set(err, WSP_ENOMEM, "out of memory");
		memcpy(e, kv[i], lk);
		e[lk] = '=';
		memcpy(e + lk + 1, kv[i + 1], lv + 1);
		sb->env[i / 2] = e;
	}
	return 0;
}

/* The numbers as host->opt_fill writes them; unset ones stay 0 (none). */
struct local_numbers {
	uint64_t memory, file_size, capture;
	int64_t max_processes, cpu_ms, timeout_ms, kill_grace_ms;
};

static const wsp_option_field local_fields[] = {
	WSP_OPTION_FIELD(struct local_numbers, memory, "memory_limit"),
	WSP_OPTION_FIELD(struct local_numbers, file_size, "file_size_limit"),
	WSP_OPTION_FIELD(struct local_numbers, capture, "max_capture"),
	WSP_OPTION_FIELD(struct local_numbers, max_processes, "max_processes"),
	WSP_OPTION_FIELD(struct local_numbers, cpu_ms, "cpu_time"),
	WSP_OPTION_FIELD(struct local_numbers, timeout_ms, "timeout"),
	WSP_OPTION_FIELD(struct local_numbers, kill_grace_ms, "kill_grace"),
	WSP_OPTION_FIELD_END,
};

/* Timeouts, capture and rlimits; their ranges are the table's bounds. */
static int load_numbers(struct local_sandbox *sb, const wsp_config *cfg,
			wsp_error *err)
{
	struct local_numbers n = { 0 };
	int rc = sb->host->opt_fill(&n, sb->host, cfg, local_fields, err);

	if (rc)
		return rc;
	/* not a range: 0 is "none" */
	if (n.memory && n.memory < (UINT64_C(16) << 20))
		return wsp_error_set(err, WSP_ECONFIG,
			"option 'memory_limit': %llu bytes is too small to "
			"run a shell; give at least 16MiB (or 0 for none)",
			(unsigned long long)n.memory);
	sb->limits.memory_bytes = n.memory;
	sb->limits.max_processes = (uint64_t)n.max_processes;
	/* RLIMIT_CPU counts whole seconds: round up. */
	sb->limits.cpu_seconds = (uint64_t)(n.cpu_ms + 999) / 1000;
	sb->limits.file_size = n.file_size;
	sb->timeout_ms = n.timeout_ms;
	sb->kill_grace_ms = n.kill_grace_ms;
	sb->max_capture = n.capture;
	return 0;
}

/* Default state directory: <core state dir>/sandboxes/<id>. */
static char *default_state_dir(const wsp_instance_args *args, const char *id)
{
	const char *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	char *base, *sub, *out;

	if (args->state_dir && args->state_dir[0] == '/')
		base = strdup(args->state_dir);
	else if (xdg && xdg[0] == '/')
		base = local_path_join(xdg, "wsp");
	else if (home && home[0] == '/')
		base = local_path_join(home, ".local/state/wsp");
	else
		return NULL;
	if (!base)
		return NULL;
	sub = local_path_join(base, "sandboxes");
	free(base);
	if (!sub)
		return NULL;
	out = local_path_join(sub, id);
	free(sub);
	return out;
}

/*
 * Where the sandbox can write, the state directory cannot be: commands
 * there could forge the files background processes are driven by (and
 * have wsp signal or delete what they name). Compared as real paths, so
 * neither symlinks nor ".." get around it, in both directions: a
 * writable directory inside the state directory is as bad.
 */
static int check_state_dir(struct local_sandbox *sb, int configured,
			   wsp_error *err)
{
	char shown[256], where[256];
	const char *hit = NULL, *what = NULL;
	char *real = local_path_real(sb->state_dir);
	size_t i;
	int rc = 0;

	local_printable(shown, sizeof(shown), sb->state_dir);
	if (!real)
		return wsp_error_set_os(err, WSP_ECONFIG, errno,
			"cannot resolve the state directory '%s': %s; check "
			"the option 'state_dir'", shown, strerror(errno));
	if (local_path_within(real, sb->working_dir) ||
	    local_path_within(sb->working_dir, real)) {
		hit = sb->working_dir;
		what = "the working directory";
	}
	for (i = 0; !hit && sb->rw_paths && sb->rw_paths[i]; i++)
		if (local_path_within(real, sb->rw_paths[i]) ||
		    local_path_within(sb->rw_paths[i], real)) {
			hit = sb->rw_paths[i];
			what = "a read_write_paths entry";
		}
	if (hit) {
		local_printable(where, sizeof(where), hit);
		/* The reason first: the paths may be cut off the end. */
		rc = wsp_error_set(err, WSP_ECONFIG,
			"%s %s %s: sandboxed commands could forge process "
			"state there; set the option 'state_dir' to another "
			"directory ('%s', '%s')",
			configured ? "option 'state_dir'"
				   : "the default state directory",
			local_path_within(real, hit) ? "is inside" : "contains",
			what, shown, where);
	}
	free(real);
	return rc;
}

static int load_dirs(struct local_sandbox *sb, const wsp_instance_args *args,
		     wsp_error *err)
{
	const wsp_host *h = sb->host;
	const wsp_config *cfg = args->options;
	const char *s = NULL;
	char *abs;
	int rc, configured;

	rc = h->opt_string(&s, h, cfg, "working_dir", err);
	if (!opt_ok(rc))
		return rc;
	if (rc || !s || !s[0])
		s = "./workspace";
	abs = absolute_from(args->config_dir, s);
	if (!abs)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	rc = local_mkdir_p(abs, 0755);
	if (rc < 0) {
		wsp_error_set_os(err, WSP_ECONFIG, -rc,
			"cannot create working directory '%s': %s; check "
			"the option 'working_dir'", abs, strerror(-rc));
		free(abs);
		return WSP_ECONFIG;
	}
	sb->working_dir = realpath(abs, NULL);
	free(abs);
	if (!sb->working_dir)
		return wsp_error_set_os(err, WSP_ECONFIG, errno,
			"cannot resolve working directory '%s': %s", s,
			strerror(errno));
	if (!strcmp(sb->working_dir, "/"))
		return wsp_error_set(err, WSP_ECONFIG,
			"option 'working_dir': the filesystem root cannot be "
			"the working directory; give a directory of its own");

	s = NULL;
	rc = h->opt_string(&s, h, cfg, "state_dir", err);
	if (!opt_ok(rc))
		return rc;
	configured = rc == 0 && s && s[0];
	if (configured)
		sb->state_dir = absolute_from(args->config_dir, s);
	else
		sb->state_dir = default_state_dir(args, sb->id);
	if (!sb->state_dir)
		return wsp_error_set(err, WSP_ECONFIG,
			"cannot place the state directory: neither "
			"$XDG_STATE_HOME nor $HOME is set; set the option "
			"'state_dir'");
	rc = check_state_dir(sb, configured, err);
	if (rc < 0)
		return rc;

	s = NULL;
	rc = h->opt_string(&s, h, cfg, "path", err);
	if (!opt_ok(rc))
		return rc;
	sb->path = strdup(rc == 0 && s && s[0] ? s : LOCAL_DEFAULT_PATH);
	if (!sb->path)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	return 0;
}

static int load_isolation(struct local_sandbox *sb, const wsp_config *cfg,
			  wsp_error *err)
{
	const wsp_host *h = sb->host;
	const char *s = NULL;
	int rc;

	rc = h->opt_string(&s, h, cfg, "isolation", err);
	if (!opt_ok(rc))
		return rc;
	if (rc || !s)
		s = "auto";
	sb->isolation = parse_isolation(s);
	if (sb->isolation < 0)
		return wsp_error_set(err, WSP_ECONFIG,
			"option 'isolation': unknown mode '%s'; use none, "
			"bwrap or auto", s);
	rc = h->opt_bool(&sb->allow_network, h, cfg, "allow_network", err);
	if (!opt_ok(rc))
		return rc;
	rc = h->opt_bool(&sb->read_only_workdir, h, cfg, "read_only_workdir",
			 err);
	if (!opt_ok(rc))
		return rc;
	return 0;
}

static void local_fini(void *self)
{
	struct local_sandbox *sb = self;

	if (!sb)
		return;
	free(sb->id);
	free(sb->working_dir);
	free(sb->state_dir);
	local_strv_free(sb->ro_paths);
	local_strv_free(sb->rw_paths);
	local_strv_free(sb->env);
	free(sb->path);
	free(sb->bwrap_path);
	free(sb->unisolated_why);
	if (sb->devnull >= 0)
		close(sb->devnull);
	pthread_mutex_destroy(&sb->lock);
	free(sb);
}

static int local_init(void **out_self, const wsp_host *host,
		      const wsp_instance_args *args, wsp_error *err)
{
	struct local_sandbox *sb = calloc(1, sizeof(*sb));
	const char *id = args->instance_id ? args->instance_id : "default";
	int rc;

	*out_self = NULL;
	if (!sb)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	pthread_mutex_init(&sb->lock, NULL);
	sb->host = host;
	/* Above 0..2, so the child's dup2 onto stdin never clobbers it. */
	sb->devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (sb->devnull >= 0 && sb->devnull < 3) {
		int moved = fcntl(sb->devnull, F_DUPFD_CLOEXEC, 3);

		close(sb->devnull);
		sb->devnull = moved;
	}
	if (sb->devnull < 0) {
		rc = wsp_error_set_os(err, WSP_EIO, errno,
				      "cannot open '/dev/null': %s",
				      strerror(errno));
		goto fail;
	}
	if (!is_safe_id(id)) {
		rc = wsp_error_set(err, WSP_ECONFIG,
			"sandbox id '%s' cannot name a directory; use "
			"letters, digits, '-', '_' and '.'", id);
		goto fail;
	}
	sb->id = strdup(id);
	if (!sb->id) {
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
		goto fail;
	}
	if ((rc = load_numbers(sb, args->options, err)) < 0 ||
	    (rc = load_isolation(sb, args->options, err)) < 0 ||
	    (rc = load_env(sb, args->options, err)) < 0 ||
	    (rc = load_paths(&sb->ro_paths, sb, args->options,
			     args->config_dir, "read_only_paths", err)) < 0 ||
	    (rc = load_paths(&sb->rw_paths, sb, args->options,
			     args->config_dir, "read_write_paths", err)) < 0 ||
	    (rc = load_dirs(sb, args, err)) < 0)
		goto fail;
	*out_self = sb;
	return 0;
fail:
	local_fini(sb);
	return rc;
}

#define LOCAL_PROCMGR (&local_procmgr_vtable)
#define LOCAL_PROC_CAPS                                              \
	(WSP_CAP_PROC_BACKGROUND | WSP_CAP_PROC_STDIN |              \
	 WSP_CAP_PROC_CLOSE_STDIN | WSP_CAP_PROC_DETACHED |          \
	 WSP_CAP_PROC_FOLLOW | WSP_CAP_PROC_OUTPUT_HISTORY)

#define LOCAL_STATIC_CAPS                                                  \
	(WSP_CAP_SANDBOX_ISOLATION | WSP_CAP_SANDBOX_NETWORK_CONTROL |     \
	 WSP_CAP_SANDBOX_LIMITS | WSP_CAP_SANDBOX_RECONNECT |              \
	 WSP_CAP_SANDBOX_PREVIEW | LOCAL_PROC_CAPS)

/*
 * The descriptor, with the capabilities that depend on this machine and
 * user filled in once, when the core asks for it: pause needs a cgroup
 * freezer this process may write (root, usually; never nobody), so a
 * provider that cannot pause here does not claim it and the core answers
 * WSP_ENOTSUP for it.
 */
static wsp_plugin_desc local_desc = {
	.magic = WSP_PLUGIN_MAGIC,
	.abi_major = WSP_PLUGIN_ABI_MAJOR,
	.abi_minor = WSP_PLUGIN_ABI_MINOR,
	.struct_size = sizeof(wsp_plugin_desc),
	.abi_minor_required = WSP_PLUGIN_MINOR_REQUIRED,
	.kind = WSP_KIND_SANDBOX,
	.name = "local",
	.version = "0.1.0",
	.description = "commands on this machine, isolated with bubblewrap",
	.caps = LOCAL_STATIC_CAPS,
	.options = local_options,
	.init = local_init,
	.fini = local_fini,
	.sandbox = &local_sandbox_vtable,
	.procmgr = LOCAL_PROCMGR,
	.ext_ops = local_ext_ops,
};

static pthread_once_t local_desc_once = PTHREAD_ONCE_INIT;

static void local_desc_probe(void)
{
	char why[PATH_MAX + 128];

	if (local_freezer_usable(why, sizeof(why)) == 0)
		local_desc.caps |= WSP_CAP_SANDBOX_PAUSE;
	/* a /dev/fuse this user may open (not nobody's, often), and s3fs or
	 * rclone */
	if (local_mounts_usable())
		local_desc.caps |= WSP_CAP_SANDBOX_MOUNT;
}

WSP_EXPORT const wsp_plugin_desc *wsp_plugin_entry(uint32_t host_major,
						   uint32_t host_minor);
const wsp_plugin_desc *wsp_plugin_entry(uint32_t host_major,
					uint32_t host_minor)
{
	(void)host_major;
	(void)host_minor;
	pthread_once(&local_desc_once, local_desc_probe);
	return &local_desc;
}
