/*
 * conformance_fs.h - what the filesystem checks share: the test
 * directory they all work under, and small read/write helpers.
 */
#ifndef WSP_CONFORMANCE_FS_H
#define WSP_CONFORMANCE_FS_H

#include "conformance.h"

/* The fresh directory every check works under ("/wsp-conformance-PID"). */
extern char conf_fs_root[128];

/* A workspace path under the test directory, written into buf. */
const char *conf_fs_at(char *buf, size_t cap, const char *rel);

#define P(rel) conf_fs_at(pbuf, sizeof(pbuf), rel)
#define Q(rel) conf_fs_at(qbuf, sizeof(qbuf), rel)

/* Write text (no NUL) to path, replacing it. */
int conf_put(wsp_workspace *ws, const char *path, const char *text,
	     wsp_error *err);

/* 1 when path holds exactly text, 0 when it differs or cannot be read. */
int conf_holds(wsp_workspace *ws, const char *path, const char *text);

/* A wsp_fs_entry_fn counting entries into *(size_t *)payload. */
int conf_count_entries(const wsp_fs_entry *e, void *payload);

/* 1 when path exists, 0 when not, -1 when that cannot be told. */
int conf_there(wsp_workspace *ws, const char *path);

/* Groups of checks, run in this order after the basic operations. */
void conf_fs_run_writes(struct conf *c);    /* append, preconditions */
void conf_fs_run_call(struct conf *c);	    /* expired and fired calls */
void conf_fs_run_large(struct conf *c);	    /* streamed MiBs */
void conf_fs_run_read_only(struct conf *c); /* read_only: true */
void conf_fs_run_symlinks(struct conf *c);  /* WSP_CAP_FS_SYMLINKS */
void conf_fs_run_mount_source(struct conf *c); /* fs.mount_source */

#endif /* WSP_CONFORMANCE_FS_H */
