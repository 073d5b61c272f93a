/*
 * core/files/files_copy.c - wsp_files_copy() and wsp_files_move().
 *
 * Within one mount the provider's own copy/move slots do the work. Between
 * mounts (or for a provider without those slots) a file is streamed: a
 * thread runs the source provider's read, pushing into a bounded ring
 * buffer, while this thread runs the destination's write, pulling from it;
 * memory use is the ring's size whatever the file's. A directory is copied
 * entry by entry; a move between mounts is a copy, then a removal.
 *
 * The caller's call bounds the whole of it: each slot gets it, and the
 * emulation checks it before each slot it calls and between the chunks it
 * streams, so a canceled or late copy stops within one chunk (and a move
 * never removes its source after a canceled copy).
 */
#include "files.h"
#include "grow.h"
#include "search.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RING_SIZE (4u << 20)

struct ring {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char *buf;
	size_t head, len; /* data is buf[head .. head+len) modulo size */
	int eof;	  /* the reader finished (rd_rc says how) */
	int rd_rc;
	int abort; /* the writer gave up: the reader must stop */
	/* reader side */
	wsp__instance *src;
	const char *src_rel;
	wsp_error rd_err;
	const wsp_call *call; /* both sides check it between chunks */
};

static int ring_sink(const void *data, size_t len, void *payload)
{
	struct ring *g = payload;
	const char *p = data;
	int rc = wsp__files_call_check(g->call, "copy", g->src_rel, NULL);

	if (rc < 0)
		return rc;
	pthread_mutex_lock(&g->mu);
	while (len) {
		size_t tail, n;

		while (g->len == RING_SIZE && !g->abort)
			pthread_cond_wait(&g->cv, &g->mu);
		if (g->abort) {
			pthread_mutex_unlock(&g->mu);
			return WSP_ECANCELED;
		}
		tail = (g->head + g->len) % RING_SIZE;
		n = RING_SIZE - g->len;
		if (n > RING_SIZE - tail)
			n = RING_SIZE - tail;
		if (n > len)
			n = len;
		memcpy(g->buf + tail, p, n);
		g->len += n;
		p += n;
		len -= n;
		pthread_cond_broadcast(&g->cv);
	}
	pthread_mutex_unlock(&g->mu);
	return 0;
}

static int ring_source(void *buf, size_t cap, size_t *out_n, void *payload)
{
	struct ring *g = payload;
	size_t n;
	int rc = wsp__files_call_check(g->call, "copy", g->src_rel, NULL);

	*out_n = 0;
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&g->mu);
	while (!g->len && !g->eof)
		pthread_cond_wait(&g->cv, &g->mu);
	if (!g->len) {
		rc = g->rd_rc;
		pthread_mutex_unlock(&g->mu);
		return rc;
	}
	n = g->len;
	if (n > RING_SIZE - g->head)
		n = RING_SIZE - g->head;
	if (n > cap)
		n = cap;
	memcpy(buf, g->buf + g->head, n);
	g->head = (g->head + n) % RING_SIZE;
	g->len -= n;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
	*out_n = n;
	return 0;
}

static void *ring_reader(void *payload)
{
	struct ring *g = payload;
	wsp_fs_read_opts ro;
	int rc;

	wsp__fs_read_opts_normalize(&ro, NULL);
	rc = g->src->prov->fs.read(g->src->self, g->call, g->src_rel, &ro,
				   ring_sink, g, &g->rd_err);
	pthread_mutex_lock(&g->mu);
	g->eof = 1;
	g->rd_rc = rc;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

/* Stream one file from (src, srel) to (dst, drel). */
static int stream_file(const wsp_call *call, wsp__instance *src,
		       const char *srel, wsp__instance *dst, const char *drel,
		       uint32_t flags, wsp_error *err)
{
	wsp_fs_write_opts wo;
	struct ring g;
	pthread_t th;
	int rc;

	rc = wsp__files_call_check(call, "copy", srel, err);
	if (rc < 0)
		return rc;
	wsp__fs_write_opts_normalize(&wo, NULL);
	wsp__fs_write_opts_type(&wo, drel);
	memset(&g, 0, sizeof(g));
	g.buf = malloc(RING_SIZE);
	if (!g.buf)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	pthread_mutex_init(&g.mu, NULL);
	pthread_cond_init(&g.cv, NULL);
	g.src = src;
	g.src_rel = srel;
	g.call = call;
	if (!(flags & WSP_FS_OVERWRITE))
		wo.flags |= WSP_FS_WRITE_NO_OVERWRITE;
	if (pthread_create(&th, NULL, ring_reader, &g)) {
		rc = wsp_error_set(err, WSP_ENOMEM,
				   "cannot start a thread "
				   "to copy '%s'",
				   srel);
		goto out;
	}
	rc = dst->prov->fs.write(NULL, dst->self, call, drel, &wo, ring_source,
				 &g, err);
	pthread_mutex_lock(&g.mu);
	g.abort = 1;
	pthread_cond_broadcast(&g.cv);
	pthread_mutex_unlock(&g.mu);
	pthread_join(th, NULL);
	/* The reader's failure explains the writer's better. */
	if (g.rd_rc < 0 && g.rd_rc != WSP_ECANCELED) {
		if (err)
			*err = g.rd_err;
		rc = g.rd_rc;
	}
out:
	pthread_mutex_destroy(&g.mu);
	pthread_cond_destroy(&g.cv);
	free(g.buf);
	return rc;
}

struct tree_item {
	char *rel; /* relative to the copied directory */
	int dir;
};

struct tree {
	struct tree_item *items;
	size_t n, cap;
};

static int collect_item(const wsp_fs_entry *e, void *payload)
{
	struct tree *t = payload;
	struct tree_item *it;

	if (e->type != WSP_FS_TYPE_DIR && e->type != WSP_FS_TYPE_FILE &&
	    e->type != WSP_FS_TYPE_SYMLINK)
		return 0;
	it = wsp__grow(t->items, &t->cap, t->n, sizeof(*it), 64);
	if (!it)
		return WSP_ENOMEM;
	t->items = it;
	t->items[t->n].rel = strdup(e->path);
	if (!t->items[t->n].rel)
		return WSP_ENOMEM;
	t->items[t->n].dir = e->type == WSP_FS_TYPE_DIR;
	t->n++;
	return 0;
}

static int join(char *out, size_t cap, const char *a, const char *b)
{
	int n = strcmp(a, ".") ? snprintf(out, cap, "%s/%s", a, b)
			       : snprintf(out, cap, "%s", b);

	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/*
 * Every file of the tree (t, listed below srel) can be read: a link out
 * of the source's root or a dangling one would otherwise stop the copy
 * half way. A link to a directory stats as one and is skipped later.
 */
static int check_tree(const wsp_call *call, wsp__instance *src,
		      const char *srel, const struct tree *t, const char *shown,
		      wsp_error *err)
{
	char s[WSP_FILES_PATH_MAX + 2];
	wsp_fs_stat st;
	wsp_error why;
	size_t i;
	int rc;

	for (i = 0; i < t->n; i++) {
		if (t->items[i].dir)
			continue;
		if (join(s, sizeof(s), srel, t->items[i].rel) < 0)
			return wsp_error_set(err, WSP_EINVAL,
					     "cannot copy '%s': a path in it "
					     "is too long",
					     shown);
		rc = wsp__files_call_check(call, "copy", shown, err);
		if (rc < 0)
			return rc;
		wsp__fs_stat_prepare(&st);
		memset(&why, 0, sizeof(why));
		rc = src->prov->fs.stat(&st, src->self, call, s, 0, &why);
		if (rc < 0)
			return wsp_error_set(err, rc,
					     "cannot copy '%s' (nothing was "
					     "changed): %s",
					     shown, why.message);
	}
	return 0;
}

/* Copy a directory tree entry by entry (files streamed). */
static int stream_tree(const wsp_call *call, wsp__instance *src,
		       const char *srel, wsp__instance *dst, const char *drel,
		       uint32_t flags, const char *shown, wsp_error *err)
{
	wsp_fs_list_opts lo, in = WSP_FS_LIST_OPTS_INIT;
	char s[WSP_FILES_PATH_MAX + 2], d[WSP_FILES_PATH_MAX + 2];
	struct tree t = {NULL, 0, 0};
	size_t i;
	int rc;

	/* List and check the source before the destination changes. */
	in.flags = WSP_FS_RECURSIVE;
	wsp__fs_list_opts_normalize(&lo, &in);
	rc = wsp__files_call_check(call, "copy", shown, err);
	if (rc == 0)
		rc = src->prov->fs.list(src->self, call, srel, &lo,
					collect_item, &t, err);
	if (rc == 0)
		rc = check_tree(call, src, srel, &t, shown, err);
	if (rc == 0)
		rc = wsp__files_call_check(call, "copy", shown, err);
	if (rc == 0) {
		rc = dst->prov->fs.mkdir(
			dst->self, call, drel,
			(flags & WSP_FS_OVERWRITE) ? WSP_FS_RECURSIVE : 0, err);
		if (rc == WSP_ENOTFOUND)
			rc = dst->prov->fs.mkdir(dst->self, call, drel,
						 WSP_FS_RECURSIVE, err);
	}
	/* Directories first (each made with its parents, so in any order). */
	for (i = 0; rc == 0 && i < t.n; i++) {
		if (!t.items[i].dir)
			continue;
		if (join(d, sizeof(d), drel, t.items[i].rel) < 0) {
			rc = wsp_error_set(err, WSP_EINVAL,
					   "cannot copy '%s': "
					   "a path in it is too long",
					   shown);
			break;
		}
		rc = wsp__files_call_check(call, "copy", shown, err);
		if (rc == 0)
			rc = dst->prov->fs.mkdir(dst->self, call, d,
						 WSP_FS_RECURSIVE, err);
	}
	for (i = 0; rc == 0 && i < t.n; i++) {
		if (t.items[i].dir)
			continue;
		if (join(s, sizeof(s), srel, t.items[i].rel) < 0 ||
		    join(d, sizeof(d), drel, t.items[i].rel) < 0) {
			rc = wsp_error_set(err, WSP_EINVAL,
					   "cannot copy '%s': "
					   "a path in it is too long",
					   shown);
			break;
		}
		rc = stream_file(call, src, s, dst, d, flags, err);
		/* A symlink to a directory (or out of the root) is skipped. */
		if (rc == WSP_EISDIR)
			rc = 0;
	}
	for (i = 0; i < t.n; i++)
		free(t.items[i].rel);
	free(t.items);
	return rc;
}

/*
 * The start of a copy or a move: the caller's call made full size (c),
 * both ends routed; what the mount table forbids is refused.
 */
static int prepare(struct wsp__route *s, struct wsp__route *d, wsp_call *c,
		   wsp_workspace *ws, const wsp_call *call, const char *src,
		   const char *dst, int move, wsp_error *err)
{
	int rc;

	wsp__files_call_init(c, call);
	if (!ws)
		return wsp_error_set(err, WSP_EINVAL, "no workspace given");
	if ((rc = wsp__route(s, ws, src, err)) < 0 ||
	    (rc = wsp__route(d, ws, dst, err)) < 0)
		return rc;
	if (!s->mounted)
		return wsp_error_set(
			err, s->holds_mounts ? WSP_EBUSY : WSP_ENOTFOUND,
			"cannot %s '%s': %s", move ? "move" : "copy", src,
			s->holds_mounts ? "it only holds mount "
					  "points"
					: "it is not inside any "
					  "mount");
	if (move && (s->is_mount_point || s->holds_mounts))
		return wsp_error_set(err, WSP_EBUSY, "cannot move '%s': it %s",
				     src,
				     s->is_mount_point ? "is a mount point"
						       : "holds mount points");
	/* A missing source is "not found" before any read-only refusal. */
	if ((d->read_only || (move && s->read_only)) &&
	    (rc = wsp__route_must_exist(s, ws, c, move ? "move" : "copy",
					err)) < 0)
		return rc;
	if (move && (rc = wsp__route_writable(s, ws, err)) < 0)
		return rc;
	if (d->is_mount_point || d->holds_mounts)
		return wsp_error_set(err, WSP_EBUSY, "cannot %s to '%s': it %s",
				     move ? "move" : "copy", dst,
				     d->is_mount_point ? "is a mount point"
						       : "holds mount points");
	if ((rc = wsp__route_writable(d, ws, err)) < 0)
		return rc;
	if (wsp__path_within(s->path, d->path))
		return wsp_error_set(err, WSP_EINVAL,
				     "cannot %s '%s' into itself ('%s')",
				     move ? "move" : "copy", src, dst);
	if ((rc = wsp__route_load(s, ws, err)) < 0 ||
	    (rc = wsp__route_load(d, ws, err)) < 0)
		return rc;
	return 0;
}

/* The copy itself, once both ends are routed and loaded. */
static int copy_routed(const wsp_call *call, struct wsp__route *s,
		       struct wsp__route *d, uint32_t flags, wsp_error *err)
{
	wsp_fs_stat st;
	int rc;

	rc = wsp__files_call_check(call, "copy", s->shown, err);
	if (rc < 0)
		return rc;
	if (s->inst == d->inst && s->inst->prov->fs.copy)
		return s->inst->prov->fs.copy(s->inst->self, call, s->rel,
					      d->rel, flags, err);
	wsp__fs_stat_prepare(&st);
	rc = s->inst->prov->fs.stat(&st, s->inst->self, call, s->rel, 0, err);
	if (rc < 0)
		return rc;
	if (st.type == WSP_FS_TYPE_DIR) {
		wsp_fs_stat ds;
		int exists;

		if (!(flags & WSP_FS_RECURSIVE))
			return wsp_error_set(err, WSP_EISDIR,
					     "cannot copy '%s': it is a "
					     "directory (copy it recursively)",
					     s->shown);
		/* there before: refused without OVERWRITE, kept if it fails */
		wsp__fs_stat_prepare(&ds);
		exists = d->inst->prov->fs.stat(&ds, d->inst->self, call,
						d->rel, 0, NULL) == 0;
		if (exists && !(flags & WSP_FS_OVERWRITE))
			return wsp_error_set(err, WSP_EEXIST,
					     "cannot copy to '%s': it "
					     "already exists",
					     d->shown);
		rc = stream_tree(call, s->inst, s->rel, d->inst, d->rel, flags,
				 s->shown, err);
		/*
		 * A copy that failed half way is taken back, so a failed
		 * move or copy changes nothing; a directory that was there
		 * already (overwrite) is not removed. The clean-up runs
		 * under a call of its own: a canceled or late copy must
		 * still be undone.
		 */
		if (rc < 0 && !exists) {
			wsp_call undo;

			wsp__files_call_init(&undo, NULL);
			d->inst->prov->fs.rmdir(d->inst->self, &undo, d->rel,
						WSP_FS_RECURSIVE | WSP_FS_FORCE,
						NULL);
		}
		return rc;
	}
	return stream_file(call, s->inst, s->rel, d->inst, d->rel, flags, err);
}

int wsp_files_copy(wsp_workspace *ws, const wsp_call *call, const char *src,
		   const char *dst, uint32_t flags, wsp_error *err)
{
	struct wsp__route s, d;
	wsp_call c;
	int rc;

	rc = prepare(&s, &d, &c, ws, call, src, dst, 0, err);
	if (rc < 0)
		return rc;
	rc = copy_routed(&c, &s, &d, flags, err);
	if (rc == 0)
		wsp__search_note(ws, WSP__SEARCH_WRITTEN, d.path);
	wsp__route_result(rc, &s, err);
	return wsp__route_result(rc, &d, err);
}

int wsp_files_move(wsp_workspace *ws, const wsp_call *call, const char *src,
		   const char *dst, uint32_t flags, wsp_error *err)
{
	struct wsp__route s, d;
	wsp_call c;
	int rc;

	rc = prepare(&s, &d, &c, ws, call, src, dst, 1, err);
	if (rc < 0)
		return rc;
	rc = wsp__files_call_check(&c, "move", src, err);
	if (rc < 0)
		return rc;
	if (s.inst == d.inst && s.inst->prov->fs.move)
		rc = s.inst->prov->fs.move(s.inst->self, &c, s.rel, d.rel,
					   flags, err);
	else
		rc = copy_routed(&c, &s, &d, flags | WSP_FS_RECURSIVE, err);
	/*
	 * The copy is whole: the source goes even if the call expires now,
	 * or the move would leave two copies behind.
	 */
	if (rc == 0 && !(s.inst == d.inst && s.inst->prov->fs.move)) {
		wsp_call rm;

		wsp__files_call_init(&rm, NULL);
		rc = s.inst->prov->fs.remove(s.inst->self, &rm, s.rel,
					     WSP_FS_RECURSIVE, err);
	}
	if (rc == 0) {
		wsp__search_note(ws, WSP__SEARCH_REMOVED, s.path);
		wsp__search_note(ws, WSP__SEARCH_WRITTEN, d.path);
	}
	wsp__route_result(rc, &s, err);
	return wsp__route_result(rc, &d, err);
}
