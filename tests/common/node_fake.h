/*
 * tests/common/node_fake.h - a vendor's fake server (a Node script under
 * tests/<vendor>/) run as a child of a C test.
 *
 * Every fake speaks the same small protocol with its test: it binds an
 * ephemeral port on 127.0.0.1, prints `listening 127.0.0.1:PORT` as its
 * first line on stdout, and exits when its stdin reaches end of file.
 * The child gets its own temporary directory as TMPDIR (where fakes that
 * run commands keep their sandboxes) and dies with the test
 * (PR_SET_PDEATHSIG) if the test is killed before it can stop it.
 */
#ifndef WSP_TEST_NODE_FAKE_H
#define WSP_TEST_NODE_FAKE_H

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct node_fake {
	pid_t pid;
	int stdin_fd;  /* closing it tells the fake to exit */
	FILE *stdout_f;	/* kept open: a fake may print more later */
	int port;
	char dir[256]; /* its TMPDIR; removed by node_fake_stop */
};

/*
 * Create the fake's temporary directory, $TMPDIR/TAG-XXXXXX, before it
 * starts (a test that writes files the fake reads at start-up calls this
 * first); node_fake_start creates it when it does not exist yet.
 */
static inline int node_fake_tmpdir(struct node_fake *nf, const char *tag)
{
	const char *base = getenv("TMPDIR");

	if (nf->dir[0])
		return 0;
	snprintf(nf->dir, sizeof(nf->dir), "%s/%s-XXXXXX",
		 base ? base : "/tmp", tag);
	if (!mkdtemp(nf->dir)) {
		nf->dir[0] = '\0';
		return -1;
	}
	return 0;
}

/*
 * Run `node SCRIPT ARGS...` (argv: the script, then its arguments, NULL
 * at the end) and wait for its `listening` line; 0 with nf->port set, or
 * -1 with a line on stderr. node is WSP_TEST_NODE, which the suite's
 * CMakeLists.txt defines.
 */
static inline int node_fake_start(struct node_fake *nf, const char *tag,
				  const char *const *argv)
{
	const char *args[40] = {WSP_TEST_NODE};
	char line[128];
	int in[2], out[2], n = 1;

	nf->pid = 0;
	nf->stdin_fd = -1;
	nf->stdout_f = NULL;
	while (argv && *argv && n < 39)
		args[n++] = *argv++;
	args[n] = NULL;
	if (node_fake_tmpdir(nf, tag) || pipe2(in, O_CLOEXEC))
		return -1;
	if (pipe2(out, O_CLOEXEC)) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	nf->pid = fork();
	if (nf->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(in[0], 0);
		dup2(out[1], 1);
		setenv("TMPDIR", nf->dir, 1);
		execv(args[0], (char *const *)args);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	nf->stdin_fd = in[1];
	nf->stdout_f = nf->pid > 0 ? fdopen(out[0], "r") : NULL;
	if (!nf->stdout_f) {
		close(out[0]);
		fprintf(stderr, "cannot start %s\n", args[1]);
		return -1;
	}
	if (!fgets(line, sizeof(line), nf->stdout_f) ||
	    sscanf(line, "listening 127.0.0.1:%d", &nf->port) != 1) {
		fprintf(stderr, "%s %s did not start: its first line was "
				"not 'listening 127.0.0.1:PORT'\n",
			args[0], args[1]);
		return -1;
	}
	return 0;
}

/*
 * Tell the fake to exit (end of file on its stdin), wait up to five
 * seconds, kill it if it is still there, and remove its directory.
 * Harmless on a fake that never started.
 */
static inline void node_fake_stop(struct node_fake *nf)
{
	struct timespec tick = {0, 20 * 1000000L};
	char cmd[300];
	int status, i;

	if (nf->stdin_fd >= 0)
		close(nf->stdin_fd);
	nf->stdin_fd = -1;
	for (i = 0; nf->pid > 0 && i < 250; i++) {
		if (waitpid(nf->pid, &status, WNOHANG) == nf->pid)
			nf->pid = 0;
		else
			nanosleep(&tick, NULL);
	}
	if (nf->pid > 0) {
		fprintf(stderr, "fake server %d did not exit: killed\n",
			(int)nf->pid);
		kill(nf->pid, SIGKILL);
		waitpid(nf->pid, &status, 0);
	}
	nf->pid = 0;
	if (nf->stdout_f)
		fclose(nf->stdout_f);
	nf->stdout_f = NULL;
	if (nf->dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", nf->dir);
		if (system(cmd))
			fprintf(stderr, "could not remove %s\n", nf->dir);
	}
	nf->dir[0] = '\0';
}

#endif
