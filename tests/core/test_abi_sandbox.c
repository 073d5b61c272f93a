/*
 * tests/core/test_abi_sandbox.c - the boundary rule for the sandbox's
 * structs (core/abi_normalize_sandbox.c): a caller's struct that is short
 * (an older header), full, or newer (bytes past ours) becomes the
 * full-size struct with defaults that <wsp/sandbox.h> promises providers;
 * results go back only as far as the caller's struct reaches.
 */
#include "abi_normalize.h"
#include "testutil.h"

#include <stddef.h>
#include <string.h>

#define END_OF(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))

/* A caller built against a newer header: our struct plus more bytes. */
#define NEWER(type)                   \
	struct {                      \
		type s;               \
		unsigned char more[24]; \
	}

/* Whether a NEWER struct's extra bytes still hold the 0xab it was
 * filled with: nothing was written past ours. */
static int untouched(const unsigned char *more, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (more[i] != 0xab)
			return 0;
	return 1;
}

static const char *const argv_true[] = {"true", NULL};

static void test_exec_opts(void)
{
	NEWER(wsp_exec_opts) newer;
	wsp_exec_opts full = WSP_EXEC_OPTS_INIT, dst, shortish;
	wsp_error err = {0};

	/* Full: copied as is; zero timeout stays 0 (the configured one). */
	full.shell = "echo hi";
	full.max_capture = 10;
	full.timeout_ms = 250;
	CU_ASSERT_EQUAL(wsp__exec_opts_normalize(&dst, &full, &err), 0);
	CU_ASSERT_EQUAL(dst.struct_size, sizeof(dst));
	CU_ASSERT_STRING_EQUAL(dst.shell, "echo hi");
	CU_ASSERT_EQUAL(dst.timeout_ms, 250);
	CU_ASSERT_EQUAL(dst.max_capture, 10);

	/* Short: ends after argv; what it predates is zero (default). */
	memset(&shortish, 0x5a, sizeof(shortish));
	shortish.struct_size = END_OF(wsp_exec_opts, argv);
	shortish.flags = 0;
	shortish.shell = NULL;
	shortish.argv = argv_true;
	CU_ASSERT_EQUAL(wsp__exec_opts_normalize(&dst, &shortish, &err), 0);
	CU_ASSERT_EQUAL(dst.struct_size, sizeof(dst));
	CU_ASSERT_PTR_EQUAL(dst.argv, argv_true);
	CU_ASSERT_PTR_NULL(dst.cwd);
	CU_ASSERT_PTR_NULL(dst.env);
	CU_ASSERT_PTR_NULL(dst.on_output);
	CU_ASSERT_EQUAL(dst.timeout_ms, 0);
	CU_ASSERT_EQUAL(dst.stdin_len, 0);

	/* Newer: the bytes past ours (garbage to us) are ignored. */
	memset(&newer, 0xee, sizeof(newer));
	newer.s = full;
	newer.s.struct_size = sizeof(newer);
	CU_ASSERT_EQUAL(wsp__exec_opts_normalize(&dst, &newer.s, &err), 0);
	CU_ASSERT_EQUAL(dst.struct_size, sizeof(dst));
	CU_ASSERT_EQUAL(dst.timeout_ms, 250);

	/* Too short to hold the command, or none at all: refused. */
	shortish.struct_size = END_OF(wsp_exec_opts, shell);
	CU_ASSERT_EQUAL(wsp__exec_opts_normalize(&dst, &shortish, &err),
			WSP_EINVAL);
	TU_ASSERT_CONTAINS(err.message, "struct_size");
	CU_ASSERT_EQUAL(wsp__exec_opts_normalize(&dst, NULL, &err),
			WSP_EINVAL);
	full.shell = NULL;
	CU_ASSERT_EQUAL(wsp__exec_opts_normalize(&dst, &full, &err),
			WSP_EINVAL);
	TU_ASSERT_CONTAINS(err.message, "no command");
	full.shell = "true";

	/* "No timeout" is a flag; the old sentinels are refused. */
	full.flags = WSP_EXEC_NO_TIMEOUT;
	full.timeout_ms = 99;
	CU_ASSERT_EQUAL(wsp__exec_opts_normalize(&dst, &full, &err), 0);
	CU_ASSERT_EQUAL(dst.timeout_ms, 0);
	CU_ASSERT_EQUAL(dst.flags, WSP_EXEC_NO_TIMEOUT);
	full.flags = 0;
	full.timeout_ms = -1;
	CU_ASSERT_EQUAL(wsp__exec_opts_normalize(&dst, &full, &err),
			WSP_EINVAL);
	TU_ASSERT_CONTAINS(err.message, "WSP_EXEC_NO_TIMEOUT");
	full.timeout_ms = 0;
	full.flags = 1u << 30;
	CU_ASSERT_EQUAL(wsp__exec_opts_normalize(&dst, &full, &err),
			WSP_EINVAL);
	full.flags = 0;
	full.stdin_len = 3;
	CU_ASSERT_EQUAL(wsp__exec_opts_normalize(&dst, &full, &err),
			WSP_EINVAL);
}

static void test_spawn_opts(void)
{
	NEWER(wsp_spawn_opts) newer;
	wsp_spawn_opts full = WSP_SPAWN_OPTS_INIT, dst, shortish;
	wsp_error err = {0};

	full.shell = "sleep 1";
	full.stdin_mode = WSP_STDIN_IGNORE;
	full.timeout_ms = 5000;
	full.reserved = 7;
	CU_ASSERT_EQUAL(wsp__spawn_opts_normalize(&dst, &full, &err), 0);
	CU_ASSERT_EQUAL(dst.struct_size, sizeof(dst));
	CU_ASSERT_EQUAL(dst.stdin_mode, WSP_STDIN_IGNORE);
	CU_ASSERT_EQUAL(dst.timeout_ms, 5000);
	CU_ASSERT_EQUAL(dst.reserved, 0);

	memset(&shortish, 0x5a, sizeof(shortish));
	shortish.struct_size = END_OF(wsp_spawn_opts, argv);
	shortish.stdin_mode = WSP_STDIN_PIPE;
	shortish.shell = NULL;
	shortish.argv = argv_true;
	CU_ASSERT_EQUAL(wsp__spawn_opts_normalize(&dst, &shortish, &err), 0);
	CU_ASSERT_PTR_NULL(dst.cwd);
	CU_ASSERT_EQUAL(dst.timeout_ms, 0);
	CU_ASSERT_EQUAL(dst.log_limit, 0);
	CU_ASSERT_EQUAL(dst.flags, 0);

	memset(&newer, 0xee, sizeof(newer));
	newer.s = full;
	newer.s.struct_size = sizeof(newer);
	CU_ASSERT_EQUAL(wsp__spawn_opts_normalize(&dst, &newer.s, &err), 0);
	CU_ASSERT_EQUAL(dst.struct_size, sizeof(dst));
	CU_ASSERT_EQUAL(dst.timeout_ms, 5000);

	full.flags = WSP_SPAWN_NO_TIMEOUT;
	CU_ASSERT_EQUAL(wsp__spawn_opts_normalize(&dst, &full, &err), 0);
	CU_ASSERT_EQUAL(dst.timeout_ms, 0);
	full.flags = 0;
	full.timeout_ms = -1;
	CU_ASSERT_EQUAL(wsp__spawn_opts_normalize(&dst, &full, &err),
			WSP_EINVAL);
	full.timeout_ms = 0;
	full.stdin_mode = 9;
	CU_ASSERT_EQUAL(wsp__spawn_opts_normalize(&dst, &full, &err),
			WSP_EINVAL);
	shortish.struct_size = 4;
	CU_ASSERT_EQUAL(wsp__spawn_opts_normalize(&dst, &shortish, &err),
			WSP_EINVAL);
}

static void test_output_opts(void)
{
	NEWER(wsp_output_opts) newer;
	wsp_output_opts full = WSP_OUTPUT_OPTS_INIT, dst, shortish;
	wsp_error err = {0};

	/* None given: everything of both streams, no wait. */
	CU_ASSERT_EQUAL(wsp__output_opts_normalize(&dst, NULL, &err), 0);
	CU_ASSERT_EQUAL(dst.struct_size, sizeof(dst));
	CU_ASSERT_EQUAL(dst.streams, WSP_STDOUT | WSP_STDERR);
	CU_ASSERT_EQUAL(dst.wait_ms, 0);

	full.streams = WSP_STDERR;
	full.tail_bytes = 9;
	full.wait_ms = -1;
	CU_ASSERT_EQUAL(wsp__output_opts_normalize(&dst, &full, &err), 0);
	CU_ASSERT_EQUAL(dst.streams, WSP_STDERR);
	CU_ASSERT_EQUAL(dst.tail_bytes, 9);
	CU_ASSERT_EQUAL(dst.wait_ms, -1);

	/* Short: only up to offset; the tail and wait it predates are 0. */
	memset(&shortish, 0x5a, sizeof(shortish));
	shortish.struct_size = END_OF(wsp_output_opts, offset);
	shortish.streams = 0;
	shortish.offset = 42;
	CU_ASSERT_EQUAL(wsp__output_opts_normalize(&dst, &shortish, &err), 0);
	CU_ASSERT_EQUAL(dst.streams, WSP_STDOUT | WSP_STDERR);
	CU_ASSERT_EQUAL(dst.offset, 42);
	/* One offset for both: the provider reads stderr's from its field. */
	CU_ASSERT_EQUAL(dst.stderr_offset, 42);
	CU_ASSERT_EQUAL(dst.flags, 0);
	CU_ASSERT_EQUAL(dst.tail_lines, 0);
	CU_ASSERT_EQUAL(dst.tail_bytes, 0);
	CU_ASSERT_EQUAL(dst.wait_ms, 0);

	memset(&newer, 0xee, sizeof(newer));
	newer.s = full;
	newer.s.struct_size = sizeof(newer);
	CU_ASSERT_EQUAL(wsp__output_opts_normalize(&dst, &newer.s, &err), 0);
	CU_ASSERT_EQUAL(dst.struct_size, sizeof(dst));
	CU_ASSERT_EQUAL(dst.tail_bytes, 9);

	full.streams = 4;
	CU_ASSERT_EQUAL(wsp__output_opts_normalize(&dst, &full, &err),
			WSP_EINVAL);
	full.streams = 0;
	full.wait_ms = -2;
	CU_ASSERT_EQUAL(wsp__output_opts_normalize(&dst, &full, &err),
			WSP_EINVAL);
	full.wait_ms = 0;

	/* Each stream from its own offset, kept as given. */
	full.flags = WSP_OUTPUT_FOLLOW | WSP_OUTPUT_STREAM_OFFSETS;
	full.offset = 7;
	full.stderr_offset = 3;
	CU_ASSERT_EQUAL(wsp__output_opts_normalize(&dst, &full, &err), 0);
	CU_ASSERT_EQUAL(dst.flags, WSP_OUTPUT_FOLLOW | WSP_OUTPUT_STREAM_OFFSETS);
	CU_ASSERT_EQUAL(dst.offset, 7);
	CU_ASSERT_EQUAL(dst.stderr_offset, 3);
	/* Without the flag a stale stderr_offset does not ride along. */
	full.flags = 0;
	CU_ASSERT_EQUAL(wsp__output_opts_normalize(&dst, &full, &err), 0);
	CU_ASSERT_EQUAL(dst.stderr_offset, 7);
	/* Unknown flags, and a follow with its own wait, are refused. */
	full.flags = 1u << 9;
	CU_ASSERT_EQUAL(wsp__output_opts_normalize(&dst, &full, &err),
			WSP_EINVAL);
	full.flags = WSP_OUTPUT_FOLLOW;
	full.wait_ms = 5;
	CU_ASSERT_EQUAL(wsp__output_opts_normalize(&dst, &full, &err),
			WSP_EINVAL);
	full.flags = 0;
	full.wait_ms = 0;
	full.struct_size = 0;
	CU_ASSERT_EQUAL(wsp__output_opts_normalize(&dst, &full, &err),
			WSP_EINVAL);
}

static void test_exec_result(void)
{
	NEWER(wsp_exec_result) newer;
	wsp_exec_result full, shortish;
	wsp_error err = {0};

	/* Newer: filled as far as ours reaches, nothing written past it. */
	memset(&newer, 0xab, sizeof(newer));
	newer.s.struct_size = sizeof(newer);
	CU_ASSERT_EQUAL(wsp__exec_result_begin(&full, &newer.s, &err), 0);
	CU_ASSERT_EQUAL(full.struct_size, sizeof(full));
	CU_ASSERT_PTR_NULL(full.stdout_data);
	CU_ASSERT_PTR_NULL(newer.s.stdout_data); /* cleared for a failure */
	full.exit_code = 3;
	full.stdout_len = 5;
	wsp__exec_result_end(&newer.s, &full);
	CU_ASSERT_EQUAL(newer.s.struct_size, sizeof(newer));
	CU_ASSERT_EQUAL(newer.s.exit_code, 3);
	CU_ASSERT_EQUAL(newer.s.stdout_len, 5);
	CU_ASSERT(untouched(newer.more, sizeof(newer.more)));

	/* Full: the same, exactly. */
	memset(&shortish, 0, sizeof(shortish));
	shortish.struct_size = sizeof(shortish);
	CU_ASSERT_EQUAL(wsp__exec_result_begin(&full, &shortish, &err), 0);
	full.duration_ms = 12;
	wsp__exec_result_end(&shortish, &full);
	CU_ASSERT_EQUAL(shortish.duration_ms, 12);

	/* Short: no room for stderr's buffer, which would leak: refused. */
	shortish.struct_size = END_OF(wsp_exec_result, stderr_data);
	CU_ASSERT_EQUAL(wsp__exec_result_begin(&full, &shortish, &err),
			WSP_EINVAL);
	CU_ASSERT_EQUAL(wsp__exec_result_begin(&full, NULL, &err), WSP_EINVAL);
}

static void test_proc_status(void)
{
	NEWER(wsp_proc_status) newer;
	wsp_proc_status full, shortish;
	wsp_error err = {0};

	/* Short: the state and codes only; nothing written past them. */
	memset(&newer, 0xab, sizeof(newer));
	shortish = newer.s;
	shortish.struct_size = END_OF(wsp_proc_status, term_signal);
	CU_ASSERT_EQUAL(wsp__proc_status_begin(&full, &shortish, &err), 0);
	CU_ASSERT_EQUAL(full.struct_size, sizeof(full));
	full.state = WSP_PROC_EXITED;
	full.exit_code = 4;
	full.os_pid = 1234;
	wsp__proc_status_end(&shortish, &full);
	CU_ASSERT_EQUAL(shortish.struct_size,
			END_OF(wsp_proc_status, term_signal));
	CU_ASSERT_EQUAL(shortish.state, WSP_PROC_EXITED);
	CU_ASSERT_EQUAL(shortish.exit_code, 4);
	CU_ASSERT_NOT_EQUAL(shortish.os_pid, 1234);

	/* Newer: ours in full, its extra bytes untouched. */
	newer.s.struct_size = sizeof(newer);
	CU_ASSERT_EQUAL(wsp__proc_status_begin(&full, &newer.s, &err), 0);
	full.state = WSP_PROC_RUNNING;
	full.stdin_open = 1;
	wsp__proc_status_end(&newer.s, &full);
	CU_ASSERT_EQUAL(newer.s.struct_size, sizeof(newer));
	CU_ASSERT_EQUAL(newer.s.stdin_open, 1);
	CU_ASSERT_EQUAL(newer.s.os_pid, 0);
	CU_ASSERT(untouched(newer.more, sizeof(newer.more)));

	/* Full. */
	memset(&shortish, 0, sizeof(shortish));
	shortish.struct_size = sizeof(shortish);
	CU_ASSERT_EQUAL(wsp__proc_status_begin(&full, &shortish, &err), 0);
	full.ended_ms = 77;
	wsp__proc_status_end(&shortish, &full);
	CU_ASSERT_EQUAL(shortish.ended_ms, 77);

	shortish.struct_size = END_OF(wsp_proc_status, exit_code);
	CU_ASSERT_EQUAL(wsp__proc_status_begin(&full, &shortish, &err),
			WSP_EINVAL);
}

static CU_TestInfo tests[] = {
	{"exec options", test_exec_opts},
	{"spawn options", test_spawn_opts},
	{"output options", test_output_opts},
	{"exec result", test_exec_result},
	{"process status", test_proc_status},
	CU_TEST_INFO_NULL,
};

int main(void)
{
	return tu_main("core_abi_sandbox", tests);
}
