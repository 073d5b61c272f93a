/*
 * bench/remote_sandbox/bench_remote.c - one workload of the remote
 * sandbox benchmark through libwsp's embedding API, as an agent host
 * embeds it: open the workspace of CONFIG, reconnect to its sandbox (the
 * run script created it), run WORKLOAD, check what came back. run.sh
 * times this process beside the vendor's SDK doing the same.
 *
 *   bench_remote_sandbox CONFIG exec100    100 sequential `true`
 *   bench_remote_sandbox CONFIG stdout10m  one command printing 10 MiB
 *   bench_remote_sandbox CONFIG procs50    50 background processes at
 *                                          once, 1000 lines each, all
 *                                          waited for, read and released
 *
 * Exits 0 when every result was right, 1 with a line on stderr if not.
 */
#include <wsp/exec.h>
#include <wsp/process.h>
#include <wsp/wsp.h>

#include <stdio.h>
#include <string.h>

#define STDOUT_BYTES (10u << 20)
#define N_PROCS 50
#define PROC_LINES 1000

static int fail(const char *what, const wsp_error *err)
{
	fprintf(stderr, "bench_remote_sandbox: %s: %s\n", what,
		err && err->message[0] ? err->message : "wrong result");
	return 1;
}

static int exec100(wsp_workspace *ws)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result r = {.struct_size = sizeof(r)};
	wsp_error err = {0};
	int i;

	o.shell = "true";
	for (i = 0; i < 100; i++) {
		if (wsp_sandbox_exec(&r, ws, NULL, &o, &err))
			return fail("exec true", &err);
		if (r.exit_code != 0)
			return fail("exec true: exit code", NULL);
		wsp_exec_result_release(ws, &r);
	}
	return 0;
}

static int count(uint32_t stream, const void *data, size_t len, void *payload)
{
	(void)data;
	if (stream == WSP_STDOUT)
		*(size_t *)payload += len;
	return 0;
}

static int stdout10m(wsp_workspace *ws)
{
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result r = {.struct_size = sizeof(r)};
	wsp_error err = {0};
	size_t got = 0;

	/* streamed to the callback, nothing kept: the client holds no copy */
	/* 16-byte lines: vendors' logs carry neither NUL bytes (JSON) nor
	 * lines longer than 64 KiB unsplit (Blaxel's line scanner) */
	o.shell = "yes 0123456789abcde | head -c 10485760";
	o.flags = WSP_EXEC_NO_CAPTURE;
	o.on_output = count;
	o.payload = &got;
	o.timeout_ms = 300000;
	if (wsp_sandbox_exec(&r, ws, NULL, &o, &err))
		return fail("exec head -c 10 MiB", &err);
	wsp_exec_result_release(ws, &r);
	if (r.exit_code != 0 || got != STDOUT_BYTES) {
		fprintf(stderr, "bench_remote_sandbox: exit code %d, %zu bytes "
				"of stdout\n", r.exit_code, got);
		return fail("10 MiB of stdout", NULL);
	}
	return 0;
}

static int procs50(wsp_workspace *ws)
{
	char ids[N_PROCS][WSP_PROC_ID_MAX];
	wsp_spawn_opts o = WSP_SPAWN_OPTS_INIT;
	wsp_proc_status st = {.struct_size = sizeof(st)};
	wsp_error err = {0};
	size_t got;
	int i;

	o.shell = "seq 1 1000";
	o.stdin_mode = WSP_STDIN_IGNORE;
	for (i = 0; i < N_PROCS; i++)
		if (wsp_proc_spawn(ids[i], ws, NULL, &o, &err))
			return fail("spawn", &err);
	for (i = 0; i < N_PROCS; i++) {
		if (wsp_proc_wait(&st, ws, NULL, ids[i], 120000, &err))
			return fail("wait", &err);
		got = 0;
		if (wsp_proc_read_output(&st, ws, NULL, ids[i], NULL, count,
					 &got, &err))
			return fail("read output", &err);
		/* "1\n" .. "1000\n": 9*2 + 90*3 + 900*4 + 5 bytes */
		if (st.exit_code != 0 || got != 3893)
			return fail("a process's output", NULL);
		if (wsp_proc_release(ws, NULL, ids[i], &err))
			return fail("release", &err);
	}
	return 0;
}

int main(int argc, char **argv)
{
	wsp_open_opts oo = WSP_OPEN_OPTS_INIT;
	wsp_workspace *ws = NULL;
	wsp_error err = {0};
	uint32_t outcome;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: bench_remote_sandbox CONFIG "
				"exec100|stdout10m|procs50\n");
		return 2;
	}
	oo.config_path = argv[1];
	if (wsp_workspace_open(&ws, &oo, &err))
		return fail("open the workspace", &err);
	if (wsp_sandbox_start(&outcome, ws, NULL, &err)) {
		wsp_workspace_close(ws);
		return fail("start (reconnect)", &err);
	}
	if (!strcmp(argv[2], "exec100"))
		rc = exec100(ws);
	else if (!strcmp(argv[2], "stdout10m"))
		rc = stdout10m(ws);
	else if (!strcmp(argv[2], "procs50"))
		rc = procs50(ws);
	else
		rc = fail("unknown workload", NULL);
	wsp_workspace_close(ws);
	return rc;
}
