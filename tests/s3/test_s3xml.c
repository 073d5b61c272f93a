/*
 * tests/s3/test_s3xml.c - the S3 provider's XML reader: the documents S3
 * sends, entities, namespaces, and malformed or hostile input refused.
 */
#include "../../plugins/fs-s3/s3.h"

#include "cu_main.h"

#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>

/* All "path=text" leaves, joined with '|'; "ERR" appended on an error. */
static char *walk(const char *doc)
{
	struct s3xml x;
	char *out = calloc(1, 8192);
	int rc;

	s3xml_init(&x, doc, strlen(doc));
	while ((rc = s3xml_next(&x)) > 0) {
		strcat(out, x.path);
		strcat(out, "=");
		strcat(out, x.text);
		strcat(out, "|");
	}
	if (rc < 0)
		strcat(out, "ERR");
	s3xml_free(&x);
	return out;
}

static void check(const char *doc, const char *want)
{
	char *got = walk(doc);

	CU_ASSERT_STRING_EQUAL(got, want);
	free(got);
}

static void test_documents(void)
{
	check("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	      "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/"
	      "2006-03-01/\"><Name>b</Name><Contents><Key>a &amp; b</Key>"
	      "<Size>5</Size></Contents><CommonPrefixes><Prefix>d/</Prefix>"
	      "</CommonPrefixes><IsTruncated>false</IsTruncated>"
	      "</ListBucketResult>",
	      "ListBucketResult/Name=b|ListBucketResult/Contents/Key=a & b|"
	      "ListBucketResult/Contents/Size=5|"
	      "ListBucketResult/CommonPrefixes/Prefix=d/|"
	      "ListBucketResult/IsTruncated=false|");
	check("<Error><Code>NoSuchKey</Code><!-- <Code>x</Code> -->"
	      "<Message>&lt;&gt;&quot;&apos;&#65;&#x42;&#xe9;</Message>"
	      "<Empty/><s3:Ns>v</s3:Ns></Error>",
	      "Error/Code=NoSuchKey|Error/Message=<>\"'AB\xc3\xa9|"
	      "Error/Empty=|Error/Ns=v|");
	check("", "");
	/* an empty leaf first, before any text was kept: still a string */
	check("<r><e></e><f/>x<g>&amp;</g><h></h></r>",
	      "r/e=|r/f=|r/g=&|r/h=|");
	check("<r/>", "r=|");
}

static void test_malformed(void)
{
	check("<a><b>x</a>", "ERR");	    /* mismatched close */
	check("<a><b>x</b>", "a/b=x|ERR");  /* unclosed */
	check("<a>&bogus;</a>", "ERR");	    /* unknown entity */
	check("<a>&#0;</a>", "ERR");	    /* NUL by reference */
	check("<a>&#xD800;</a>", "ERR");    /* surrogate */
	check("<a>&#99999999;</a>", "ERR"); /* out of range */
	check("<a>& b</a>", "ERR");	    /* bare ampersand */
	check("</a>", "ERR");		    /* close without open */
	check("<a><!-- never closed </a>", "ERR");
	check("<>x</>", "ERR");
	/* deeper than 16 levels is refused, not recursed into */
	check("<a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a>x"
	      "</a></a></a></a></a></a></a></a></a></a></a></a></a></a>"
	      "</a></a></a>",
	      "ERR");
	/* a NUL byte anywhere: not XML */
	struct s3xml x;
	const char doc[] = "<a>x\0y</a>";

	s3xml_init(&x, doc, sizeof(doc) - 1);
	CU_ASSERT_EQUAL(s3xml_next(&x), -1);
	s3xml_free(&x);
}

static void test_find(void)
{
	const char *d = "<InitiateMultipartUploadResult><Bucket>b</Bucket>"
			"<UploadId>abc-123</UploadId>"
			"</InitiateMultipartUploadResult>";
	char *v = s3xml_find(d, strlen(d),
			     "InitiateMultipartUploadResult/UploadId");

	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_STRING_EQUAL(v, "abc-123");
	free(v);
	CU_ASSERT_PTR_NULL(s3xml_find(d, strlen(d), "Error/Code"));
}

static CU_TestInfo tests[] = {
	{"S3 documents", test_documents},
	{"malformed input", test_malformed},
	{"find", test_find},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("s3xml", NULL, NULL, tests)
