/*
 * plugins/shared/objtree.c - see objtree.h.
 */
#include "objtree.h"
#include "fs_ext.h"

#include <stdio.h>
#include <string.h>

void objtree_init(struct objtree *t, const char *prefix,
		  const wsp_fs_list_opts *opts, wsp_fs_entry_fn cb,
		  void *payload)
{
	bool rec = opts->flags & WSP_FS_RECURSIVE;

	memset(t, 0, sizeof(*t));
	t->prefix = prefix;
	t->prefix_len = strlen(prefix);
	t->recursive = rec && opts->max_depth != 1;
	t->max_depth = rec ? opts->max_depth : 1;
	t->exts = opts->extensions;
	t->cb = cb;
	t->payload = payload;
}

static uint32_t depth_of(const char *rel)
{
	uint32_t d = 1;

	for (; *rel; rel++)
		d += *rel == '/';
	return d;
}

static int give(struct objtree *t, const char *rel, uint32_t type,
		uint64_t size, int64_t mtime_ns)
{
	const char *slash = strrchr(rel, '/');
	uint32_t depth = depth_of(rel);
	wsp_fs_entry e = {
		.struct_size = sizeof(e),
		.type = type,
		.path = rel,
		.name = slash ? slash + 1 : rel,
		.size = size,
		.mtime_ns = mtime_ns,
		.depth = depth,
	};
	int rc;

	if (t->max_depth && depth > t->max_depth)
		return 0;
	if (type == WSP_FS_TYPE_FILE && !fs_ext_kept(e.name, t->exts))
		return 0;
	rc = t->check ? t->check(t->check_ctx) : 0;
	return rc ? rc : t->cb(&e, t->payload);
}

/* dir and its ancestors, but those the previous name gave already. */
static int give_dirs(struct objtree *t, const char *dir)
{
	size_t n = strlen(dir);
	char buf[OBJTREE_NAME_MAX + 1];

	for (size_t i = 1; i <= n; i++) {
		if (i < n && dir[i] != '/')
			continue;
		bool seen = !strncmp(t->last_dir, dir, i) &&
			    (t->last_dir[i] == '\0' || t->last_dir[i] == '/');

		if (seen)
			continue;
		memcpy(buf, dir, i);
		buf[i] = '\0';
		int rc = give(t, buf, WSP_FS_TYPE_DIR, 0, 0);

		if (rc)
			return rc;
	}
	snprintf(t->last_dir, sizeof(t->last_dir), "%s", dir);
	return 0;
}

int objtree_name(struct objtree *t, const char *name, bool is_prefix,
		 uint64_t size, int64_t mtime_ns)
{
	const char *rel = name + t->prefix_len;
	char dir[OBJTREE_NAME_MAX + 1];
	size_t rl;

	if (strncmp(name, t->prefix, t->prefix_len))
		return 0;
	t->found = true;
	if (!*rel)
		return 0; /* the directory's own marker */
	rl = strlen(rel);
	if (rl > OBJTREE_NAME_MAX)
		return 0; /* longer than either store allows: not ours */
	if (!t->recursive) {
		if (is_prefix || rel[rl - 1] == '/') {
			snprintf(dir, sizeof(dir), "%.*s", (int)(rl - 1), rel);
			return give(t, dir, WSP_FS_TYPE_DIR, 0, 0);
		}
		return give(t, rel, WSP_FS_TYPE_FILE, size, mtime_ns);
	}
	/* recursive: a marker "x/y/" is the directory x/y */
	const char *slash =
		rel[rl - 1] == '/' ? rel + rl - 1 : strrchr(rel, '/');

	if (slash) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - rel), rel);
		int rc = give_dirs(t, dir);

		if (rc || rel[rl - 1] == '/')
			return rc;
	}
	if (is_prefix)
		return 0;
	return give(t, rel, WSP_FS_TYPE_FILE, size, mtime_ns);
}
