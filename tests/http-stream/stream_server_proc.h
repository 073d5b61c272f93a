/*
 * tests/http-stream/stream_server_proc.h - start and stop stream_server
 * (stream_server.c) as a child process; shared by the engine's tests and
 * bench/http_stream.
 */
#ifndef WSP_TEST_STREAM_SERVER_PROC_H
#define WSP_TEST_STREAM_SERVER_PROC_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

struct stream_server_proc {
	pid_t pid;
	int port;
};

/* Run the server at path; 0 once it listens, -1 on failure. */
static inline int stream_server_proc_start(struct stream_server_proc *p,
					   const char *path)
{
	int fds[2];
	char line[32];
	FILE *f;

	p->pid = -1;
	p->port = 0;
	if (pipe(fds))
		return -1;
	p->pid = fork();
	if (p->pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (p->pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	f = fdopen(fds[0], "r");
	if (f && fgets(line, sizeof(line), f))
		p->port = atoi(line);
	if (f)
		fclose(f);
	else
		close(fds[0]);
	if (p->port <= 0) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
		p->pid = -1;
		return -1;
	}
	return 0;
}

static inline void stream_server_proc_stop(struct stream_server_proc *p)
{
	if (p->pid <= 0)
		return;
	kill(p->pid, SIGKILL);
	waitpid(p->pid, NULL, 0);
	p->pid = -1;
}

#endif
