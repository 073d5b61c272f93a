/*
 * tests/sandbox-local-procs/procs_util.c - see procs_util.h.
 */
#include "procs_util.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cu_main.h"
#include "subreaper.h"

/* The call the direct slot calls below get: no cancel, no deadline. */
static const wsp_call no_call = {sizeof(wsp_call), 0, NULL, 0};

static int run_suite(const char *suite, CU_TestInfo *tests)
{
	CU_SuiteInfo suites[] = {{suite, NULL, NULL, NULL, NULL, tests},
				 CU_SUITE_INFO_NULL};

	/*
	 * SIGPIPE keeps its default action, as in a host that never touched
	 * it: the plugin writes to FIFOs and pipes whose reader may be gone
	 * (a monitor ending, a command not reading stdin) and must turn that
	 * into EPIPE itself instead of killing the program that loaded it.
	 */
	signal(SIGPIPE, SIG_DFL);
	return cu_run_suites(suites);
}

int procs_main(const char *suite, CU_TestInfo *tests)
{
	pid_t runner = subreaper_fork();

	if (runner < 0)
		return 2;
	if (runner == 0)
		_exit(run_suite(suite, tests));
	return subreaper_wait(runner, 3);
}

int collect_sink(uint32_t stream, const void *data, size_t len, void *payload)
{
	struct collected *c = payload;
	char *p;

	if (stream != WSP_STDOUT && stream != WSP_STDERR) {
		c->bad_stream = 1;
		return 0;
	}
	p = realloc(c->data[stream], c->len[stream] + len + 1);
	if (!p)
		return WSP_ENOMEM;
	memcpy(p + c->len[stream], data, len);
	c->len[stream] += len;
	p[c->len[stream]] = '\0';
	c->data[stream] = p;
	c->chunks++;
	return 0;
}

void collected_free(struct collected *c)
{
	free(c->data[WSP_STDOUT]);
	free(c->data[WSP_STDERR]);
	memset(c, 0, sizeof(*c));
}

int spawn_sh(const wsp_plugin_desc *d, void *self, char id[WSP_PROC_ID_MAX],
	     const char *sh, uint32_t stdin_mode, wsp_error *err)
{
	wsp_spawn_opts o = WSP_SPAWN_OPTS_INIT;

	o.shell = sh;
	o.stdin_mode = stdin_mode;
	return d->procmgr->spawn(id, self, &no_call, &o, err);
}

int read_all(const wsp_plugin_desc *d, void *self, const char *id,
	     int64_t wait_ms, struct collected *c, wsp_proc_status *st)
{
	wsp_output_opts o = WSP_OUTPUT_OPTS_INIT;
	wsp_error err;

	o.streams = WSP_STDOUT | WSP_STDERR; /* as the core fills it in */
	o.wait_ms = wait_ms;
	memset(c, 0, sizeof(*c));
	st->struct_size = sizeof(*st);
	return d->procmgr->read_output(st, self, &no_call, id, &o, collect_sink,
				       c, &err);
}

int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own descriptor */
}

int count_zombie_children(void)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t self = getpid(), parent;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		pid_t pid = (pid_t)atoi(de->d_name);

		parent = 0;
		if (pid > 0 && test_proc_state(pid, &parent) == 'Z' &&
		    parent == self)
			n++;
	}
	closedir(d);
	return n;
}

int pid_gone_within(pid_t pid, int ms)
{
	int waited;

	for (waited = 0; waited <= ms; waited += 10) {
		char st = test_proc_state(pid, NULL);

		if (st == 0 || st == 'Z' || st == 'X')
			return 1;
		usleep(10000);
	}
	return 0;
}
