/*
 * tests/sigv4/test_sigv4.c - the SigV4 signer against AWS's test suite
 * (every vector: canonical request, string to sign and Authorization
 * compared byte for byte) and against the S3 documentation's header and
 * presigned examples; plus S3-mode canonicalisation and input checks.
 *
 * The .creq is compared signing every header of the .req; the .sts and
 * .authz signing the headers the .authz lists in SignedHeaders (the same
 * set, except in post-x-www-form-urlencoded, whose .sts and .authz leave
 * content-length out while its .creq has it).
 *
 * Vectors whose .sts/.authz contradict their own .req are listed in
 * sts_skips with the reason; their .creq is still compared.
 */
#include "sigv4.h"

#include <CUnit/Basic.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cu_main.h"

#define AKID   "AKIDEXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

static const struct {
	const char *name, *why;
} sts_skips[] = {
	{"post-x-www-form-urlencoded-parameters",
	 "its .sts hashes a canonical request with 'charset=utf8' and no "
	 "content-length (checked: that variant's SHA-256 is the one in the "
	 ".sts), while its .req and .creq say 'charset=utf-8' and sign "
	 "content-length; its .authz carries that variant's signature but "
	 "lists content-length in SignedHeaders (test_form_parameters "
	 "checks the variant)"},
	{NULL, NULL},
};

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		if (buf) {
			buf[n] = '\0';
			if (len)
				*len = (size_t)n;
		}
	}
	fclose(f);
	return buf;
}

/* A parsed .req file. */
struct vreq {
	char method[16];
	char *path, *query;
	wsp_http_header headers[32];
	size_t n_headers;
	char *body;
	size_t body_len;
	const char *amz_date;
	char *text; /* owns the strings above */
};

/*
 * "METHOD path[?query] HTTP/1.1", then "Name:value" lines; a line that
 * starts with whitespace continues the previous header (a new value of
 * the same name, which the signer joins with ','); an empty line starts
 * the body.
 */
static int parse_req(struct vreq *v, const char *file)
{
	char *p, *line, *http;

	memset(v, 0, sizeof(*v));
	v->text = slurp(file, NULL);
	if (!v->text)
		return -1;
	/* drop CRs so CRLF and LF files read the same */
	for (char *r = v->text, *w = v->text;; r++) {
		if (*r != '\r')
			*w++ = *r;
		if (!*r)
			break;
	}
	p = v->text;
	line = strsep(&p, "\n");
	http = strstr(line, " HTTP/");
	if (!http || !strchr(line, ' '))
		return -1;
	*http = '\0';
	char *sp = strchr(line, ' ');

	*sp = '\0';
	snprintf(v->method, sizeof(v->method), "%s", line);
	v->path = sp + 1;
	v->query = strchr(v->path, '?');
	if (v->query)
		*v->query++ = '\0';
	while (p) {
		line = strsep(&p, "\n");
		if (!line[0]) {
			v->body = p ? p : line;
			v->body_len = p ? strlen(p) : 0;
			break;
		}
		if (v->n_headers >= 32)
			return -1;
		if (line[0] == ' ' || line[0] == '\t') {
			if (!v->n_headers)
				return -1;
			v->headers[v->n_headers].name =
				v->headers[v->n_headers - 1].name;
			v->headers[v->n_headers].value = line;
		} else {
			char *colon = strchr(line, ':');

			if (!colon)
				return -1;
			*colon = '\0';
			v->headers[v->n_headers].name = line;
			v->headers[v->n_headers].value = colon + 1;
			if (!strcasecmp(line, "X-Amz-Date"))
				v->amz_date = colon + 1;
		}
		v->n_headers++;
	}
	return v->amz_date ? 0 : -1;
}

static int vectors_run, vectors_failed, sts_skipped;

static const char *skip_reason(const char *name)
{
	for (size_t i = 0; sts_skips[i].name; i++)
		if (!strcmp(sts_skips[i].name, name))
			return sts_skips[i].why;
	return NULL;
}

static void check_file(const char *dir, const char *name, const char *ext,
		       const char *got, int *bad)
{
	char path[1024];
	char *want;

	snprintf(path, sizeof(path), "%s/%s.%s", dir, name, ext);
	want = slurp(path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(want);
	if (strcmp(want, got)) {
		fprintf(stderr,
			"\nvector %s: .%s differs\n--- want\n%s\n"
			"--- got\n%s\n",
			name, ext, want, got);
		(*bad)++;
	}
	free(want);
}

/* The names in the SignedHeaders= of an .authz file, ';'-separated. */
static char *authz_signed_headers(const char *dir, const char *name)
{
	char path[1024], *authz, *sh, *res = NULL;

	snprintf(path, sizeof(path), "%s/%s.authz", dir, name);
	authz = slurp(path, NULL);
	if (authz && (sh = strstr(authz, "SignedHeaders="))) {
		sh += strlen("SignedHeaders=");
		res = strndup(sh, strcspn(sh, ","));
	}
	free(authz);
	return res;
}

static bool listed(const char *list, const char *header)
{
	size_t hl = strlen(header);

	for (const char *p = list; *p;) {
		size_t l = strcspn(p, ";");

		if (l == hl && !strncasecmp(p, header, hl))
			return true;
		p += l;
		if (*p == ';')
			p++;
	}
	return false;
}

static void run_vector(const char *dir, const char *name)
{
	char path[1024];
	struct vreq v;
	struct wsp__sigv4_out out, out_sts;
	wsp_http_header subset[32];
	size_t n_subset = 0;
	wsp_error err = {0};
	int bad = 0;
	char *signed_list = authz_signed_headers(dir, name);

	snprintf(path, sizeof(path), "%s/%s.req", dir, name);
	CU_ASSERT_PTR_NOT_NULL_FATAL(signed_list);
	CU_ASSERT_EQUAL_FATAL(parse_req(&v, path), 0);
	for (size_t i = 0; i < v.n_headers; i++)
		if (listed(signed_list, v.headers[i].name))
			subset[n_subset++] = v.headers[i];
	wsp_sigv4_request r = {
		.struct_size = sizeof(r),
		/* the suite is for services that normalise paths */
		.flags = WSP_SIGV4_NORMALIZE_PATH,
		.method = v.method,
		.path = v.path,
		.query = v.query,
		.headers = v.headers,
		.n_headers = v.n_headers,
		.payload = v.body,
		.payload_len = v.body_len,
		.amz_date = v.amz_date,
		.region = "us-east-1",
		.service = "service",
		.access_key_id = AKID,
		.secret_access_key = SECRET,
	};
	int rc = wsp__sigv4_sign(&out, &r, &err);

	r.headers = subset;
	r.n_headers = n_subset;
	if (!rc)
		rc = wsp__sigv4_sign(&out_sts, &r, &err);
	CU_ASSERT_EQUAL(rc, 0);
	if (rc) {
		fprintf(stderr, "\nvector %s: %s\n", name, err.message);
		vectors_failed++;
		free(v.text);
		free(signed_list);
		return;
	}
	vectors_run++;
	check_file(dir, name, "creq", out.canonical_request, &bad);
	if (skip_reason(name)) {
		fprintf(stderr, "\n  %s: .sts/.authz not compared: %s\n", name,
			skip_reason(name));
		sts_skipped++;
	} else {
		check_file(dir, name, "sts", out_sts.string_to_sign, &bad);
		check_file(dir, name, "authz", out_sts.authorization, &bad);
	}
	CU_ASSERT_EQUAL(bad, 0);
	if (bad)
		vectors_failed++;
	wsp__sigv4_out_free(&out);
	wsp__sigv4_out_free(&out_sts);
	free(v.text);
	free(signed_list);
}

/* Every directory holding <dirname>.req is a vector. */
static void walk(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	const char *base = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
	char path[1024];
	struct stat st;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	snprintf(path, sizeof(path), "%s/%s.req", dir, base);
	if (!stat(path, &st))
		run_vector(dir, base);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (!stat(path, &st) && S_ISDIR(st.st_mode))
			walk(path);
	}
	closedir(d);
}

static void test_aws_suite(void)
{
	walk(WSP_SIGV4_VECTORS);
	fprintf(stderr,
		"\n  %d vectors signed, %d failed, %d with .sts/.authz "
		"skipped\n",
		vectors_run, vectors_failed, sts_skipped);
	/* the suite has 31 vectors; none may go missing unnoticed */
	CU_ASSERT_EQUAL(vectors_run + vectors_failed, 31);
	CU_ASSERT_EQUAL(vectors_failed, 0);
	CU_ASSERT_EQUAL(sts_skipped, 1);
}

/* Examples of the S3 documentation ("Signature Calculations..."). */
#define S3_AKID	  "AKIAIOSFODNN7EXAMPLE"
#define S3_SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define EMPTY_SHA                                                              \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static void test_s3_header_example(void)
{
	const wsp_http_header h[] = {
		{"Host", "examplebucket.s3.amazonaws.com"},
		{"Range", "bytes=0-9"},
		{"x-amz-content-sha256", EMPTY_SHA},
		{"x-amz-date", "20130524T000000Z"},
	};
	wsp_sigv4_request r = {
		.struct_size = sizeof(r),
		.method = "GET",
		.path = "/test.txt",
		.headers = h,
		.n_headers = 4,
		.payload_sha256 = EMPTY_SHA,
		.amz_date = "20130524T000000Z",
		.region = "us-east-1",
		.service = "s3",
		.access_key_id = S3_AKID,
		.secret_access_key = S3_SECRET,
	};
	char buf[512];

	CU_ASSERT_EQUAL_FATAL(
		wsp__sigv4_host_sign(buf, sizeof(buf), NULL, &r, NULL), 0);
	CU_ASSERT_STRING_EQUAL(
		buf, "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/"
		     "20130524/us-east-1/s3/aws4_request, SignedHeaders=host;"
		     "range;x-amz-content-sha256;x-amz-date, Signature="
		     "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c"
		     "6036bdb41");
}

static void test_s3_presign_example(void)
{
	const wsp_http_header h[] = {
		{"Host", "examplebucket.s3.amazonaws.com"},
	};
	wsp_sigv4_request r = {
		.struct_size = sizeof(r),
		.flags = WSP_SIGV4_PRESIGN,
		.method = "GET",
		.path = "/test.txt",
		.headers = h,
		.n_headers = 1,
		.payload_sha256 = "UNSIGNED-PAYLOAD",
		.amz_date = "20130524T000000Z",
		.region = "us-east-1",
		.service = "s3",
		.access_key_id = S3_AKID,
		.secret_access_key = S3_SECRET,
		.expires_s = 86400,
	};
	char buf[1024];

	CU_ASSERT_EQUAL_FATAL(
		wsp__sigv4_host_sign(buf, sizeof(buf), NULL, &r, NULL), 0);
	CU_ASSERT_STRING_EQUAL(
		buf, "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
		     "AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2F"
		     "aws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires="
		     "86400&X-Amz-SignedHeaders=host&X-Amz-Signature="
		     "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d15775"
		     "1f604d404");
}

/*
 * A request to b.example signed at 20240101T000000Z with made-up keys,
 * headers h (host and x-amz-date, in that order): the tests below set
 * only what they check.
 */
static wsp_sigv4_request small_request(const wsp_http_header h[2],
				       const char *method, const char *path)
{
	wsp_sigv4_request r = {
		.struct_size = sizeof(r),
		.method = method,
		.path = path,
		.headers = h,
		.n_headers = 2,
		.payload_sha256 = "UNSIGNED-PAYLOAD",
		.amz_date = "20240101T000000Z",
		.region = "eu-west-1",
		.service = "s3",
		.access_key_id = "AKID",
		.secret_access_key = "secret",
	};

	return r;
}

static void test_s3_mode_keeps_path(void)
{
	const wsp_http_header h[] = {{"host", "b.example"},
				     {"x-amz-date", "20240101T000000Z"}};
	wsp_sigv4_request r =
		small_request(h, "PUT", "/bucket/a//b/../c d+e%2Bf%7E~");
	struct wsp__sigv4_out o;

	r.query = "uploads&prefix=dir/sub&a=%2F&b=x y";
	CU_ASSERT_EQUAL_FATAL(wsp__sigv4_sign(&o, &r, NULL), 0);
	CU_ASSERT_STRING_EQUAL(o.canonical_request,
			       "PUT\n"
			       "/bucket/a//b/../c%20d%2Be%2Bf~~\n"
			       "a=%2F&b=x%20y&prefix=dir%2Fsub&uploads=\n"
			       "host:b.example\n"
			       "x-amz-date:20240101T000000Z\n"
			       "\n"
			       "host;x-amz-date\n"
			       "UNSIGNED-PAYLOAD");
	wsp__sigv4_out_free(&o);
}

/*
 * With normalisation, an encoded dot is a dot: "%2E%2E" was kept as a
 * segment and then signed decoded, as "..".
 */
static void test_normalize_encoded_dots(void)
{
	const wsp_http_header h[] = {{"host", "b.example"},
				     {"x-amz-date", "20240101T000000Z"}};
	wsp_sigv4_request r =
		small_request(h, "GET", "/a/%2E%2E/b/%2e/c/.%2E/d/%2E%2E%2E");
	struct wsp__sigv4_out o;

	r.flags = WSP_SIGV4_NORMALIZE_PATH;
	r.service = "service";
	CU_ASSERT_EQUAL_FATAL(wsp__sigv4_sign(&o, &r, NULL), 0);
	CU_ASSERT_NSTRING_EQUAL(o.canonical_request, "GET\n/b/d/...\n", 13);
	wsp__sigv4_out_free(&o);
}

static void test_bad_input_refused(void)
{
	wsp_http_header h[] = {{"host", "b.example"},
			       {"x-amz-date", "20240101T000000Z"}};
	wsp_sigv4_request r = small_request(h, "GET", "/k");
	char buf[512];
	wsp_error err = {0};

	/* no hash given: the signer hashes the (empty) payload */
	r.payload_sha256 = NULL;
	r.region = "us-east-1";
	CU_ASSERT_EQUAL(wsp__sigv4_host_sign(buf, 20, NULL, &r, &err),
			WSP_ETOOBIG);
	h[1].value = "20240101T000000Z\r\nx-evil: 1";
	CU_ASSERT_EQUAL(wsp__sigv4_host_sign(buf, sizeof(buf), NULL, &r, &err),
			WSP_EINVAL);
	h[1].value = "20240101T000000Z";
	/* a name that is not a token: ';' would fake a signed header */
	h[1].name = "x-amz-date;x-amz-acl";
	CU_ASSERT_EQUAL(wsp__sigv4_host_sign(buf, sizeof(buf), NULL, &r, &err),
			WSP_EINVAL);
	h[1].name = "x-amz-date\x80";
	CU_ASSERT_EQUAL(wsp__sigv4_host_sign(buf, sizeof(buf), NULL, &r, &err),
			WSP_EINVAL);
	h[1].name = "x-amz-date";
	r.region = "us/east";
	CU_ASSERT_EQUAL(wsp__sigv4_host_sign(buf, sizeof(buf), NULL, &r, &err),
			WSP_EINVAL);
	r.region = "us-east-1";
	r.amz_date = "2024-01-01";
	CU_ASSERT_EQUAL(wsp__sigv4_host_sign(buf, sizeof(buf), NULL, &r, &err),
			WSP_EINVAL);
	r.amz_date = "20240101T000000Z";
	r.secret_access_key = "";
	CU_ASSERT_EQUAL(wsp__sigv4_host_sign(buf, sizeof(buf), NULL, &r, &err),
			WSP_EAUTH);
	/* the secret never shows up in a message */
	r.secret_access_key = "topsecret";
	r.flags = WSP_SIGV4_PRESIGN;
	r.expires_s = 0;
	CU_ASSERT_EQUAL(wsp__sigv4_host_sign(buf, sizeof(buf), NULL, &r, &err),
			WSP_EINVAL);
	CU_ASSERT_PTR_NULL(strstr(err.message, "topsecret"));
	r.flags = 0;
	r.payload_sha256 = "abc";
	CU_ASSERT_EQUAL(wsp__sigv4_host_sign(buf, sizeof(buf), NULL, &r, &err),
			WSP_EINVAL);
}

/*
 * post-x-www-form-urlencoded-parameters as the suite really signed it
 * (see sts_skips): the .sts and the .authz's signature must come out.
 */
static void test_form_parameters(void)
{
	const char *dir =
		WSP_SIGV4_VECTORS "/post-x-www-form-urlencoded-parameters";
	const char *name = "post-x-www-form-urlencoded-parameters";
	const wsp_http_header h[] = {
		{"Content-Type", "application/x-www-form-urlencoded; "
				 "charset=utf8"},
		{"Host", "example.amazonaws.com"},
		{"X-Amz-Date", "20150830T123600Z"},
	};
	wsp_sigv4_request r = {
		.struct_size = sizeof(r),
		.method = "POST",
		.path = "/",
		.headers = h,
		.n_headers = 3,
		.payload = "Param1=value1",
		.payload_len = 13,
		.amz_date = "20150830T123600Z",
		.region = "us-east-1",
		.service = "service",
		.access_key_id = AKID,
		.secret_access_key = SECRET,
	};
	struct wsp__sigv4_out o;
	char path[1024], *sts, *authz;

	CU_ASSERT_EQUAL_FATAL(wsp__sigv4_sign(&o, &r, NULL), 0);
	snprintf(path, sizeof(path), "%s/%s.sts", dir, name);
	sts = slurp(path, NULL);
	snprintf(path, sizeof(path), "%s/%s.authz", dir, name);
	authz = slurp(path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sts);
	CU_ASSERT_PTR_NOT_NULL_FATAL(authz);
	CU_ASSERT_STRING_EQUAL(o.string_to_sign, sts);
	CU_ASSERT_PTR_NOT_NULL(strstr(authz, o.signature));
	CU_ASSERT_EQUAL(strlen(o.signature), 64);
	free(sts);
	free(authz);
	wsp__sigv4_out_free(&o);
}

static CU_TestInfo tests[] = {
	{"AWS test suite vectors", test_aws_suite},
	{"form-parameters vector as signed", test_form_parameters},
	{"normalised paths: encoded dots", test_normalize_encoded_dots},
	{"S3 docs: header example", test_s3_header_example},
	{"S3 docs: presigned example", test_s3_presign_example},
	{"S3 mode keeps the path", test_s3_mode_keeps_path},
	{"bad input refused", test_bad_input_refused},
	CU_TEST_INFO_NULL,
};

CU_MAIN("sigv4", tests)
