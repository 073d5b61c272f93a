/*
 * tests/fuzz/fuzz_envframe.c - the frames between the host and an
 * isolated sandbox's agent (plugins/sandbox-local/env_proto.h) on
 * arbitrary bytes, from either side: each side reads what the other
 * wrote as untrusted (the agent shares its environment with the sandbox's
 * own code).
 *
 * The input is written whole into one end of a stream socket pair and
 * read back as frames until the stream ends or a frame is refused. A RUN
 * that decodes must encode and decode again to the same command (cwd,
 * argv, envp, limits); an EXIT that decodes must be a wait status the
 * host can take apart (exited with a code, or killed by a signal).
 *
 * The codec lives in the plugin (and the agent), which link nothing of
 * the core, so its source file is compiled in here.
 */
#include "../../plugins/sandbox-local/env_proto.c"

#include <assert.h>
#include <sys/wait.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INPUT_MAX (96 * 1024) /* below a socket pair's buffer */

static void same_strv(char **a, char **b)
{
	size_t i;

	for (i = 0; a[i] || b[i]; i++) {
		assert(a[i] && b[i]);
		assert(!strcmp(a[i], b[i]));
	}
}

static void check_run(struct env_frame *f)
{
	struct env_run run, again;
	char *buf = NULL;
	size_t len = 0;
	int i;

	if (env_run_decode(&run, f->data, f->len) < 0)
		return;
	assert(run.cwd[0] == '/' && run.argv[0] && run.argv[0][0]);
	assert(env_run_encode(&run, &buf, &len) == 0);
	assert(len == f->len && !memcmp(buf, f->data, len));
	assert(env_run_decode(&again, buf, len) == 0);
	assert(!strcmp(run.cwd, again.cwd));
	same_strv(run.argv, again.argv);
	same_strv(run.envp, again.envp);
	for (i = 0; i < ENV_LIMITS; i++)
		assert(run.soft[i] == again.soft[i] &&
		       run.hard[i] == again.hard[i] &&
		       run.soft[i] <= run.hard[i]);
	env_run_free(&again);
	env_run_free(&run);
	free(buf);
}

static void check_exit(struct env_frame *f)
{
	struct env_exit x;

	if (env_exit_decode(&x, f->data, f->len) < 0)
		return;
	assert(WIFEXITED(x.status) || WIFSIGNALED(x.status));
	if (WIFSIGNALED(x.status))
		assert(WTERMSIG(x.status) > 0 && WTERMSIG(x.status) < 127);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct env_frame f;
	int sv[2], frames = 0;

	if (size > INPUT_MAX)
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return 0;
	if (size && write(sv[0], data, size) != (ssize_t)size) {
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	close(sv[0]); /* the reader then sees the end of the stream */
	while (frames++ < 1000 && env_recv(sv[1], &f) == 0) {
		assert(f.len <= ENV_FRAME_MAX && f.data[f.len] == '\0');
		assert(f.type >= ENV_RUN && f.type <= ENV_PORT);
		assert(f.nfds == 0);
		if (f.type == ENV_RUN)
			check_run(&f);
		else if (f.type == ENV_EXIT)
			check_exit(&f);
		env_frame_free(&f);
	}
	close(sv[1]);
	return 0;
}
