/*
 * tests/s3/test_s3text.c - the S3 provider's small text parsers: numbers,
 * Content-Range and ETags from servers, and the AWS INI files (a
 * listing's RFC 3339 times and Last-Modified's HTTP date:
 * tests/shared/test_times.c).
 * Each hostile case here was a bug once (a sign or space accepted, a
 * date whose nanoseconds overflowed, a fraction misread, a long line
 * split in two).
 */
#include "../../plugins/fs-s3/s3.h"

#include "cu_main.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_u64(void)
{
	uint64_t v = 7;

	CU_ASSERT_EQUAL(s3_parse_u64(&v, "0"), 0);
	CU_ASSERT_EQUAL(v, 0);
	CU_ASSERT_EQUAL(s3_parse_u64(&v, "18446744073709551615"), 0);
	CU_ASSERT_EQUAL(v, UINT64_MAX);
	v = 7;
	/* what strtoull() took: a sign, spaces, overflow, a tail */
	CU_ASSERT_EQUAL(s3_parse_u64(&v, "-1"), -1);
	CU_ASSERT_EQUAL(s3_parse_u64(&v, "+5"), -1);
	CU_ASSERT_EQUAL(s3_parse_u64(&v, " 5"), -1);
	CU_ASSERT_EQUAL(s3_parse_u64(&v, "5 "), -1);
	CU_ASSERT_EQUAL(s3_parse_u64(&v, "18446744073709551616"), -1);
	CU_ASSERT_EQUAL(s3_parse_u64(&v, "99999999999999999999"), -1);
	CU_ASSERT_EQUAL(s3_parse_u64(&v, ""), -1);
	CU_ASSERT_EQUAL(s3_parse_u64(&v, "12abc"), -1);
	CU_ASSERT_EQUAL(v, 7);
}

static void test_content_range(void)
{
	uint64_t a, b, n;

	CU_ASSERT_EQUAL(s3_parse_content_range(&a, &b, &n, "bytes 5-9/10"), 0);
	CU_ASSERT(a == 5 && b == 9 && n == 10);
	CU_ASSERT_EQUAL(s3_parse_content_range(&a, &b, &n,
					       "bytes 0-18446744073709551614/"
					       "18446744073709551615"),
			0);
	CU_ASSERT_EQUAL(b, UINT64_MAX - 1);
	/* sscanf("%" SCNu64) took signs, spaces and overflow */
	CU_ASSERT_EQUAL(s3_parse_content_range(&a, &b, &n, "bytes 5-9/-1"), -1);
	CU_ASSERT_EQUAL(s3_parse_content_range(&a, &b, &n, "bytes +5-9/10"),
			-1);
	CU_ASSERT_EQUAL(s3_parse_content_range(&a, &b, &n, "bytes  5-9/10"),
			-1);
	CU_ASSERT_EQUAL(s3_parse_content_range(&a, &b, &n, "bytes 5- 9/10"),
			-1);
	CU_ASSERT_EQUAL(s3_parse_content_range(
				&a, &b, &n, "bytes 5-9/99999999999999999999"),
			-1);
	CU_ASSERT_EQUAL(s3_parse_content_range(&a, &b, &n, "bytes 9-5/10"), -1);
	CU_ASSERT_EQUAL(s3_parse_content_range(&a, &b, &n, "bytes 5-10/10"),
			-1);
	CU_ASSERT_EQUAL(s3_parse_content_range(&a, &b, &n, "bytes 5-9/*"), -1);
	CU_ASSERT_EQUAL(s3_parse_content_range(&a, &b, &n, "bytes */10"), -1);
	CU_ASSERT_EQUAL(s3_parse_content_range(&a, &b, &n, "bytes 5-9/10 "),
			-1);
}

static void test_etag(void)
{
	char big[WSP_FS_VERSION_MAX + 1];

	CU_ASSERT_TRUE(s3_etag_ok("\"9a0364b9e99bb480dd25e1f0284c8555\""));
	CU_ASSERT_TRUE(s3_etag_ok("W/\"abc-2\""));
	/* sent back as If-Match: no line breaks, nothing cut short */
	CU_ASSERT_FALSE(s3_etag_ok("\"abc\"\rX-Injected: 1"));
	CU_ASSERT_FALSE(s3_etag_ok("\"abc\"\n"));
	CU_ASSERT_FALSE(s3_etag_ok("\"a\tb\""));
	CU_ASSERT_FALSE(s3_etag_ok(""));
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CU_ASSERT_FALSE(s3_etag_ok(big));
	big[WSP_FS_VERSION_MAX - 1] = '\0';
	CU_ASSERT_TRUE(s3_etag_ok(big));
}

/* s3_ini_get() over text, "" when absent, "ERR" on failure */
static char got[8192];

static const char *ini(const char *text, const char *section, const char *key)
{
	char *v = NULL;

	if (s3_ini_get(&v, text, strlen(text), section, key))
		return "ERR";
	snprintf(got, sizeof(got), "%s", v ? v : "");
	free(v);
	return got;
}

static void test_ini(void)
{
	const char *creds = "# team-data keys\n"
			    "[default]\n"
			    "aws_access_key_id = AKIDDEFAULT\n"
			    "aws_secret_access_key=s3cr3t\r\n"
			    "\n"
			    "[ dev-box ]\n"
			    "; comment\n"
			    "s3 =\n"
			    "    region = nested-not-ours\n"
			    "region = eu-west-3\n"
			    "empty =\n"
			    "[profile dev-box]\n"
			    "region = us-east-2\n";

	CU_ASSERT_STRING_EQUAL(ini(creds, "default", "aws_access_key_id"),
			       "AKIDDEFAULT");
	CU_ASSERT_STRING_EQUAL(ini(creds, "default", "aws_secret_access_key"),
			       "s3cr3t");
	CU_ASSERT_STRING_EQUAL(ini(creds, "dev-box", "region"), "eu-west-3");
	CU_ASSERT_STRING_EQUAL(ini(creds, "profile dev-box", "region"),
			       "us-east-2");
	CU_ASSERT_STRING_EQUAL(ini(creds, "dev-box", "empty"), "");
	CU_ASSERT_STRING_EQUAL(ini(creds, "default", "region"), "");
	CU_ASSERT_STRING_EQUAL(ini(creds, "other", "region"), "");
	CU_ASSERT_STRING_EQUAL(ini("", "default", "region"), "");
	CU_ASSERT_STRING_EQUAL(
		ini("[default]\nregion = x", "default", "region"), "x");
	CU_ASSERT_STRING_EQUAL(ini("[default", "default", "region"), "");
	/* keys as the AWS tools read them: any case, '=' or ':' */
	CU_ASSERT_STRING_EQUAL(ini("[default]\nAWS_Access_Key_ID = AKIDUPPER",
				   "default", "aws_access_key_id"),
			       "AKIDUPPER");
	CU_ASSERT_STRING_EQUAL(
		ini("[default]\nregion: eu-north-1", "default", "region"),
		"eu-north-1");
	CU_ASSERT_STRING_EQUAL(ini("[default]\naws_secret_access_key = a:b=c",
				   "default", "aws_secret_access_key"),
			       "a:b=c");
	/* section names are exact */
	CU_ASSERT_STRING_EQUAL(ini("[Default]\nregion = x", "default", "region"),
			       "");
}

/*
 * A line of 4 KiB or more is skipped whole: fgets() once split it, and
 * its tail was read as a line of its own.
 */
static void test_ini_long_lines(void)
{
	size_t pad = 5000;
	char *text = malloc(pad + 256);
	char *p = text;

	p += sprintf(p, "[default]\n# ");
	memset(p, 'x', pad);
	p += pad;
	sprintf(p, "region = from-a-comment\naws_access_key_id = AKID\n");
	CU_ASSERT_STRING_EQUAL(ini(text, "default", "region"), "");
	CU_ASSERT_STRING_EQUAL(ini(text, "default", "aws_access_key_id"),
			       "AKID");

	/* an unreadable section header ends the one before it */
	p = text;
	p += sprintf(p, "[default]\n[");
	memset(p, 'y', pad);
	p += pad;
	sprintf(p, "]\nregion = not-default\n");
	CU_ASSERT_STRING_EQUAL(ini(text, "default", "region"), "");
	free(text);

	/* a NUL ends its line */
	const char nul[] = "[default]\nregion = a\0b\nzone = z\n";
	char *v = NULL;

	CU_ASSERT_EQUAL(
		s3_ini_get(&v, nul, sizeof(nul) - 1, "default", "region"), 0);
	CU_ASSERT_STRING_EQUAL(v ? v : "", "a");
	free(v);
	CU_ASSERT_EQUAL(s3_ini_get(&v, nul, sizeof(nul) - 1, "default", "zone"),
			0);
	CU_ASSERT_STRING_EQUAL(v ? v : "", "z");
	free(v);
}

/* The same through the credentials file the AWS tools share. */
static void test_creds_file(void)
{
	char dir[] = "/tmp/wsp-s3text-XXXXXX", cred[64], conf[64];
	struct s3_creds c = {0};
	wsp_error err = {0};
	FILE *f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(cred, sizeof(cred), "%s/credentials", dir);
	snprintf(conf, sizeof(conf), "%s/config", dir);
	f = fopen(cred, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	/* fgets(4096) once cut this comment where its key begins */
	fprintf(f, "[dev-box]\n# ");
	for (int i = 0; i < 4093; i++)
		fputc('x', f);
	fprintf(f, "aws_access_key_id = AKIDFROMCOMMENT\n");
	fprintf(f, "aws_access_key_id = AKIDDEVBOX\n"
		   "aws_secret_access_key = devbox-secret\n");
	fclose(f);
	f = fopen(conf, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fprintf(f, "[profile dev-box]\nregion = eu-west-3\n");
	fclose(f);
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	unsetenv("AWS_REGION");
	unsetenv("AWS_DEFAULT_REGION");
	setenv("AWS_SHARED_CREDENTIALS_FILE", cred, 1);
	setenv("AWS_CONFIG_FILE", conf, 1);

	CU_ASSERT_EQUAL(s3_creds_resolve(&c, "dev-box", &err), 0);
	CU_ASSERT_STRING_EQUAL(c.akid ? c.akid : "", "AKIDDEVBOX");
	CU_ASSERT_STRING_EQUAL(c.secret ? c.secret : "", "devbox-secret");
	CU_ASSERT_STRING_EQUAL(c.region ? c.region : "", "eu-west-3");
	s3_creds_free(&c);

	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	unsetenv("AWS_CONFIG_FILE");
	remove(cred);
	remove(conf);
	rmdir(dir);
}

static CU_TestInfo tests[] = {
	{"decimal numbers", test_u64},
	{"Content-Range", test_content_range},
	{"ETags", test_etag},
	{"INI files", test_ini},
	{"INI long lines and NULs", test_ini_long_lines},
	{"the shared credentials file", test_creds_file},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("s3text", NULL, NULL, tests)
