/*
 * tests/common/remote_fs_tests.h - the file tests every remote sandbox
 * (tests/sandbox-blaxel, tests/sandbox-daytona, tests/sandbox-e2b) runs
 * on its descriptor's
 * sandbox_fs against its fake: one body each, so the providers are held
 * to the same rules (wsp's mkdir, remove, rmdir, move and copy, the
 * refusals, listings to a depth, names a URL cannot carry as they are).
 * What only one provider's wire shows (the requests its fake logged)
 * stays in that suite, through the hooks below.
 */
#ifndef WSP_TEST_REMOTE_FS_TESTS_H
#define WSP_TEST_REMOTE_FS_TESTS_H

#include "fake_env.h"

#include <stdint.h>

/* Write text to path (a streamed write, flags WSP_FS_WRITE_*). */
int rfs_put_text(struct box *bx, const char *path, const char *text,
		 uint32_t flags, wsp_error *err);
/* The text of a small file ("" when it cannot be read); the buffer is
 * static, valid until the next call. */
const char *rfs_get_text(struct box *bx, const char *path);

/* A listing's entries as "path:depth " ("path:depth/ " for a directory),
 * appended by rfs_collect (a wsp_fs_list callback). */
struct rfs_names {
	char text[1024];
};
int rfs_collect(const wsp_fs_entry *en, void *payload);

/* Hooks of rfs_streamed_write_and_read, given the fake's request log
 * (it was cleared before the write, and again before the range). */
struct rfs_wire_checks {
	void (*after_write)(cJSON *log);
	void (*after_range)(cJSON *log);
};

/* 3 MiB + 17 written in pieces, then read whole, by range and past the
 * end. */
void rfs_streamed_write_and_read(struct box *bx,
				 const struct rfs_wire_checks *wire);
/* A file written here is what a command reads, and back. */
void rfs_same_disk_as_commands(struct box *bx);
/* Names with spaces, quotes, '%', '?', '#', UTF-8: each form escapes
 * its own and nothing goes astray. */
void rfs_names_to_escape(struct box *bx);
/* mkdir, writes with their flags, listings, copy, move, remove and rmdir
 * with wsp's rules and refusals, under "t" (removed at the end). */
void rfs_tree_operations(struct box *bx);
/* A path under a file (fs.h): stat, list, read, mkdir and a write
 * WSP_ENOTDIR, exists 0 with no error; under "u". */
void rfs_under_a_file(struct box *bx);
/* copy and move with OVERWRITE over what is there (fs.h): a file never
 * replaces a directory (WSP_EISDIR), nor a directory a file
 * (WSP_ENOTDIR), nothing changed by a refusal; a file replaces a file;
 * under "o". */
void rfs_over_a_directory(struct box *bx);

/*
 * The five bodies above as CUnit tests on rfs_box, which the suite sets
 * to its box in its init: each suite lists them in its CU_TestInfo
 * rather than wrapping each one again.
 */
extern struct box *rfs_box;
void rfs_test_same_disk_as_commands(void);
void rfs_test_names_to_escape(void);
void rfs_test_tree_operations(void);
void rfs_test_under_a_file(void);
void rfs_test_over_a_directory(void);

#endif
