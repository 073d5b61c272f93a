/*
 * tests/cli/test_cli_tls_init.c - the wsp CLI keeps GnuTLS from starting
 * itself up (core/program/skip_gnutls_init.c): Debian's libcurl brings
 * GnuTLS through libldap and librtmp, wsp never uses it, and its
 * load-time start-up was about 0.85 MiB of every client's peak memory.
 *
 * Watched through the dynamic linker: with LD_DEBUG=bindings, ld.so says
 * which object each symbol is bound to. GnuTLS's constructor asks
 * _gnutls_global_init_skip() whether to start; the answer must come from
 * the wsp program, not from GnuTLS's own (which says "start"). libcurl,
 * and GnuTLS with it, loads on the first request: an S3 mount whose
 * endpoint is a closed local port makes one.
 */
#include "cli_run.h"
#include "test_port.h"
#include "test_run.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SKIP_SYMBOL "`_gnutls_global_init_skip'"

/* The binding of the skip symbol in ld.so's logs (one file a process). */
static int find_binding(const char *pattern, char *line, size_t cap)
{
	glob_t g;
	int found = 0;

	if (glob(pattern, 0, NULL, &g) != 0)
		return 0;
	for (size_t i = 0; i < g.gl_pathc && !found; i++) {
		FILE *f = fopen(g.gl_pathv[i], "r");

		while (f && !found && fgets(line, (int)cap, f))
			found = strstr(line, "binding file") &&
				strstr(line, "libgnutls") &&
				strstr(line, SKIP_SYMBOL);
		if (f)
			fclose(f);
	}
	globfree(&g);
	return found;
}

static void test_gnutls_told_to_skip(void)
{
	char line[1024], ldlog[512], expect[600];
	FILE *f = fopen(cli_path("s3.yaml"), "w");
	int port = test_free_port(), rc;

	CU_ASSERT_FATAL(f != NULL && port > 0);
	fprintf(f,
		"mounts:\n  /s3:\n    provider: s3\n    options:\n"
		"      bucket: tls-init-check\n"
		"      endpoint: \"http://127.0.0.1:%d\"\n"
		"      region: us-east-1\n"
		"      access_key_id: AKIDEXAMPLE\n"
		"      secret_access_key: tls-init-check-secret\n",
		port);
	fclose(f);
	snprintf(ldlog, sizeof(ldlog), "%s", cli_path("ld"));
	setenv("LD_DEBUG", "bindings", 1);
	setenv("LD_DEBUG_OUTPUT", ldlog, 1);
	rc = test_run_cli_apart(cli_dir, WSP_CLI, "s3.yaml", "fs ls /s3",
				cli_out, sizeof(cli_out), cli_err,
				sizeof(cli_err));
	unsetenv("LD_DEBUG");
	unsetenv("LD_DEBUG_OUTPUT");
	/* the request was made (and refused): libcurl was loaded */
	CU_ASSERT_EQUAL(rc, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_err, "127.0.0.1"));
	snprintf(ldlog, sizeof(ldlog), "%s.*", cli_path("ld"));
	CU_ASSERT_FATAL(find_binding(ldlog, line, sizeof(line)));
	/* "binding file .../libgnutls.so.30 [0] to WSP_CLI [0]: ..." */
	snprintf(expect, sizeof(expect), " to %s [0]: normal symbol " SKIP_SYMBOL,
		 WSP_CLI);
	CU_ASSERT_PTR_NOT_NULL(strstr(line, expect));
	if (!strstr(line, expect))
		fprintf(stderr, "ld.so bound it so: %s", line);
}

static CU_TestInfo tests[] = {
	{"GnuTLS is told not to start itself up", test_gnutls_told_to_skip},
	CU_TEST_INFO_NULL,
};

int main(void)
{
	return cli_main("wsp keeps GnuTLS idle", tests);
}
