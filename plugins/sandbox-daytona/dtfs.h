/*
 * plugins/sandbox-daytona/dtfs.h - what fs.c (metadata calls) and
 * fs_io.c (reads, writes, commands on files) share: the sandbox's disk
 * as a filesystem, one toolbox and one path at a time.
 */
#ifndef WSP_DAYTONA_DTFS_H
#define WSP_DAYTONA_DTFS_H

#include "daytona.h"

/* One operation: the toolbox, its working directory, the full path. */
struct dt_fsx {
	struct dt *d;
	const wsp_call *call;
	char base[DT_URL_MAX];
	char root[DT_FS_PATH_MAX]; /* the mount's root in the sandbox */
	char full[DT_FS_PATH_MAX]; /* root + "/" + the path asked for */
};

/* What wsp takes of a FileInfo (strings owned by the JSON). */
struct dt_fs_info {
	const char *name;
	int is_dir, is_link;
	uint64_t size;
	uint32_t mode;
	int64_t mtime_ns;
};

/* The sandbox started, its toolbox and root known, rel joined. */
int dt_fs_begin(struct dt_fsx *x, struct dt *d, const char *rel,
		const wsp_call *call, wsp_error *err);
/*
 * dt_fs_begin, then the path's stat into st (WSP_ENOTFOUND, WSP_ENOTDIR
 * under a file); a sandbox stopped meanwhile is started and asked again.
 * Every operation opens with it.
 */
int dt_fs_open(struct dt_fsx *x, wsp_fs_stat *st, struct dt *d,
	       const char *rel, const wsp_call *call, wsp_error *err);
/* method {base}/files{route}?path={full}{more}; the JSON answer if out. */
int dt_fs_call(const struct dt_fsx *x, const char *method, const char *route,
	       const char *full, const char *more, cJSON **out,
	       wsp_error *err);
/* 0, or WSP_EPROTO for JSON that is no FileInfo. */
int dt_fs_info(struct dt_fs_info *out, const cJSON *fi);
/* out may be NULL; WSP_ENOTFOUND, WSP_ENOTDIR (under a file). */
int dt_fs_stat_full(wsp_fs_stat *out, const struct dt_fsx *x,
		    const char *full, wsp_error *err);
int dt_fs_parent_there(const struct dt_fsx *x, const char *full,
		       wsp_error *err);
int dt_fs_delete(const struct dt_fsx *x, const char *full, int recursive,
		 wsp_error *err);
/* The toolbox's move: WSP_EEXIST when b is there. */
int dt_fs_move_full(const struct dt_fsx *x, const char *a, const char *b,
		    wsp_error *err);
/* prefix..., a, b run in the sandbox (process/execute, or a session
 * command for names it cannot carry); exit 0, or WSP_EIO. */
int dt_fs_sh(const struct dt_fsx *x, const char *const *prefix,
	     const char *a, const char *b, wsp_error *err);
/* { "mv", "-f", "--", NULL }: a rename over what is there */
extern const char *const dt_mv[];

/* fileinfo.c: a name wsp takes from a listing (no '/', "." or ".."). */
int dt_fs_name_ok(const char *n);

/* fs_io.c */
int dt_fs_read(void *self, const wsp_call *call, const char *path,
	       const wsp_fs_read_opts *opts, wsp_sink_fn sink, void *payload,
	       wsp_error *err);
int dt_fs_write(wsp_fs_stat *out, void *self, const wsp_call *call,
		const char *path, const wsp_fs_write_opts *opts,
		wsp_source_fn source, void *payload, wsp_error *err);
/* len bytes of data uploaded as the file full (an absolute path in the
 * sandbox, its directory there), written in place (no rename). */
int dt_fs_put(const struct dt_fsx *x, const char *full, const void *data,
	      size_t len, wsp_error *err);

#endif
