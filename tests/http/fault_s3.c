/*
 * tests/http/fault_s3.c - an S3 look-alike in the fault server, for what
 * the npm S3 servers cannot show (see tests/s3/README.md). It keeps no
 * objects: what a key holds and how it misbehaves follows from its name.
 *
 *   read-<mode>...  100000 bytes of the pattern ('a' + offset % 26),
 *                   ETag "v1"; GET honours Range and If-Match (412), and
 *                   misbehaves on the first GET of the key by mode:
 *                   reset (1000 bytes, then a reset), truncated (1000
 *                   bytes, then a close), stall (100 bytes, then
 *                   silence), changed (a reset, and the object is "v2"
 *                   from then on), always (every GET resets after 1000),
 *                   norange (a reset, and Range is ignored: 200, all)
 *   raced...        HEAD sees ETag "r1", but the object is "r2" by the
 *                   time a write comes: If-Match "r1" gets 412
 *   copy-src...     a 12 MiB text/csv object, ETag "c1", for copies;
 *                   copy-src-raced... is "c2" by the time parts are copied
 *   anything else   missing (HEAD 404, empty listings)
 *
 * Writes: a PUT with If-None-Match or If-Match gets 412 (every key here
 * exists, or changed); CreateMultipartUpload answers upload "upl-1";
 * parts (UploadPart and UploadPartCopy) are accepted, except part 2 and
 * above of keys starting "fail-" (403 AccessDenied "part refused");
 * UploadPartCopy checks its source, x-amz-copy-source-if-match and
 * x-amz-copy-source-range as S3 does (400 InvalidArgument on a bad
 * range); CompleteMultipartUpload checks If-Match; AbortMultipartUpload
 * is counted as the target "DELETE <target>".
 */
#include "fault_server_impl.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define BUCKET	      "/team-data/"
#define READ_SIZE     100000
#define READ_FAULT    1000
#define READ_STALL    100
#define COPY_SIZE     (12ull << 20)
#define LAST_MODIFIED "Sun, 01 Nov 2026 10:00:00 GMT"

struct object {
	bool exists;
	uint64_t size;
	const char *etag;	/* what HEAD and GET see */
	const char *write_etag; /* what a conditional write or copy meets */
	const char *mime;
};

/* The key of a target ("/team-data/a/b.txt?x=1" -> "a/b.txt"). */
static void key_of(char *out, size_t cap, const char *target)
{
	const char *k = target + strlen(BUCKET);

	snprintf(out, cap, "%.*s", (int)strcspn(k, "?"), k);
}

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static struct object lookup(const char *key, int hit)
{
	struct object o = {0};

	if (starts(key, "read-")) {
		o = (struct object){true, READ_SIZE, "\"v1\"", "\"v1\"",
				    "application/octet-stream"};
		if (starts(key, "read-changed") && hit > 1)
			o.etag = o.write_etag = "\"v2\"";
	} else if (starts(key, "raced")) {
		o = (struct object){true, 2, "\"r1\"", "\"r2\"", "text/plain"};
	} else if (starts(key, "copy-src-raced")) {
		/* changed after the HEAD, before its parts are copied */
		o = (struct object){true, COPY_SIZE, "\"c1\"", "\"c2\"",
				    "text/csv"};
	} else if (starts(key, "copy-src")) {
		o = (struct object){true, COPY_SIZE, "\"c1\"", "\"c1\"",
				    "text/csv"};
	}
	return o;
}

static void answer(int fd, int status, const char *body)
{
	fault_sendf(fd,
		    "HTTP/1.1 %d S3\r\nContent-Type: application/xml\r\n"
		    "Content-Length: %zu\r\n\r\n%s",
		    status, strlen(body), body);
}

static void error(int fd, int status, const char *code, const char *msg)
{
	char body[512];

	snprintf(body, sizeof(body),
		 "<Error><Code>%s</Code><Message>%s</Message></Error>", code,
		 msg);
	answer(fd, status, body);
}

static void precondition_failed(int fd)
{
	error(fd, 412, "PreconditionFailed",
	      "At least one of the pre-conditions you specified did not "
	      "hold");
}

/*
 * "bytes=a-b" against size: 0 and [*from, *to], or -1 when it is
 * malformed or starts past the end. The GetObject form (open_end_ok)
 * may also be "bytes=a-" and end past the end.
 */
static int parse_range(uint64_t *from, uint64_t *to, const char *v,
		       uint64_t size, bool open_end_ok)
{
	char *end;

	if (strncmp(v, "bytes=", 6) || v[6] < '0' || v[6] > '9')
		return -1;
	*from = strtoull(v + 6, &end, 10);
	if (*end++ != '-')
		return -1;
	if (!*end && open_end_ok) {
		*to = size - 1;
	} else {
		if (*end < '0' || *end > '9')
			return -1;
		*to = strtoull(end, &end, 10);
		if (*end)
			return -1;
	}
	if (*from > *to || *from >= size)
		return -1;
	if (*to >= size && !open_end_ok)
		return -1; /* UploadPartCopy: within the source */
	if (*to >= size)
		*to = size - 1; /* GetObject: up to the end */
	return 0;
}

static int get_object(struct fault_server *fs, int fd, const char *key,
		      const char *head, int hit)
{
	struct object o = lookup(key, hit);
	char v[128];
	uint64_t from = 0, to;
	bool ranged;

	if (!o.exists || !starts(key, "read-")) {
		error(fd, 404, "NoSuchKey",
		      "The specified key does not exist.");
		return 0;
	}
	if (test_http_header(head, "If-Match", v, sizeof(v)) &&
	    strcmp(v, o.etag)) {
		precondition_failed(fd);
		return 0;
	}
	to = o.size - 1;
	ranged = test_http_header(head, "Range", v, sizeof(v)) &&
		 !starts(key, "read-norange");
	if (ranged && parse_range(&from, &to, v, o.size, true)) {
		error(fd, 416, "InvalidRange",
		      "The requested range is not satisfiable");
		return 0;
	}
	if (ranged)
		fault_sendf(fd,
			    "HTTP/1.1 206 Partial Content\r\nETag: %s\r\n"
			    "Content-Range: bytes %" PRIu64 "-%" PRIu64
			    "/%" PRIu64 "\r\nContent-Length: %" PRIu64
			    "\r\n\r\n",
			    o.etag, from, to, o.size, to - from + 1);
	else
		fault_sendf(fd,
			    "HTTP/1.1 200 OK\r\nETag: %s\r\n"
			    "Content-Length: %" PRIu64 "\r\n\r\n",
			    o.etag, o.size);
	if (hit > 1 && !starts(key, "read-always")) {
		fault_send_pattern(fd, from, to - from + 1);
		return 0;
	}
	if (starts(key, "read-stall")) {
		/* too slow for the client's low-speed limit (200 B/s) */
		fault_send_pattern(fd, from, READ_STALL);
		/* silence until the client gives up or the server stops */
		while (fault_wait_readable(fs, fd, 5000) > 0) {
			char c;

			if (read(fd, &c, 1) <= 0)
				break;
		}
		return -1;
	}
	fault_send_pattern(fd, from, READ_FAULT);
	if (starts(key, "read-truncated"))
		return -1;
	usleep(50 * 1000); /* let the bytes reach the client first */
	return -2;
}

static void head_object(int fd, const char *key)
{
	struct object o = lookup(key, 1);

	if (!o.exists) {
		fault_sendf(fd, "HTTP/1.1 404 Not Found\r\n"
				"Content-Length: 0\r\n\r\n");
		return;
	}
	fault_sendf(fd,
		    "HTTP/1.1 200 OK\r\nETag: %s\r\nContent-Type: %s\r\n"
		    "Last-Modified: " LAST_MODIFIED "\r\n"
		    "Content-Length: %" PRIu64 "\r\n\r\n",
		    o.etag, o.mime, o.size);
}

/* UploadPartCopy: the source, its precondition and range, as S3 does. */
static void copy_part(int fd, const char *key, const char *head, int part)
{
	char src[512], v[128], body[256], src_key[512];
	uint64_t from, to;
	struct object o;

	test_http_header(head, "x-amz-copy-source", src, sizeof(src));
	if (!starts(src, BUCKET)) {
		error(fd, 400, "InvalidArgument", "Invalid copy source");
		return;
	}
	key_of(src_key, sizeof(src_key), src);
	o = lookup(src_key, 1);
	if (!o.exists) {
		error(fd, 404, "NoSuchKey",
		      "The specified key does not exist.");
		return;
	}
	if (test_http_header(head, "x-amz-copy-source-if-match", v,
			     sizeof(v)) &&
	    strcmp(v, o.write_etag)) {
		precondition_failed(fd);
		return;
	}
	if (!test_http_header(head, "x-amz-copy-source-range", v, sizeof(v)) ||
	    parse_range(&from, &to, v, o.size, false) ||
	    to - from + 1 > (5ull << 30)) {
		error(fd, 400, "InvalidArgument",
		      "Range specified is not valid for source object");
		return;
	}
	if (starts(key, "fail-") && part >= 2) {
		error(fd, 403, "AccessDenied", "part refused");
		return;
	}
	snprintf(body, sizeof(body),
		 "<CopyPartResult><ETag>&quot;cp%d&quot;</ETag>"
		 "<LastModified>2026-11-01T10:00:00.000Z</LastModified>"
		 "</CopyPartResult>",
		 part);
	answer(fd, 200, body);
}

static void put(int fd, const char *key, const char *target, const char *head)
{
	char v[256];
	int part = (int)test_http_query_long(target, "partNumber", 0);

	if (part && test_http_header(head, "x-amz-copy-source", v, sizeof(v))) {
		copy_part(fd, key, head, part);
	} else if (part) {
		if (starts(key, "fail-") && part >= 2)
			error(fd, 403, "AccessDenied", "part refused");
		else
			fault_sendf(fd,
				    "HTTP/1.1 200 OK\r\nETag: \"p%d\"\r\n"
				    "Content-Length: 0\r\n\r\n",
				    part);
	} else if (test_http_header(head, "If-None-Match", v, sizeof(v)) ||
		   test_http_header(head, "If-Match", v, sizeof(v))) {
		precondition_failed(fd);
	} else {
		error(fd, 400, "InvalidRequest", "not here");
	}
}

static void complete(int fd, const char *key, const char *head)
{
	struct object o = lookup(key, 1);
	char v[256];

	if (test_http_header(head, "If-Match", v, sizeof(v)) &&
	    (!o.exists || strcmp(v, o.write_etag))) {
		precondition_failed(fd);
		return;
	}
	answer(fd, 200,
	       "<CompleteMultipartUploadResult><Bucket>team-data</Bucket>"
	       "<ETag>&quot;done-1&quot;</ETag>"
	       "</CompleteMultipartUploadResult>");
}

int fault_s3(struct fault_server *fs, int fd, const char *method,
	     const char *target, const char *head, int hit)
{
	char key[512];

	key_of(key, sizeof(key), target);
	if (!strcmp(method, "GET") && strstr(target, "list-type=2")) {
		answer(fd, 200,
		       "<ListBucketResult><IsTruncated>false</IsTruncated>"
		       "</ListBucketResult>");
	} else if (!strcmp(method, "GET")) {
		return get_object(fs, fd, key, head, hit);
	} else if (!strcmp(method, "HEAD")) {
		head_object(fd, key);
	} else if (!strcmp(method, "POST") && strstr(target, "?uploads")) {
		answer(fd, 200,
		       "<InitiateMultipartUploadResult><Bucket>team-data"
		       "</Bucket><UploadId>upl-1</UploadId>"
		       "</InitiateMultipartUploadResult>");
	} else if (!strcmp(method, "POST") && strstr(target, "uploadId=")) {
		complete(fd, key, head);
	} else if (!strcmp(method, "PUT")) {
		put(fd, key, target, head);
	} else if (!strcmp(method, "DELETE") && strstr(target, "uploadId=")) {
		char counted[600];

		snprintf(counted, sizeof(counted), "DELETE %s", target);
		fault_count_hit(fs, counted);
		fault_sendf(fd, "HTTP/1.1 204 No Content\r\n\r\n");
	} else {
		error(fd, 400, "InvalidRequest", "not here");
	}
	return 0;
}
