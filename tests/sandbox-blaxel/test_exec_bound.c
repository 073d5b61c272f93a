/*
 * tests/sandbox-blaxel/test_exec_bound.c - a foreground command's output
 * costs the client a fixed amount of memory, whatever its size (issue
 * 16): 16 MiB of stdout streamed to a callback with WSP_EXEC_NO_CAPTURE
 * against the Blaxel fake, every byte checked in order, while the peak
 * resident memory of this process (VmHWM) grows by less than a bound far
 * below the output. The fake's result event carries the whole output
 * twice (stdout and logs), so holding it, or the lines, in memory at any
 * point fails this. Its own process: VmHWM is this test's alone.
 */
#include "bl_env.h"
#include "cu_main.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SMALL_MIB 8
#define BIG_MIB 16
#define LINE "0123456789abcde\n" /* what `yes 0123456789abcde` prints */
#define GROWTH_LIMIT_KIB (12 * 1024)
/* what allocator noise may add between two runs */
#define SIZE_SLACK_KIB 2048

static struct box bx;

static int suite_init(void)
{
	wsp_error err = {0};

	if (fake_start())
		return -1;
	return box_open(&bx, "bound-box", NULL, 0, &err);
}

static int suite_clean(void)
{
	box_destroy(&bx);
	fake_env_stop();
	return 0;
}

/* Counts stdout and checks each byte against the repeated line. */
struct count {
	uint64_t out, errs, wrong;
};

static int counting(uint32_t stream, const void *data, size_t len,
		    void *payload)
{
	struct count *c = payload;
	const char *p = data;

	if (stream != WSP_STDOUT) {
		c->errs += len;
		return 0;
	}
	for (size_t i = 0; i < len; i++)
		if (p[i] != LINE[(c->out + i) % (sizeof(LINE) - 1)])
			c->wrong++;
	c->out += len;
	return 0;
}

/* Streams mib MiB of stdout; this process's VmHWM after it. */
static long stream_out(unsigned mib)
{
	wsp_exec_opts o = {.struct_size = sizeof(o)};
	wsp_exec_result r = {.struct_size = sizeof(r)};
	const wsp_host *h = wsp_fakehost_host(bx.fh);
	struct count c = {0};
	wsp_error err = {0};
	char cmd[96];
	int rc;

	snprintf(cmd, sizeof(cmd), "yes 0123456789abcde | head -c %u",
		 mib << 20);
	o.shell = cmd;
	o.flags = WSP_EXEC_NO_CAPTURE;
	o.on_output = counting;
	o.payload = &c;
	o.timeout_ms = 100000;
	rc = bx.d->sandbox->exec(&r, bx.self, box_call(&bx, 100000), &o, &err);
	if (rc)
		fprintf(stderr, "exec: %s\n", err.message);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(r.exit_code, 0);
	/* every byte once, in order, none kept */
	CU_ASSERT_EQUAL(c.out, (uint64_t)mib << 20);
	CU_ASSERT_EQUAL(c.wrong, 0);
	CU_ASSERT_EQUAL(c.errs, 0);
	CU_ASSERT_EQUAL(r.stdout_len, 0);
	h->free(h, r.stdout_data);
	h->free(h, r.stderr_data);
	return vm_hwm_kib();
}

static void test_fixed_memory(void)
{
	long before, small, big;

	/*
	 * A first exec with no output loads what any exec needs once: libcurl
	 * (loaded on the first HTTP call, core/host/curl_lazy.c) and its libraries,
	 * the streaming engine's thread and its connection. The bound is on
	 * what output costs, measured from there.
	 */
	stream_out(0);
	before = vm_hwm_kib();
	CU_ASSERT_FATAL(before > 0);
	small = stream_out(SMALL_MIB);
	big = stream_out(BIG_MIB);
	fprintf(stderr, "VmHWM %ld KiB before, %ld after %d MiB, %ld after "
			"%d MiB\n",
		before, small, SMALL_MIB, big, BIG_MIB);
	/* far below the output, and not one byte more for twice as much */
	CU_ASSERT(small - before < GROWTH_LIMIT_KIB);
	CU_ASSERT(big - small < SIZE_SLACK_KIB);
}

static CU_TestInfo tests[] = {
	{"8 and 16 MiB of stdout in the same fixed memory", test_fixed_memory},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("sandbox-blaxel exec bound", suite_init, suite_clean, tests)
