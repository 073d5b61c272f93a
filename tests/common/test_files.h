/*
 * tests/common/test_files.h - small file helpers shared by test suites
 * (and bench/mcp): read a text, write one, remove a scratch tree.
 */
#ifndef WSP_TEST_FILES_H
#define WSP_TEST_FILES_H

#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>

/*
 * Read up to cap - 1 bytes of the file at path into buf, NUL-terminated;
 * buf is "" when the file does not exist or cannot be read (tests then
 * fail on its content, not here).
 */
static inline void test_read_text(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, cap - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

/*
 * Write text to the file at path (created or truncated): 0, or -1 when it
 * could not be written whole. No CUnit assertion: a suite's init may call
 * it; a test asserts on what it returns.
 */
static inline int test_write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	if (fputs(text, f) < 0) {
		fclose(f);
		return -1;
	}
	return fclose(f) ? -1 : 0;
}

static inline int test_remove_one_(const char *path, const struct stat *st,
				   int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	remove(path);
	return 0; /* on to the rest: as much as can go goes */
}

/* rm -rf path (a test's scratch tree; links are removed, not followed). */
static inline void test_remove_tree(const char *path)
{
	nftw(path, test_remove_one_, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
