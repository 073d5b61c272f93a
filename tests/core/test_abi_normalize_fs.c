/*
 * tests/core/test_abi_normalize_fs.c - the boundary rule for the
 * filesystem structs (core/abi_normalize_fs.c): each options struct from
 * a caller that is short (an older header), full, or longer (a newer
 * header, bytes past ours ignored) becomes a full-size struct with the
 * defaults a provider sees; a stat result goes back into a caller's
 * struct of any size without writing past it.
 */
#include "abi_normalize.h"
#include "testutil.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A caller's struct from a newer header: ours, then members we lack. */
#define NEWER(type)                                                            \
	struct {                                                               \
		type known;                                                    \
		unsigned char extra[40];                                       \
	}

/* ---- read options ------------------------------------------------------ */

static void test_read_null_and_zero(void)
{
	wsp_fs_read_opts in = WSP_FS_READ_OPTS_INIT, out;

	memset(&out, 0xab, sizeof(out));
	wsp__fs_read_opts_normalize(&out, NULL);
	CU_ASSERT_EQUAL(out.struct_size, sizeof(out));
	CU_ASSERT_EQUAL(out.offset, 0);
	CU_ASSERT_EQUAL(out.length, UINT64_MAX); /* 0: to the end */
	/* { .struct_size = sizeof x } is complete: the same defaults */
	wsp__fs_read_opts_normalize(&out, &in);
	CU_ASSERT_EQUAL(out.length, UINT64_MAX);
}

static void test_read_full(void)
{
	wsp_fs_read_opts in = WSP_FS_READ_OPTS_INIT, out;

	in.offset = 27;
	in.length = 100;
	wsp__fs_read_opts_normalize(&out, &in);
	CU_ASSERT_EQUAL(out.struct_size, sizeof(out));
	CU_ASSERT_EQUAL(out.offset, 27);
	CU_ASSERT_EQUAL(out.length, 100);
}

static void test_read_short(void)
{
	wsp_fs_read_opts in = WSP_FS_READ_OPTS_INIT, out;

	/* A header that ended before length: its offset only. */
	in.struct_size = offsetof(wsp_fs_read_opts, length);
	in.offset = 5;
	in.length = 3; /* past its size: not read */
	wsp__fs_read_opts_normalize(&out, &in);
	CU_ASSERT_EQUAL(out.struct_size, sizeof(out));
	CU_ASSERT_EQUAL(out.offset, 5);
	CU_ASSERT_EQUAL(out.length, UINT64_MAX);
}

static void test_read_newer(void)
{
	NEWER(wsp_fs_read_opts) in;
	wsp_fs_read_opts out;

	memset(&in, 0x5a, sizeof(in));
	in.known.struct_size = sizeof(in);
	in.known.flags = 0;
	in.known.offset = 9;
	in.known.length = 0;
	wsp__fs_read_opts_normalize(&out, &in.known);
	CU_ASSERT_EQUAL(out.struct_size, sizeof(out)); /* ours, not theirs */
	CU_ASSERT_EQUAL(out.offset, 9);
	CU_ASSERT_EQUAL(out.length, UINT64_MAX);
}

/* ---- write options ----------------------------------------------------- */

static void test_write_defaults(void)
{
	wsp_fs_write_opts in = WSP_FS_WRITE_OPTS_INIT, out;

	memset(&out, 0xab, sizeof(out));
	wsp__fs_write_opts_normalize(&out, NULL);
	CU_ASSERT_EQUAL(out.struct_size, sizeof(out));
	CU_ASSERT_EQUAL(out.flags, 0);
	CU_ASSERT_EQUAL(out.expected_mtime_ns, 0);
	CU_ASSERT_PTR_NULL(out.expected_version);
	CU_ASSERT_PTR_NULL(out.mime_type);
	CU_ASSERT_EQUAL(out.size_hint, 0);
	/* a size hint without WSP_FS_WRITE_SIZE_KNOWN means nothing */
	in.size_hint = 1234;
	wsp__fs_write_opts_normalize(&out, &in);
	CU_ASSERT_EQUAL(out.size_hint, 0);
}

static void test_write_full(void)
{
	wsp_fs_write_opts in = WSP_FS_WRITE_OPTS_INIT, out;

	in.flags = WSP_FS_WRITE_NO_OVERWRITE | WSP_FS_WRITE_SIZE_KNOWN;
	in.expected_mtime_ns = 42;
	in.expected_version = "v7";
	in.mime_type = "text/markdown";
	in.size_hint = 1234;
	wsp__fs_write_opts_normalize(&out, &in);
	CU_ASSERT_EQUAL(out.struct_size, sizeof(out));
	CU_ASSERT_EQUAL(out.flags, in.flags);
	CU_ASSERT_EQUAL(out.expected_mtime_ns, 42);
	CU_ASSERT_STRING_EQUAL(out.expected_version, "v7");
	CU_ASSERT_STRING_EQUAL(out.mime_type, "text/markdown");
	CU_ASSERT_EQUAL(out.size_hint, 1234);
}

static void test_write_short(void)
{
	wsp_fs_write_opts in = WSP_FS_WRITE_OPTS_INIT, out;

	in.struct_size = offsetof(wsp_fs_write_opts, mime_type);
	in.flags = WSP_FS_WRITE_SIZE_KNOWN;
	in.expected_version = "v1";
	in.mime_type = "text/plain"; /* past its size */
	in.size_hint = 99;	     /* past its size */
	wsp__fs_write_opts_normalize(&out, &in);
	CU_ASSERT_EQUAL(out.struct_size, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out.expected_version, "v1");
	CU_ASSERT_PTR_NULL(out.mime_type);
	CU_ASSERT_EQUAL(out.size_hint, 0);
}

static void test_write_newer(void)
{
	NEWER(wsp_fs_write_opts) in;
	wsp_fs_write_opts out;

	memset(&in, 0x5a, sizeof(in));
	in.known.struct_size = sizeof(in);
	in.known.flags = WSP_FS_WRITE_SIZE_KNOWN;
	in.known.expected_mtime_ns = 0;
	in.known.expected_version = NULL;
	in.known.mime_type = NULL;
	in.known.size_hint = 77;
	wsp__fs_write_opts_normalize(&out, &in.known);
	CU_ASSERT_EQUAL(out.struct_size, sizeof(out));
	CU_ASSERT_EQUAL(out.size_hint, 77);
	CU_ASSERT_PTR_NULL(out.mime_type);
}

/* ---- list options ------------------------------------------------------ */

static void test_list(void)
{
	static const char *const exts[] = {"md", NULL};
	wsp_fs_list_opts in = WSP_FS_LIST_OPTS_INIT, out;
	NEWER(wsp_fs_list_opts) newer;

	memset(&out, 0xab, sizeof(out));
	wsp__fs_list_opts_normalize(&out, NULL);
	CU_ASSERT_EQUAL(out.struct_size, sizeof(out));
	CU_ASSERT_EQUAL(out.flags, 0);
	CU_ASSERT_EQUAL(out.max_depth, 0);
	CU_ASSERT_PTR_NULL(out.extensions);

	/* full */
	in.flags = WSP_FS_RECURSIVE;
	in.max_depth = 3;
	in.extensions = exts;
	wsp__fs_list_opts_normalize(&out, &in);
	CU_ASSERT_EQUAL(out.max_depth, 3);
	CU_ASSERT_PTR_EQUAL(out.extensions, exts);
	/* a depth without RECURSIVE means nothing */
	in.flags = 0;
	wsp__fs_list_opts_normalize(&out, &in);
	CU_ASSERT_EQUAL(out.max_depth, 0);

	/* short: ended before extensions */
	in.struct_size = offsetof(wsp_fs_list_opts, extensions);
	in.flags = WSP_FS_RECURSIVE;
	wsp__fs_list_opts_normalize(&out, &in);
	CU_ASSERT_EQUAL(out.struct_size, sizeof(out));
	CU_ASSERT_EQUAL(out.max_depth, 3);
	CU_ASSERT_PTR_NULL(out.extensions);

	/* newer */
	memset(&newer, 0x5a, sizeof(newer));
	newer.known.struct_size = sizeof(newer);
	newer.known.flags = WSP_FS_RECURSIVE;
	newer.known.max_depth = 2;
	newer.known.reserved = 0;
	newer.known.extensions = exts;
	wsp__fs_list_opts_normalize(&out, &newer.known);
	CU_ASSERT_EQUAL(out.struct_size, sizeof(out));
	CU_ASSERT_EQUAL(out.max_depth, 2);
	CU_ASSERT_PTR_EQUAL(out.extensions, exts);
}

/* ---- stat results ------------------------------------------------------ */

static void filled(wsp_fs_stat *ours)
{
	wsp__fs_stat_prepare(ours);
	CU_ASSERT_EQUAL(ours->struct_size, sizeof(*ours));
	CU_ASSERT_EQUAL(ours->type, 0);
	ours->type = WSP_FS_TYPE_FILE;
	ours->size = 16;
	ours->mtime_ns = 123;
	ours->mode = 0644;
	strcpy(ours->version, "etag-1");
	strcpy(ours->mime_type, "text/plain");
}

static void test_stat_full(void)
{
	wsp_fs_stat ours, theirs = {.struct_size = sizeof(theirs)};

	filled(&ours);
	wsp__fs_stat_return(&theirs, &ours);
	CU_ASSERT_EQUAL(theirs.struct_size, sizeof(theirs));
	CU_ASSERT_EQUAL(theirs.size, 16);
	CU_ASSERT_STRING_EQUAL(theirs.version, "etag-1");
	CU_ASSERT_STRING_EQUAL(theirs.mime_type, "text/plain");
}

static void test_stat_short(void)
{
	/* An older caller's struct, with a guard after it. */
	union {
		wsp_fs_stat st;
		unsigned char bytes[sizeof(wsp_fs_stat)];
	} theirs;
	size_t cut = offsetof(wsp_fs_stat, mime_type), i;
	wsp_fs_stat ours;
	int untouched = 1;

	filled(&ours);
	memset(&theirs, 0xee, sizeof(theirs));
	theirs.st.struct_size = (uint32_t)cut;
	wsp__fs_stat_return(&theirs.st, &ours);
	CU_ASSERT_EQUAL(theirs.st.struct_size, cut);
	CU_ASSERT_EQUAL(theirs.st.size, 16);
	CU_ASSERT_STRING_EQUAL(theirs.st.version, "etag-1");
	for (i = cut; i < sizeof(theirs); i++)
		untouched &= theirs.bytes[i] == 0xee;
	CU_ASSERT(untouched);

	/* Too small to hold anything: nothing is written. */
	memset(&theirs, 0xee, sizeof(theirs));
	theirs.st.struct_size = 2;
	wsp__fs_stat_return(&theirs.st, &ours);
	CU_ASSERT_EQUAL(theirs.st.struct_size, 2);
	CU_ASSERT_EQUAL(theirs.bytes[4], 0xee);
}

static void test_stat_newer(void)
{
	NEWER(wsp_fs_stat) theirs;
	wsp_fs_stat ours;
	size_t i;
	int untouched = 1;

	filled(&ours);
	memset(&theirs, 0x5a, sizeof(theirs));
	theirs.known.struct_size = sizeof(theirs);
	wsp__fs_stat_return(&theirs.known, &ours);
	/* struct_size now says how much of it this core filled */
	CU_ASSERT_EQUAL(theirs.known.struct_size, sizeof(wsp_fs_stat));
	CU_ASSERT_EQUAL(theirs.known.mode, 0644);
	CU_ASSERT_STRING_EQUAL(theirs.known.mime_type, "text/plain");
	for (i = 0; i < sizeof(theirs.extra); i++)
		untouched &= theirs.extra[i] == 0x5a;
	CU_ASSERT(untouched);
}

static const CU_TestInfo tests[] = {
	{"read: NULL and zero", test_read_null_and_zero},
	{"read: full", test_read_full},
	{"read: short", test_read_short},
	{"read: newer", test_read_newer},
	{"write: defaults", test_write_defaults},
	{"write: full", test_write_full},
	{"write: short", test_write_short},
	{"write: newer", test_write_newer},
	{"list: NULL, full, short, newer", test_list},
	{"stat: full", test_stat_full},
	{"stat: short", test_stat_short},
	{"stat: newer", test_stat_newer},
	CU_TEST_INFO_NULL,
};

int main(void)
{
	return tu_main("core_abi_normalize_fs", tests);
}
