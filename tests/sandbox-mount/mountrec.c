/*
 * tests/sandbox-mount/mountrec.c - wsp-sandbox-mountrec.so, a test
 * sandbox provider that implements mount and unmount the way a remote
 * one must, without a remote: it runs commands with sh in its `root`
 * directory (clean environment), and for each mount writes the store's
 * credentials to a 0600 file under root/.mounts/ and records, in
 * root/.mounts/log and through host->log, what it was given and the
 * command line a real provider would run (s3fs with passwd_file=). The
 * tests read those records to prove the secrets reached the file and
 * nothing else (not the log, the command line or a command's
 * environment). Its working directory is also its sandbox_fs (dirfs.c).
 */
#include "mountrec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const wsp_option_spec options[] = {
	WSP_OPTION_REQUIRED(WSP_OPT_STRING, "root",
			    "working directory (absolute)"),
	WSP_OPTION_END,
};

static int init(void **out, const wsp_host *host,
		const wsp_instance_args *args, wsp_error *err)
{
	struct rec *r = calloc(1, sizeof(*r));
	const char *root = NULL;

	if (!r)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	r->host = host;
	if (host->opt_string(&root, host, args->options, "root", err) ||
	    !root || root[0] != '/') {
		free(r);
		return wsp_error_set(err, WSP_ECONFIG, "root must be absolute");
	}
	snprintf(r->root, sizeof(r->root), "%s", root);
	*out = r;
	return 0;
}

static void fini(void *self)
{
	free(self);
}

/*
 * Read both pipes to EOF, each chunk to the output callback, and (unless
 * WSP_EXEC_NO_CAPTURE) into host-allocated buffers.
 */
static void drain(const wsp_host *h, int fds[2], const wsp_exec_opts *o,
		  wsp_exec_result *out)
{
	char *buf[2] = {NULL, NULL};
	size_t len[2] = {0, 0}, cap[2] = {0, 0};
	struct pollfd p[2] = {{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}};
	int open_n = 2;

	while (open_n > 0 && poll(p, 2, -1) > 0) {
		for (int i = 0; i < 2; i++) {
			char tmp[4096];
			ssize_t n;

			if (p[i].fd < 0 || !p[i].revents)
				continue;
			n = read(p[i].fd, tmp, sizeof(tmp));
			if (n <= 0) {
				close(p[i].fd);
				p[i].fd = -1;
				open_n--;
				continue;
			}
			if (o->on_output)
				o->on_output(i ? WSP_STDERR : WSP_STDOUT, tmp,
					     (size_t)n, o->payload);
			if (o->flags & WSP_EXEC_NO_CAPTURE)
				continue;
			if (len[i] + (size_t)n + 1 > cap[i]) {
				size_t nc = (len[i] + (size_t)n + 1) * 2;
				char *nb = h->alloc(h, nc);

				if (!nb)
					continue;
				if (buf[i])
					memcpy(nb, buf[i], len[i]);
				h->free(h, buf[i]);
				buf[i] = nb;
				cap[i] = nc;
			}
			memcpy(buf[i] + len[i], tmp, (size_t)n);
			len[i] += (size_t)n;
			buf[i][len[i]] = '\0';
		}
	}
	out->stdout_data = buf[0];
	out->stdout_len = len[0];
	out->stderr_data = buf[1];
	out->stderr_len = len[1];
}

static int rec_exec(wsp_exec_result *out, void *self, const wsp_call *call,
		    const wsp_exec_opts *o, wsp_error *err)
{
	struct rec *r = self;
	int po[2], pe[2], fds[2], status;
	pid_t pid;

	(void)call;
	if (pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC))
		return wsp_error_set_os(err, WSP_EIO, errno, "pipe failed");
	pid = fork();
	if (pid == 0) {
		char *env[32] = {"PATH=/usr/bin:/bin", NULL};
		int n = 1, in = open("/dev/null", O_RDONLY);

		for (int i = 0; o->env && o->env[i] && n < 31; i++)
			env[n++] = (char *)o->env[i];
		env[n] = NULL;
		dup2(in, 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		if (chdir(o->cwd && o->cwd[0] == '/' ? o->cwd : r->root))
			_exit(126);
		if (o->shell)
			execle("/bin/sh", "sh", "-c", o->shell, (char *)NULL,
			       env);
		else
			execve(o->argv[0][0] == '/' ? o->argv[0] : "/bin/sh",
			       (char *const *)o->argv, env);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	fds[0] = po[0];
	fds[1] = pe[0];
	drain(r->host, fds, o, out);
	waitpid(pid, &status, 0);
	out->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
	return 0;
}

/* root/.mounts/<path with '/' as '_'>.<ext> */
static void mount_file(char *out, size_t cap, const struct rec *r,
		       const char *path, const char *ext)
{
	int n = snprintf(out, cap, "%s/.mounts/", r->root);

	for (const char *p = path + 1; *p && (size_t)n + 2 < cap; p++)
		out[n++] = *p == '/' ? '_' : *p;
	snprintf(out + n, cap - (size_t)n, ".%s", ext);
}

static void record(const struct rec *r, const char *line)
{
	char path[1200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/.mounts/log", r->root);
	f = fopen(path, "a");
	if (f) {
		fprintf(f, "%s\n", line);
		fclose(f);
	}
	r->host->log(r->host, WSP_LOG_INFO, "mountrec: %s", line);
}

static int rec_mount(void *self, const wsp_call *call,
		     const wsp_mount_source *src, const char *path,
		     uint32_t flags, wsp_error *err)
{
	struct rec *r = self;
	char desc[3000], line[8192], cred[1200], state[1200], old[3000];
	const char *akid = wsp_mount_source_credential(src, "access_key_id");
	const char *secret =
		wsp_mount_source_credential(src, "secret_access_key");
	int ro = (flags | src->flags) & WSP_MOUNT_READ_ONLY;
	FILE *f;
	int fd;

	(void)call;
	if (strcmp(src->type, "s3"))
		return wsp_error_set(err, WSP_ENOTSUP,
				     "cannot mount a '%s' store", src->type);
	snprintf(cred, sizeof(cred), "%s/.mounts", r->root);
	mkdir(cred, 0700);
	mount_file(cred, sizeof(cred), r, path, "cred");
	mount_file(state, sizeof(state), r, path, "mount");
	snprintf(desc, sizeof(desc),
		 "type=%s bucket=%s prefix=%s endpoint=%s region=%s ro=%d "
		 "path_style=%d creds=%u",
		 src->type, src->bucket, src->prefix, src->endpoint,
		 src->region, ro ? 1 : 0,
		 src->flags & WSP_MOUNT_PATH_STYLE ? 1 : 0,
		 (unsigned)src->n_credentials);
	f = fopen(state, "r");
	if (f) {
		size_t n = fread(old, 1, sizeof(old) - 1, f);

		old[n] = '\0';
		fclose(f);
		if (strcmp(old, desc))
			return wsp_error_set(err, WSP_EBUSY,
					     "'%s' holds another mount", path);
		snprintf(line, sizeof(line), "mount %s again: %s", path, desc);
		record(r, line);
		return 0;
	}
	if (akid && secret) {
		fd = open(cred, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
					O_NOFOLLOW,
			  0600);
		if (fd < 0)
			return wsp_error_set_os(err, WSP_EIO, errno,
						"cannot write credentials");
		f = fdopen(fd, "w");
		fprintf(f, "%s:%s\n", akid, secret);
		fclose(f);
	}
	f = fopen(state, "w");
	if (!f)
		return wsp_error_set_os(err, WSP_EIO, errno,
					"cannot record the mount");
	fputs(desc, f);
	fclose(f);
	snprintf(line, sizeof(line),
		 "mount %s: %s argv: s3fs %s:/%s %s -o url=%s,endpoint=%s,"
		 "passwd_file=%s%s%s",
		 path, desc, src->bucket, src->prefix, path, src->endpoint,
		 src->region, cred,
		 src->flags & WSP_MOUNT_PATH_STYLE ? ",use_path_request_style"
						   : "",
		 ro ? ",ro" : "");
	record(r, line);
	return 0;
}

static int rec_unmount(void *self, const wsp_call *call, const char *path,
		       uint32_t flags, wsp_error *err)
{
	struct rec *r = self;
	char cred[1200], state[1200], line[1300];

	(void)call;
	(void)flags;
	mount_file(cred, sizeof(cred), r, path, "cred");
	mount_file(state, sizeof(state), r, path, "mount");
	if (unlink(state))
		return wsp_error_set(err, WSP_ENOTFOUND,
				     "nothing is mounted at '%s'", path);
	unlink(cred);
	snprintf(line, sizeof(line), "unmount %s", path);
	record(r, line);
	return 0;
}

static const wsp_sandbox_vtable sandbox = {
	.struct_size = sizeof(wsp_sandbox_vtable),
	.exec = rec_exec,
	.mount = rec_mount,
	.unmount = rec_unmount,
};

WSP_PLUGIN_DEFINE_SANDBOX_FS(WSP_KIND_SANDBOX, "mountrec", "0.1.0",
			     "test sandbox recording mounts",
			     WSP_CAP_SANDBOX_MOUNT, options, init, fini, NULL,
			     &sandbox, NULL, NULL, &mountrec_fs)
