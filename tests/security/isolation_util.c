/*
 * tests/security/isolation_util.c - workspaces, the CLI and the probe for
 * the isolation suites (see isolation_util.h).
 */
#include "isolation_util.h"

#include "cu_main.h"
#include "test_files.h"

#include <CUnit/Basic.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	ssize_t n = 0;

	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	close(in);
	if (close(out) < 0)
		n = -1;
	return n < 0 ? -1 : chmod(to, mode);
}

int iso_setup(struct iso *t, const char *mode, const char *options)
{
	static int counter;
	const char *tmp = getenv("TMPDIR");
	char path[400];
	FILE *f;

	memset(t, 0, sizeof(*t));
	snprintf(t->dir, sizeof(t->dir), "%s/wsp-iso-XXXXXX",
		 tmp && tmp[0] == '/' ? tmp : "/tmp");
	if (!mkdtemp(t->dir)) {
		perror("mkdtemp");
		return -1;
	}
	snprintf(t->ws, sizeof(t->ws), "%s/ws", t->dir);
	snprintf(t->config, sizeof(t->config), "%s/wsp.yaml", t->dir);
	snprintf(path, sizeof(path), "%s/probe", t->ws);
	if (mkdir(t->ws, 0755) < 0 || copy_file(ISO_PROBE, path, 0755) < 0) {
		perror("setting up the working directory");
		return -1;
	}
	f = fopen(t->config, "w");
	if (!f) {
		perror(t->config);
		return -1;
	}
	fprintf(f,
		"sandbox:\n"
		"  provider: local\n"
		"  id: iso-%d-%d\n"
		"  options:\n"
		"    isolation: %s\n"
		"    working_dir: ./ws\n"
		"    state_dir: ./state\n"
		"    timeout: 60s\n"
		"    kill_grace: 300ms\n"
		"%s",
		(int)getpid(), counter++, mode, options ? options : "");
	return fclose(f) == 0 ? 0 : -1;
}

int iso_add_store_mounts(const struct iso *t, const char *provider,
			 const char *data_at, const char *ro_at,
			 const char *options)
{
	FILE *f = fopen(t->config, "a");
	int i;

	if (!f)
		return -1;
	fprintf(f, "mounts:\n");
	for (i = 0; i < 2; i++)
		fprintf(f,
			"  %s:\n"
			"    provider: %s\n"
			"    read_only: %s\n"
			"    sandbox_path: %s\n"
			"    options:\n"
			"%s",
			i ? "/ro" : "/data", provider, i ? "true" : "false",
			i ? ro_at : data_at, options);
	return fclose(f) ? -1 : 0;
}

void iso_teardown(struct iso *t)
{
	char cmd[400];

	if (!t->dir[0])
		return;
	/* Background processes first, so nothing writes while we remove. */
	iso_wsp(t, (const char *const[]){ "sandbox", "stop", NULL });
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove '%s'\n", t->dir);
	t->dir[0] = '\0';
}

pid_t iso_wsp_start(struct iso *t, const char *const *args)
{
	posix_spawn_file_actions_t fa;
	char out[400], err[400];
	const char *argv[32];
	size_t n = 0, i;
	pid_t pid;

	argv[n++] = WSP_CLI;
	argv[n++] = "--config";
	argv[n++] = t->config;
	for (i = 0; args[i] && n < sizeof(argv) / sizeof(argv[0]) - 1; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	snprintf(out, sizeof(out), "%s/out", t->dir);
	snprintf(err, sizeof(err), "%s/err", t->dir);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, out,
					 O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&fa, 2, err,
					 O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addchdir_np(&fa, t->ws);
	if (posix_spawn(&pid, WSP_CLI, &fa, NULL, (char *const *)argv,
			environ) != 0)
		pid = -1;
	posix_spawn_file_actions_destroy(&fa);
	snprintf(t->running, sizeof(t->running), "%s", args[0]);
	return pid;
}

int iso_wsp_finish(struct iso *t, pid_t pid)
{
	char out[400], err[400];
	int st = 0;

	if (pid < 0)
		return t->status = -1;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	snprintf(out, sizeof(out), "%s/out", t->dir);
	snprintf(err, sizeof(err), "%s/err", t->dir);
	test_read_text(out, t->out, sizeof(t->out));
	test_read_text(err, t->err, sizeof(t->err));
	t->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (t->err[0])
		fprintf(stderr, "[wsp %s ...: %d] %s", t->running, t->status,
			t->err);
	return t->status;
}

int iso_wsp(struct iso *t, const char *const *args)
{
	return iso_wsp_finish(t, iso_wsp_start(t, args));
}

int iso_probe(struct iso *t, const char *a1, const char *a2, const char *a3)
{
	const char *args[] = { "exec", "--", "./probe", a1, a2, a3, NULL };

	return iso_wsp(t, args);
}

const char *iso_get(const struct iso *t, const char *name)
{
	static char value[512];
	size_t n = strlen(name);
	const char *p = t->out;

	value[0] = '\0';
	while (p && *p) {
		if (!strncmp(p, name, n) && p[n] == '=') {
			size_t l = strcspn(p + n + 1, "\n");

			if (l >= sizeof(value))
				l = sizeof(value) - 1;
			memcpy(value, p + n + 1, l);
			value[l] = '\0';
			return value;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return value;
}

int iso_root(void)
{
	return geteuid() == 0;
}

/* True if the NUL-separated command line holds token as an argument. */
static int has_arg(const char *cmdline, size_t len, const char *token)
{
	size_t off = 0;

	while (off < len) {
		if (!strcmp(cmdline + off, token))
			return 1;
		off += strlen(cmdline + off) + 1;
	}
	return 0;
}

int iso_count_procs(const char *token)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int count = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char path[300], cmdline[4096];
		ssize_t n;
		int fd;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, cmdline, sizeof(cmdline) - 1);
		close(fd);
		if (n <= 0)
			continue; /* a zombie has no command line: gone */
		cmdline[n] = '\0';
		count += has_arg(cmdline, (size_t)n, token);
	}
	closedir(d);
	return count;
}

int iso_wait_procs(const char *token, int want, int ms)
{
	struct timespec tick = { 0, 10 * 1000000L };
	int waited, n = iso_count_procs(token);

	for (waited = 0; waited < ms; waited += 10) {
		if (want ? n >= want : n == 0)
			break;
		nanosleep(&tick, NULL);
		n = iso_count_procs(token);
	}
	return n;
}

int iso_mounted_below(const char *dir)
{
	char line[8192];
	FILE *f = fopen("/proc/mounts", "re");
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, dir) != NULL;
	fclose(f);
	return n;
}

int iso_file_has(const char *file, const char *needle)
{
	static char buf[1 << 20];
	ssize_t n, i;
	int fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!buf[i])
			buf[i] = ' ';
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

int iso_procs_with(const char *what, const char *needle, const char *and)
{
	char path[300], cmd[300];
	struct dirent *e;
	DIR *d = opendir("/proc");
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/%s", e->d_name, what);
		snprintf(cmd, sizeof(cmd), "/proc/%s/cmdline", e->d_name);
		n += iso_file_has(path, needle) &&
		     (!and || iso_file_has(cmd, and));
	}
	closedir(d);
	return n;
}

static const char *tree_needle;
static int tree_hits;

static int tree_file(const char *path, const struct stat *st, int type,
		     struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_F && iso_file_has(path, tree_needle)) {
		fprintf(stderr, "\nfound in %s\n", path);
		tree_hits++;
	}
	return 0;
}

int iso_tree_has(const char *dir, const char *needle)
{
	tree_needle = needle;
	tree_hits = 0;
	if (nftw(dir, tree_file, 16, FTW_PHYS | FTW_MOUNT) != 0)
		return -1;
	return tree_hits;
}

/* Without FUSE: 77 when wsp refuses w's mounts clearly, else 1. */
static int refused_without_fuse(int (*add_mounts)(const struct iso *w),
				const char *secret)
{
	struct iso w;
	int ok;

	if (iso_setup(&w, "bwrap", NULL) || add_mounts(&w))
		return 1;
	ok = iso_wsp(&w, (const char *const[]){"sandbox", "start", NULL}) !=
		     0 &&
	     strstr(w.err, "/dev/fuse") && strstr(w.err, "not usable") &&
	     !strstr(w.err, secret) && iso_mounted_below(w.dir) == 0;
	fprintf(stderr, "%s", w.err);
	iso_teardown(&w);
	if (!ok) {
		fprintf(stderr, "wsp did not refuse clearly without FUSE\n");
		return 1;
	}
	fprintf(stderr,
		"SKIP: /dev/fuse is not usable by uid %u here, and wsp "
		"refuses the mount saying so\n",
		(unsigned)getuid());
	return 77;
}

int iso_mount_main(struct CU_SuiteInfo *suites, const char *client,
		   int (*add_mounts)(const struct iso *w), const char *secret)
{
	signal(SIGPIPE, SIG_IGN);
	if (access("/dev/fuse", R_OK | W_OK) < 0)
		return refused_without_fuse(add_mounts, secret);
	if (access(client, X_OK) < 0) {
		fprintf(stderr,
			"%s is not installed (scripts/install-deps.sh "
			"--test): the mounts cannot be tested\n",
			client);
		return 1;
	}
	return cu_run_suites(suites);
}
