/*
 * tests/cli/test_cli_values.c - the CLI reads durations and sizes with
 * the configuration's grammar (issue 19, item 1): every case of
 * tests/common/value_cases.h, the table tests/core/test_config.c runs
 * through the core's parser, is accepted or refused the same way by
 * `wsp sh --timeout` and `wsp spawn --log-limit`, and a decimal means
 * what it says.
 */
#include "cli_run.h"
#include "value_cases.h"

#include <stdio.h>
#include <string.h>
#include "test_wait.h"

/* The local sandbox's largest log limit (plugins/sandbox-local). */
#define LOCAL_LOG_LIMIT_MAX (UINT64_C(1) << 30)

static void test_timeout_grammar(void)
{
	const struct value_case *c;
	long long t0;
	size_t i;
	int rc;

	for (i = 0; i < VALUE_CASES_N(duration_cases); i++) {
		c = &duration_cases[i];
		rc = cli_run("sh --timeout '%s' true", c->text);
		/* exec-like commands fail with 125 of their own; `true`
		 * may take longer than a few milliseconds (124), never
		 * longer than a second */
		if (!c->ok) {
			CU_ASSERT_EQUAL(rc, 125);
			CU_ASSERT_PTR_NOT_NULL(
				strstr(cli_err, "invalid duration"));
		} else if (c->value && c->value < 1000) {
			CU_ASSERT(rc == 0 || rc == 124);
		} else {
			CU_ASSERT_EQUAL(rc, 0);
		}
		if (c->ok ? rc != 0 && rc != 124 : rc != 125)
			fprintf(stderr, "\n--timeout '%s': exit %d, %s\n",
				c->text, rc, cli_err);
	}
	/* a decimal is that many seconds, not its whole part (0 = none) */
	t0 = test_now_ms();
	CU_ASSERT_EQUAL(cli_run("sh --timeout 0.3s 'sleep 30'"), 124);
	CU_ASSERT(test_now_ms() - t0 < 20000);
	CU_ASSERT_EQUAL(cli_run("sh --timeout=0.001 'sleep 30'"), 124);
}

/* ps --json's stdout_dropped of a process writing 4 KiB under limit. */
static int dropped_under(const char *limit)
{
	char id[64];
	cJSON *doc, *n;
	int dropped = -1;

	if (cli_spawn(id, sizeof(id),
		      limit[0] ? limit : "-c 'head -c 4096 /dev/zero'"))
		return -1;
	if (cli_run("logs -f %s >/dev/null", id) == 0 &&
	    cli_run("--json ps %s", id) == 0) {
		doc = cli_json(cli_out);
		n = cJSON_GetObjectItem(doc, "stdout_dropped");
		if (cJSON_IsNumber(n))
			dropped = n->valueint;
		cJSON_Delete(doc);
	}
	cli_run("release %s", id);
	return dropped;
}

static void test_log_limit_grammar(void)
{
	const struct value_case *c;
	char args[128], id[64];
	int d_text, d_number;
	size_t i;

	for (i = 0; i < VALUE_CASES_N(size_cases); i++) {
		c = &size_cases[i];
		/* 0 would mean the provider's default: refused as a limit */
		if (!c->ok || !c->value) {
			CU_ASSERT_EQUAL(
				cli_run("spawn --log-limit '%s' true", c->text),
				2);
			CU_ASSERT_PTR_NOT_NULL(strstr(cli_err, "invalid size"));
			continue;
		}
		snprintf(args, sizeof(args), "--log-limit '%s' true", c->text);
		if (c->value > LOCAL_LOG_LIMIT_MAX) {
			/* read, then refused by the sandbox's bound (exit 1,
			 * not a usage error) */
			CU_ASSERT_EQUAL(cli_run("spawn %s", args), 1);
			CU_ASSERT_PTR_NOT_NULL(
				strstr(cli_err, "above the maximum of 1 GiB"));
			continue;
		}
		if (cli_spawn(id, sizeof(id), args)) {
			fprintf(stderr, "\n--log-limit '%s': %s\n", c->text,
				cli_err);
			CU_FAIL("a size the grammar accepts was refused");
			continue;
		}
		CU_ASSERT_EQUAL(cli_run("logs -f %s", id), 0);
		CU_ASSERT_EQUAL(cli_run("release %s", id), 0);
	}
	/* 1.5KiB keeps what 1536 keeps, and less than the 4 KiB written */
	d_text = dropped_under("--log-limit 1.5KiB -c 'head -c 4096 "
			       "/dev/zero'");
	d_number = dropped_under("--log-limit 1536 -c 'head -c 4096 "
				 "/dev/zero'");
	CU_ASSERT(d_text > 0);
	CU_ASSERT_EQUAL(d_text, d_number);
	CU_ASSERT(dropped_under("") == 0); /* the default keeps it all */
}

static CU_TestInfo tests[] = {
	{"--timeout reads the duration grammar", test_timeout_grammar},
	{"--log-limit reads the size grammar", test_log_limit_grammar},
	CU_TEST_INFO_NULL,
};

int main(void)
{
	return cli_main("wsp --timeout, --log-limit", tests);
}
