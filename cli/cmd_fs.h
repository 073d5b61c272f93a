/*
 * cli/cmd_fs.h - what the `wsp fs` files share (cmd_fs.c: dispatch,
 * listing and metadata; cmd_fs_io.c: cat, put and get with progress).
 */
#ifndef WSP_CLI_CMD_FS_H
#define WSP_CLI_CMD_FS_H

#include "cli.h"

#include <cjson/cJSON.h>

#define FS_MAX_EXT 16

/* Parsed options of one `wsp fs` subcommand. */
struct fs_args {
	int json, long_fmt, recursive, force, parents, no_clobber;
	int append; /* fs append: fs_put adds to the end */
	int n;	    /* positional arguments */
	const char *pos[3];
	const char *ext[FS_MAX_EXT + 1]; /* ls --ext, NULL-terminated */
	int n_ext;
};

/* Print doc on one line and delete it; returns the exit status. */
int fs_print_json(cJSON *doc);

/* Report err on stderr; returns WSP_EXIT_FAIL. */
int fs_fail(const wsp_error *err);

/*
 * When dst is an existing directory, write dst/<last component of src>
 * into out and return 1 (cp and mv into a directory); else return 0.
 */
int fs_into_dir(char *out, size_t cap, wsp_workspace *ws, const char *dst,
		const char *src);

int fs_cat(wsp_workspace *ws, const struct fs_args *a);
/* put, and append (a->append) */
int fs_put(wsp_workspace *ws, const struct fs_args *a);
int fs_get(wsp_workspace *ws, const struct fs_args *a);

#endif
