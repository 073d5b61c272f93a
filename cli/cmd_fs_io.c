/*
 * cli/cmd_fs_io.c - `wsp fs cat|put|append|get`: streamed transfers between the
 * workspace and local files, with a progress bar on standard error when
 * it is a terminal.
 */
#include "cmd_fs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct progress {
	int on;
	uint64_t total; /* 0: unknown */
	uint64_t done;
	double start, last;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void human(char *out, size_t cap, double bytes)
{
	static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	int u = 0;

	while (bytes >= 1024 && u < 4) {
		bytes /= 1024;
		u++;
	}
	snprintf(out, cap, u ? "%.1f %s" : "%.0f %s", bytes, unit[u]);
}

static void progress_draw(struct progress *p, int final)
{
	char done[32], total[32], rate[32], bar[31];
	double t = now(), secs = t - p->start;

	if (!p->on || (!final && t - p->last < 0.1))
		return;
	p->last = t;
	human(done, sizeof(done), (double)p->done);
	human(rate, sizeof(rate), secs > 0 ? (double)p->done / secs : 0);
	if (p->total) {
		int pct = (int)(p->done * 100 / p->total),
		    fill = pct * 30 / 100;

		memset(bar, '=', (size_t)fill);
		memset(bar + fill, ' ', (size_t)(30 - fill));
		bar[30] = '\0';
		human(total, sizeof(total), (double)p->total);
		fprintf(stderr, "\r%3d%% [%s] %s / %s  %s/s ", pct, bar, done,
			total, rate);
	} else {
		fprintf(stderr, "\r%s  %s/s ", done, rate);
	}
	if (final)
		fputc('\n', stderr);
	fflush(stderr);
}

static void progress_start(struct progress *p, int json, uint64_t total)
{
	memset(p, 0, sizeof(*p));
	p->on = !json && isatty(STDERR_FILENO);
	p->total = total;
	p->start = p->last = now();
}

struct out_sink {
	FILE *fp;
	struct progress *p;
};

static int write_out(const void *data, size_t len, void *payload)
{
	struct out_sink *o = payload;

	if (fwrite(data, 1, len, o->fp) != len)
		return WSP_EIO;
	if (o->p) {
		o->p->done += len;
		progress_draw(o->p, 0);
	}
	return 0;
}

int fs_cat(wsp_workspace *ws, const struct fs_args *a)
{
	struct out_sink o = {stdout, NULL};
	wsp_error err;
	int rc;

	rc = wsp_files_read(ws, NULL, a->pos[0], NULL, write_out, &o, &err);
	if (fflush(stdout) != 0 && rc == 0) {
		cli_error("cannot write to standard output: %s",
			  strerror(errno));
		return WSP_EXIT_FAIL;
	}
	return rc < 0 ? fs_fail(&err) : WSP_EXIT_OK;
}

struct in_source {
	FILE *fp;
	struct progress *p;
	int failed; /* errno of a local read error */
};

static int read_in(void *buf, size_t cap, size_t *out_n, void *payload)
{
	struct in_source *in = payload;
	size_t n = fread(buf, 1, cap, in->fp);

	if (n == 0 && ferror(in->fp)) {
		in->failed = errno ? errno : EIO;
		return WSP_EIO;
	}
	*out_n = n;
	in->p->done += n;
	progress_draw(in->p, 0);
	return 0;
}

/* The most an append by rewriting holds in memory of the old file. */
#define APPEND_REWRITE_MAX (64u << 20)

/* An append by rewriting: the old bytes, then the local source. */
struct rewrite_src {
	char *old;
	size_t len, pos;
	struct in_source *in;
};

static int keep_old(const void *data, size_t len, void *payload)
{
	struct rewrite_src *r = payload;
	char *p;

	if (len > APPEND_REWRITE_MAX - r->len)
		return WSP_ETOOBIG;
	p = realloc(r->old, r->len + len ? r->len + len : 1);
	if (!p)
		return WSP_ENOMEM;
	memcpy(p + r->len, data, len);
	r->old = p;
	r->len += len;
	return 0;
}

static int read_rewrite(void *buf, size_t cap, size_t *out_n, void *payload)
{
	struct rewrite_src *r = payload;
	size_t n = r->len - r->pos;

	if (!n)
		return read_in(buf, cap, out_n, r->in);
	n = n < cap ? n : cap;
	memcpy(buf, r->old + r->pos, n);
	r->pos += n;
	*out_n = n;
	return 0;
}

/*
 * An append the provider cannot do in place (S3 writes objects whole):
 * write the old content and then the new as one new version, on the
 * condition that the file is still the one read (else WSP_ESTALE: a
 * writer in between is not silently overwritten).
 */
static int append_by_rewrite(wsp_fs_stat *st, wsp_workspace *ws,
			     const char *path, struct in_source *in,
			     wsp_error *err)
{
	wsp_fs_write_opts wo = WSP_FS_WRITE_OPTS_INIT;
	wsp_fs_stat cur = {.struct_size = sizeof(cur)};
	struct rewrite_src r = {NULL, 0, 0, in};
	int rc = wsp_files_stat(&cur, ws, NULL, path, 0, err);

	if (rc == WSP_ENOTFOUND) {
		wo.flags = WSP_FS_WRITE_NO_OVERWRITE; /* created meanwhile? */
	} else if (rc < 0) {
		return rc;
	} else if (cur.type == WSP_FS_TYPE_DIR) {
		return wsp_error_set(err, WSP_EISDIR,
				     "cannot append to '%s': is a directory",
				     path);
	} else {
		rc = wsp_files_read(ws, NULL, path, NULL, keep_old, &r, err);
		if (rc == WSP_ETOOBIG)
			wsp_error_set(err, rc,
				      "cannot append to '%s': its provider "
				      "rewrites the whole file, and it is "
				      "over %u MiB",
				      path, APPEND_REWRITE_MAX >> 20);
		if (rc < 0) {
			free(r.old);
			return rc;
		}
		wo.expected_version = cur.version[0] ? cur.version : NULL;
		wo.expected_mtime_ns = cur.version[0] ? 0 : cur.mtime_ns;
	}
	rc = wsp_files_write(st, ws, NULL, path, &wo, read_rewrite, &r, err);
	free(r.old);
	return rc;
}

int fs_put(wsp_workspace *ws, const struct fs_args *a)
{
	wsp_fs_write_opts wo = WSP_FS_WRITE_OPTS_INIT;
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	const char *local = a->pos[0], *path = a->pos[1];
	char into[WSP_FILES_PATH_MAX + 2];
	struct progress p;
	struct in_source in = {NULL, &p, 0};
	struct stat ls;
	wsp_error err;
	int rc;

	in.fp = strcmp(local, "-") ? fopen(local, "rb") : stdin;
	if (!in.fp) {
		cli_error("cannot open '%s': %s", local, strerror(errno));
		return WSP_EXIT_FAIL;
	}
	if (fstat(fileno(in.fp), &ls) == 0 && S_ISDIR(ls.st_mode)) {
		cli_error("cannot upload '%s': it is a directory", local);
		fclose(in.fp);
		return WSP_EXIT_FAIL;
	}
	if (fstat(fileno(in.fp), &ls) == 0 && S_ISREG(ls.st_mode)) {
		wo.flags |= WSP_FS_WRITE_SIZE_KNOWN;
		wo.size_hint = (uint64_t)ls.st_size;
	}
	if (a->no_clobber)
		wo.flags |= WSP_FS_WRITE_NO_OVERWRITE;
	if (a->append) /* the size known is what is added, not the total */
		wo.flags = (wo.flags & ~WSP_FS_WRITE_SIZE_KNOWN) |
			   WSP_FS_WRITE_APPEND;
	/* Appending to a directory is refused (EISDIR), not redirected. */
	if (!a->append && strcmp(local, "-") &&
	    fs_into_dir(into, sizeof(into), ws, path, local))
		path = into;
	progress_start(&p, a->json, wo.size_hint);
	rc = wsp_files_write(&st, ws, NULL, path, &wo, read_in, &in, &err);
	/* Refused before reading a byte: nothing of LOCAL is lost. */
	if (rc == WSP_ENOTSUP && a->append && !p.done)
		rc = append_by_rewrite(&st, ws, path, &in, &err);
	progress_draw(&p, 1);
	if (in.fp != stdin)
		fclose(in.fp);
	if (in.failed) {
		cli_error("cannot read '%s': %s", local, strerror(in.failed));
		return WSP_EXIT_FAIL;
	}
	if (rc < 0)
		return fs_fail(&err);
	if (a->json) {
		cJSON *doc = cJSON_CreateObject();

		cJSON_AddStringToObject(doc, "path", path);
		cJSON_AddNumberToObject(doc, "size", (double)st.size);
		cJSON_AddStringToObject(doc, "version", st.version);
		return fs_print_json(doc);
	}
	return WSP_EXIT_OK;
}

int fs_get(wsp_workspace *ws, const struct fs_args *a)
{
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	const char *path = a->pos[0], *local = a->pos[1];
	int to_stdout = !strcmp(local, "-");
	struct progress p;
	struct out_sink o = {NULL, &p};
	wsp_error err;
	int rc;

	if (wsp_files_stat(&st, ws, NULL, path, 0, &err) < 0)
		return fs_fail(&err);
	if (st.type == WSP_FS_TYPE_DIR) {
		cli_error("cannot download '%s': it is a directory", path);
		return WSP_EXIT_FAIL;
	}
	o.fp = to_stdout ? stdout : fopen(local, "wb");
	if (!o.fp) {
		cli_error("cannot create '%s': %s", local, strerror(errno));
		return WSP_EXIT_FAIL;
	}
	progress_start(&p, a->json, st.size);
	rc = wsp_files_read(ws, NULL, path, NULL, write_out, &o, &err);
	progress_draw(&p, 1);
	if ((to_stdout ? fflush(o.fp) : fclose(o.fp)) != 0 && rc == 0) {
		cli_error("cannot write '%s': %s", local, strerror(errno));
		rc = WSP_EIO;
		err.message[0] = '\0';
	}
	if (rc < 0) {
		if (!to_stdout)
			unlink(local); /* no half-downloaded file */
		return err.message[0] ? fs_fail(&err) : WSP_EXIT_FAIL;
	}
	if (a->json && !to_stdout) {
		cJSON *doc = cJSON_CreateObject();

		cJSON_AddStringToObject(doc, "path", path);
		cJSON_AddNumberToObject(doc, "size", (double)p.done);
		return fs_print_json(doc);
	}
	return WSP_EXIT_OK;
}
