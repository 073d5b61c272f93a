/*
 * plugins/sandbox-local/prepare.c - turn a command, a cwd and extra
 * variables into what is executed: the argument vector (wrapped in
 * bubblewrap when isolated), a clean environment, the host cwd and the
 * limits. Shared by foreground exec and the background process manager.
 */
#include "env.h"
#include "env_proto.h"
#include "instance.h"
#include "sibling.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void local_prepared_release(struct local_prepared *p)
{
	if (!p)
		return;
	local_strv_free(p->argv);
	local_strv_free(p->cmd);
	local_strv_free(p->envp);
	free(p->cwd);
	memset(p, 0, sizeof(*p));
}

static int cwd_visible(const struct local_sandbox *sb, const char *dir)
{
	size_t i;

	if (local_path_within(dir, sb->working_dir))
		return 1;
	for (i = 0; sb->ro_paths && sb->ro_paths[i]; i++)
		if (local_path_within(dir, sb->ro_paths[i]))
			return 1;
	for (i = 0; sb->rw_paths && sb->rw_paths[i]; i++)
		if (local_path_within(dir, sb->rw_paths[i]))
			return 1;
	return 0;
}

static int prepare_cwd(char **out, const struct local_sandbox *sb,
		       const char *cwd, int isolated, int via_env,
		       wsp_error *err)
{
	char *joined, *real;
	struct stat st;

	if (!cwd || !cwd[0]) {
		/* Canonical since init; exec reports it if it vanished. */
		*out = strdup(sb->working_dir);
		return *out ? 0 : wsp_error_set(err, WSP_ENOMEM,
						"out of memory");
	}
	if (cwd[0] == '/' && via_env) {
		/*
		 * A directory of the environment's own (its /tmp, /usr/...):
		 * the host's file of that name is another one, so the agent
		 * looks for it inside, and says if it is missing.
		 */
		joined = local_path_resolve_under("/", cwd);
		if (!joined)
			return errno == ENOMEM
				? wsp_error_set(err, WSP_ENOMEM, "out of memory")
				: wsp_error_set(err, WSP_EPERM,
					"cwd '%s' climbs above '/'", cwd);
		if (!cwd_visible(sb, joined)) {
			*out = joined;
			return 0;
		}
	} else if (cwd[0] == '/')
		joined = strdup(cwd);
	else {
		joined = local_path_resolve_under(sb->working_dir, cwd);
		if (!joined && errno != ENOMEM)
			return wsp_error_set(err, WSP_EPERM,
				"cwd '%s' climbs out of the working directory; "
				"give a path inside it", cwd);
	}
	if (!joined)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	real = realpath(joined, NULL);
	free(joined);
	if (!real)
		return wsp_error_set_os(err, errno == ENOENT ? WSP_ENOTFOUND
							    : WSP_EIO,
			errno, "cannot use cwd '%s': %s",
			cwd ? cwd : sb->working_dir, strerror(errno));
	if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) {
		free(real);
		return wsp_error_set(err, WSP_ENOTDIR,
				     "cannot use cwd '%s': not a directory",
				     cwd ? cwd : sb->working_dir);
	}
	if (isolated && !cwd_visible(sb, real)) {
		free(real);
		return wsp_error_set(err, WSP_EPERM,
			"cwd '%s' is outside what the sandbox can see; use "
			"a directory under the working directory or a "
			"configured read_only_paths/read_write_paths entry",
			cwd);
	}
	*out = real;
	return 0;
}

/* Index of the entry of v (n entries) with the same name as kv, or n. */
static size_t find_var(char **v, size_t n, const char *kv)
{
	size_t len = strcspn(kv, "="), i;

	for (i = 0; i < n; i++)
		if (!strncmp(v[i], kv, len) && v[i][len] == '=')
			return i;
	return n;
}

static int env_entry_ok(const char *kv)
{
	const char *s = kv;

	if (!*s || *s == '=' || (*s >= '0' && *s <= '9'))
		return 0;
	for (; *s && *s != '='; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return *s == '=';
}

/* Set kv in v (of *n entries, room for it), replacing a same-named one. */
static int put_var(char **v, size_t *n, const char *kv)
{
	size_t i = find_var(v, *n, kv);
	char *copy = strdup(kv);

	if (!copy)
		return -1;
	if (i < *n) {
		free(v[i]);
		v[i] = copy;
	} else {
		v[(*n)++] = copy;
	}
	return 0;
}

static char *concat(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *p = malloc(la + lb + 1);

	if (p) {
		memcpy(p, a, la);
		memcpy(p + la, b, lb + 1);
	}
	return p;
}

static int prepare_env(char ***out, const struct local_sandbox *sb,
		       const char *const *extra, wsp_error *err)
{
	size_t n_extra = 0, n = 0, i;
	char **v;

	while (extra && extra[n_extra])
		n_extra++;
	for (i = 0; i < n_extra; i++)
		if (!env_entry_ok(extra[i]))
			return wsp_error_set(err, WSP_EINVAL,
				"env entry %zu is not NAME=VALUE with a name "
				"of letters, digits and '_'", i + 1);
	v = calloc(2 + local_strv_len(sb->env) + n_extra + 1, sizeof(*v));
	if (!v)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	v[n] = concat("PATH=", sb->path);
	if (v[n])
		n++;
	v[n] = concat("HOME=", sb->working_dir);
	if (!v[n] || n != 1)
		goto nomem;
	n++;
	for (i = 0; sb->env && sb->env[i]; i++)
		if (put_var(v, &n, sb->env[i]) < 0)
			goto nomem;
	for (i = 0; i < n_extra; i++)
		if (put_var(v, &n, extra[i]) < 0)
			goto nomem;
	*out = v;
	return 0;
nomem:
	local_strv_free(v);
	return wsp_error_set(err, WSP_ENOMEM, "out of memory");
}

static int prepare_cmd(char ***out, const struct local_sandbox *sb,
		       const char *shell, const char *const *argv,
		       wsp_error *err)
{
	size_t n = 0, i;
	char **v;

	if (shell) {
		v = calloc(4, sizeof(*v));
		if (!v || !(v[0] = strdup("/bin/sh")) ||
		    !(v[1] = strdup("-c")) || !(v[2] = strdup(shell)))
			goto nomem;
		*out = v;
		return 0;
	}
	while (argv && argv[n])
		n++;
	if (!n || !argv[0][0])
		return wsp_error_set(err, WSP_EINVAL,
				     "no command given; pass a shell string "
				     "or a non-empty argv");
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		goto nomem;
	if (strchr(argv[0], '/')) {
		v[0] = strdup(argv[0]);
	} else {
		/* the sandbox's own PATH (never the host's) */
		v[0] = local_path_search(sb->path, argv[0], false);
		if (!v[0]) {
			free(v);
			return wsp_error_set(err, WSP_ENOTFOUND,
				"command '%s' not found in the sandbox PATH "
				"'%s'", argv[0], sb->path);
		}
	}
	if (!v[0])
		goto nomem;
	for (i = 1; i < n; i++)
		if (!(v[i] = strdup(argv[i])))
			goto nomem;
	*out = v;
	return 0;
nomem:
	local_strv_free(v);
	return wsp_error_set(err, WSP_ENOMEM, "out of memory");
}

static void warn_unisolated(struct local_sandbox *sb)
{
	int first;

	if (sb->isolation != LOCAL_ISOLATION_AUTO || sb->use_bwrap)
		return;
	pthread_mutex_lock(&sb->lock);
	first = !sb->warned;
	sb->warned = 1;
	pthread_mutex_unlock(&sb->lock);
	if (first)
		sb->host->log(sb->host, WSP_LOG_WARN,
			      "sandbox '%s': commands run unisolated (%s)",
			      sb->id,
			      sb->unisolated_why ? sb->unisolated_why
						 : "bwrap unavailable");
}

/* Where wsp-local-agent is, found once (sibling.h). */
static pthread_once_t agent_once = PTHREAD_ONCE_INIT;
static char *agent_path;
static wsp_error agent_err;

static void find_agent(void)
{
	agent_path = local_sibling(ENV_AGENT_NAME, &agent_err);
}

/*
 * `wsp-local-agent run ENV_DIR CWD -- CMD...`: what a monitor runs on the
 * host to have cmd run in the environment (agent/proxy.c).
 */
static int relay_argv(char ***out, const struct local_sandbox *sb,
		      const char *cwd, char **cmd, wsp_error *err)
{
	size_t n = local_strv_len(cmd), i;
	char **v;

	pthread_once(&agent_once, find_agent);
	if (!agent_path) {
		if (err)
			*err = agent_err;
		return agent_err.code;
	}
	v = calloc(n + 6, sizeof(*v));
	if (!v)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	v[0] = strdup(agent_path);
	v[1] = strdup("run");
	v[2] = local_env_dir(sb);
	v[3] = strdup(cwd);
	v[4] = strdup("--");
	for (i = 0; i < 5; i++)
		if (!v[i])
			goto nomem;
	for (i = 0; i < n; i++)
		if (!(v[5 + i] = strdup(cmd[i])))
			goto nomem;
	*out = v;
	return 0;
nomem:
	local_strv_free(v);
	return wsp_error_set(err, WSP_ENOMEM, "out of memory");
}

int local_prepare(struct local_prepared *out, struct local_sandbox *sb,
		  const char *shell, const char *const *argv, const char *cwd,
		  const char *const *env, wsp_error *err)
{
	char **cmd = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = local_resolve_isolation(sb, err);
	if (rc < 0)
		return rc;
	warn_unisolated(sb);
	out->isolated = sb->use_bwrap;
	out->limits = sb->limits;
	/* Isolated commands run in the sandbox's kept environment. */
	out->via_env = out->isolated;
	if ((rc = prepare_cwd(&out->cwd, sb, cwd, out->isolated, out->via_env,
			      err)) < 0 ||
	    (rc = prepare_env(&out->envp, sb, env, err)) < 0 ||
	    (rc = prepare_cmd(&cmd, sb, shell, argv, err)) < 0)
		goto fail;
	if (!out->isolated) {
		out->argv = cmd;
		return 0;
	}
	if (out->via_env) {
		out->cmd = cmd;
		rc = relay_argv(&out->argv, sb, out->cwd, cmd, err);
		if (rc)
			goto fail_env;
		return 0;
	}
	out->argv = local_bwrap_argv(sb, sb->bwrap_path, out->cwd, cmd);
	local_strv_free(cmd);
	if (!out->argv) {
		rc = wsp_error_set(err, WSP_ENOMEM, "out of memory");
		goto fail;
	}
	return 0;
fail:
	local_strv_free(cmd);
fail_env:
	local_prepared_release(out);
	return rc;
}
