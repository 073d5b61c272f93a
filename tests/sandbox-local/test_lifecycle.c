/*
 * tests/sandbox-local/test_lifecycle.c - start (created, then connected),
 * stop, destroy (files kept unless asked), status, info, instructions.
 */
#include "cu_main.h"
#include "local_box.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct fake_sandbox fs;

static int is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static uint32_t state(void)
{
	uint32_t s = 0;
	wsp_error err = { 0 };

	CU_ASSERT_EQUAL(
		fs.desc->sandbox->status(&s, fs.self, &fake_call, 0, &err), 0);
	return s;
}

static void test_start_stop_destroy(void)
{
	const char *const opts[] = { "isolation=none", NULL };
	const wsp_sandbox_vtable *sb;
	wsp_error err = { 0 };
	uint32_t outcome = 0;

	CU_ASSERT_EQUAL_FATAL(fake_open(&fs, opts, &err), 0);
	sb = fs.desc->sandbox;
	CU_ASSERT(is_dir(fs.workdir)); /* made at init: exec works at once */
	CU_ASSERT_FALSE(is_dir(fs.statedir));
	CU_ASSERT_EQUAL(state(), WSP_SANDBOX_ABSENT);

	CU_ASSERT_EQUAL(sb->start(&outcome, fs.self, &fake_call, 0, &err), 0);
	CU_ASSERT_EQUAL(outcome, WSP_START_CREATED);
	CU_ASSERT(is_dir(fs.statedir));
	CU_ASSERT_EQUAL(state(), WSP_SANDBOX_RUNNING);
	CU_ASSERT_EQUAL(sb->start(&outcome, fs.self, &fake_call, 0, &err), 0);
	CU_ASSERT_EQUAL(outcome, WSP_START_CONNECTED);

	CU_ASSERT_EQUAL(sb->stop(fs.self, &fake_call, 0, &err), 0);
	CU_ASSERT_EQUAL(state(), WSP_SANDBOX_STOPPED);
	CU_ASSERT_EQUAL(sb->start(&outcome, fs.self, &fake_call, 0, &err), 0);
	CU_ASSERT_EQUAL(outcome, WSP_START_CONNECTED);
	CU_ASSERT_EQUAL(state(), WSP_SANDBOX_RUNNING);

	fake_close(&fs);
}

/* Reopen the same directories under a second instance. */
static void test_reconnect_and_destroy(void)
{
	const wsp_sandbox_vtable *sb;
	wsp_error err = { 0 };
	uint32_t outcome = 0;
	char wd[420], sd[420], keep[440];
	const char *opts[] = { "isolation=none", wd, sd, NULL };
	char dir[] = "/tmp/wsp-local-life-XXXXXX";
	struct fake_sandbox second;
	FILE *f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(wd, sizeof(wd), "working_dir=%s/ws", dir);
	snprintf(sd, sizeof(sd), "state_dir=%s/state", dir);
	CU_ASSERT_EQUAL_FATAL(fake_open(&fs, opts, &err), 0);
	sb = fs.desc->sandbox;
	CU_ASSERT_EQUAL(sb->start(&outcome, fs.self, &fake_call, 0, &err), 0);
	CU_ASSERT_EQUAL(outcome, WSP_START_CREATED);
	snprintf(keep, sizeof(keep), "%s/ws/keep.txt", dir);
	f = fopen(keep, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fclose(f);

	CU_ASSERT_EQUAL_FATAL(fake_open(&second, opts, &err), 0);
	CU_ASSERT_EQUAL(second.desc->sandbox->start(&outcome, second.self,
						    &fake_call, 0, &err),
			0);
	CU_ASSERT_EQUAL(outcome, WSP_START_CONNECTED);

	/* destroy: state gone, files stay */
	CU_ASSERT_EQUAL(
		second.desc->sandbox->destroy(second.self, &fake_call, 0, &err),
		0);
	snprintf(sd, sizeof(sd), "%s/state", dir);
	CU_ASSERT_FALSE(is_dir(sd));
	CU_ASSERT_EQUAL(access(keep, F_OK), 0);
	CU_ASSERT_EQUAL(sb->start(&outcome, fs.self, &fake_call, 0, &err), 0);
	CU_ASSERT_EQUAL(outcome, WSP_START_CREATED);

	/* destroy with WSP_DESTROY_FILES: the working directory goes too */
	CU_ASSERT_EQUAL(
		sb->destroy(fs.self, &fake_call, WSP_DESTROY_FILES, &err), 0);
	CU_ASSERT_NOT_EQUAL(access(keep, F_OK), 0);
	snprintf(wd, sizeof(wd), "%s/ws", dir);
	CU_ASSERT_FALSE(is_dir(wd));
	/* exec without a working directory: a clear error; start fixes it */
	{
		wsp_exec_result res;

		CU_ASSERT_EQUAL(fake_sh(&fs, &res, "true", &err),
				WSP_ENOTFOUND);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "is gone"));
		CU_ASSERT_EQUAL(
			sb->start(&outcome, fs.self, &fake_call, 0, &err), 0);
		CU_ASSERT_EQUAL(fake_sh(&fs, &res, "true", &err), 0);
		CU_ASSERT_EQUAL(res.exit_code, 0);
		fake_result_release(&fs, &res);
	}
	fake_close(&second);
	fake_close(&fs);
	rmdir(dir);
}

struct kv_seen {
	char text[4096];
	int count;
};

static int collect(const char *key, const char *value, void *payload)
{
	struct kv_seen *s = payload;
	size_t n = strlen(s->text);

	snprintf(s->text + n, sizeof(s->text) - n, "%s=%s\n", key, value);
	s->count++;
	return 0;
}

static int sink(const void *data, size_t len, void *payload)
{
	struct kv_seen *s = payload;
	size_t n = strlen(s->text);

	if (n + len >= sizeof(s->text))
		return WSP_ETOOBIG;
	memcpy(s->text + n, data, len);
	s->text[n + len] = '\0';
	return 0;
}

static void test_info_and_instructions(void)
{
	const char *const opts[] = { "isolation=none", "timeout=45s",
				     "memory_limit=256MiB", NULL };
	struct kv_seen s = { "", 0 };
	wsp_error err = { 0 };
	char expect[1000];

	CU_ASSERT_EQUAL_FATAL(fake_open(&fs, opts, &err), 0);
	CU_ASSERT_EQUAL(fs.desc->sandbox->info(fs.self, &fake_call, 0, collect,
					       &s, &err),
			0);
	/* the documented keys first, in order */
	snprintf(expect, sizeof(expect), "id=dev-box\nprovider=local\n"
					 "state=absent\ncpus=");
	CU_ASSERT_NSTRING_EQUAL(s.text, expect, strlen(expect));
	CU_ASSERT_PTR_NOT_NULL(strstr(s.text, "\nmemory_bytes="));
	CU_ASSERT_PTR_NOT_NULL(strstr(s.text, "\nisolation=none\n"));
	snprintf(expect, sizeof(expect), "\nworking_dir=%s\nstate_dir=%s\n",
		 fs.workdir, fs.statedir);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.text, expect));
	CU_ASSERT_PTR_NOT_NULL(strstr(s.text, "\ntimeout_ms=45000\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s.text, "\nmemory_limit=268435456\n"));
	CU_ASSERT_PTR_NULL(strstr(s.text, "cpus=0\n"));

	s.text[0] = '\0';
	CU_ASSERT_EQUAL(fs.desc->sandbox->instructions(fs.self, &fake_call, 0,
						       sink, &s, &err),
			0);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.text, fs.workdir));
	CU_ASSERT_PTR_NOT_NULL(strstr(s.text, "unisolated"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s.text, "45000 ms"));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(s.text, "Limits per command process: memory 256 MiB.\n"));
	fake_close(&fs);

	/* isolated: the text says so */
	CU_ASSERT_FATAL(fake_have_bwrap());
	CU_ASSERT_EQUAL_FATAL(
		fake_open(&fs, (const char *const[]){ "isolation=bwrap", NULL },
			  &err),
		0);
	s.text[0] = '\0';
	CU_ASSERT_EQUAL(fs.desc->sandbox->instructions(fs.self, &fake_call, 0,
						       sink, &s, &err),
			0);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.text, "bubblewrap"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s.text, "no network"));
	fake_close(&fs);
}

static CU_TestInfo tests[] = {
	{ "start, stop, status", test_start_stop_destroy },
	{ "reconnect and destroy", test_reconnect_and_destroy },
	{ "info and instructions", test_info_and_instructions },
	CU_TEST_INFO_NULL,
};

CU_MAIN("sandbox-local lifecycle", tests)
