/*
 * cli/cmd_fs.c - `wsp fs ls|cat|put|append|get|rm|rmdir|mkdir|stat|cp|mv`: the
 * workspace's files (every mount) from the command line, through the
 * public file API (<wsp/files.h>).
 */
#include "cmd_fs.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { FS_EXT = CLI_LONG };

#define OPT_N(what)                                                            \
	{'n', NULL, NULL, "do not replace an existing " what " (fail instead)"}
#define OPT_JSON(what) {CLI_G_JSON, "json", NULL, what}

static const struct cli_opt ls_opts[] = {
	{'l', NULL, NULL,
	 "long format: type (d - l ?), size, modification time,\n"
	 "path, and '-> target' for symlinks"},
	{'R', NULL, NULL, "the whole tree below PATH"},
	{FS_EXT, "ext", "EXT",
	 "only files ending in EXT (\".txt\" or \"txt\", case\n"
	 "matters; repeat for more); directories are still listed"},
	OPT_JSON("an array of {path, name, type, size, mtime_ns, depth,\n"
		 "symlink_target (symlinks only)}"),
	{0, NULL, NULL, NULL},
};
static const struct cli_opt put_opts[] = {
	OPT_N("PATH"),
	OPT_JSON("print {path, size, version} of the new file"),
	{0, NULL, NULL, NULL},
};
static const struct cli_opt append_opts[] = {
	OPT_JSON("print {path, size, version} of the file afterwards"),
	{0, NULL, NULL, NULL},
};
static const struct cli_opt get_opts[] = {
	OPT_JSON("print {path, size} once done (not with LOCAL '-')"),
	{0, NULL, NULL, NULL},
};
static const struct cli_opt rm_opts[] = {
	{'r', NULL, NULL, "remove directories recursively"},
	{'f', NULL, NULL, "a missing PATH is not an error"},
	{0, NULL, NULL, NULL},
};
static const struct cli_opt mkdir_opts[] = {
	{'p', NULL, NULL, "create missing parents; an existing directory is fine"},
	{0, NULL, NULL, NULL},
};
static const struct cli_opt stat_opts[] = {
	OPT_JSON("print it as one object"),
	{0, NULL, NULL, NULL},
};
static const struct cli_opt cp_opts[] = {
	{'r', NULL, NULL, "copy directories recursively"},
	OPT_N("DST"),
	{0, NULL, NULL, NULL},
};
static const struct cli_opt mv_opts[] = {
	OPT_N("DST"),
	{0, NULL, NULL, NULL},
};

static const struct fs_sub {
	int min, max; /* operands */
	struct cli_cmd cmd;
} subs[] = {
	{0, 1, {"fs ls",
	 "usage: wsp fs ls [-l] [-R] [--ext EXT]... [--json] [PATH]\n\n"
	 "List a directory of the workspace (default \"/\"), sorted by name;\n"
	 "directories end in '/'. Mount points show as directories.\n",
	 ls_opts, NULL, 0, NULL}},
	{1, 1, {"fs cat",
	 "usage: wsp fs cat PATH\n\n"
	 "Write a file of the workspace to standard output (streamed).\n",
	 NULL, NULL, 0, NULL}},
	{2, 2, {"fs put",
	 "usage: wsp fs put [-n] [--json] LOCAL PATH\n\n"
	 "Upload the local file LOCAL ('-' for standard input) to PATH in the\n"
	 "workspace, streamed and atomic (readers see the old file or the new\n"
	 "one); missing parent directories are created. When PATH is a\n"
	 "directory, the file keeps its name inside it. A progress bar goes\n"
	 "to standard error when it is a terminal.\n",
	 put_opts, NULL, 0, NULL}},
	{2, 2, {"fs append",
	 "usage: wsp fs append [--json] LOCAL PATH\n\n"
	 "Add the local file LOCAL ('-' for standard input) to the end of\n"
	 "PATH in the workspace, creating PATH (and missing parent\n"
	 "directories) when it does not exist. Where the provider cannot\n"
	 "append in place (S3 writes objects whole) the file is rewritten:\n"
	 "its old content (at most 64 MiB) then LOCAL, refused (ESTALE) when\n"
	 "it changed in between.\n",
	 append_opts, NULL, 0, NULL}},
	{2, 2, {"fs get",
	 "usage: wsp fs get [--json] PATH LOCAL\n\n"
	 "Download PATH from the workspace to the local file LOCAL ('-' for\n"
	 "standard output), streamed. A progress bar goes to standard error\n"
	 "when it is a terminal.\n",
	 get_opts, NULL, 0, NULL}},
	{1, 1, {"fs rm",
	 "usage: wsp fs rm [-r] [-f] PATH\n\n"
	 "Remove a file or symlink; a directory with -r (and all it holds).\n",
	 rm_opts, NULL, 0, NULL}},
	{1, 1, {"fs rmdir",
	 "usage: wsp fs rmdir PATH\n\n"
	 "Remove an empty directory; one that holds anything is refused\n"
	 "(ENOTEMPTY), anything else is not a directory (ENOTDIR). 'rm -r'\n"
	 "removes a directory with all it holds.\n",
	 NULL, NULL, 0, NULL}},
	{1, 1, {"fs mkdir",
	 "usage: wsp fs mkdir [-p] PATH\n\n"
	 "Create a directory.\n",
	 mkdir_opts, NULL, 0, NULL}},
	{1, 1, {"fs stat",
	 "usage: wsp fs stat [--json] PATH\n\n"
	 "Show a path's type, size, times, mode, version token and MIME "
	 "type.\n",
	 stat_opts, NULL, 0, NULL}},
	{2, 2, {"fs cp",
	 "usage: wsp fs cp [-r] [-n] SRC DST\n\n"
	 "Copy SRC to DST, replacing DST (streamed between mounts). When DST\n"
	 "is a directory, SRC is copied into it.\n",
	 cp_opts, NULL, 0, NULL}},
	{2, 2, {"fs mv",
	 "usage: wsp fs mv [-n] SRC DST\n\n"
	 "Move (rename) SRC to DST, replacing DST; between mounts it copies,\n"
	 "then removes SRC. When DST is a directory, SRC moves into it.\n",
	 mv_opts, NULL, 0, NULL}},
};

#define N_SUBS (sizeof(subs) / sizeof(subs[0]))

static const struct cli_cmd fs_cmd = {
	"fs",
	"usage: wsp fs ls [-l] [-R] [--ext EXT]... [PATH]\n"
	"   or: wsp fs cat PATH\n"
	"   or: wsp fs put [-n] LOCAL PATH\n"
	"   or: wsp fs append LOCAL PATH\n"
	"   or: wsp fs get PATH LOCAL\n"
	"   or: wsp fs rm [-r] [-f] PATH\n"
	"   or: wsp fs rmdir PATH\n"
	"   or: wsp fs mkdir [-p] PATH\n"
	"   or: wsp fs stat PATH\n"
	"   or: wsp fs cp [-r] [-n] SRC DST\n"
	"   or: wsp fs mv [-n] SRC DST\n"
	"\n"
	"The workspace's files, across all its mounts. Paths are workspace\n"
	"paths: \"/data/x\" and \"data/x\" are the same file. Every "
	"subcommand\n"
	"takes --json (also as the global option) and --help. Under --json\n"
	"a failure prints one JSON line on standard error with a stable\n"
	"\"code\" (ENOENT, EEXIST, EISDIR, ENOTDIR, ENOTEMPTY, EACCES, EROFS,\n"
	"...), the same on every provider (docs/cli.md).\n",
	NULL, NULL, CLI_IN_ORDER, NULL};

/* cJSON numbers are doubles: keep 64-bit values exact as raw text. */
static void add_int(cJSON *o, const char *name, long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", v);
	cJSON_AddRawToObject(o, name, buf);
}

int fs_fail(const wsp_error *err)
{
	cli_fail_error(err);
	return WSP_EXIT_FAIL;
}

/* 0, or the exit status of a parse that ends the command. */
static int parse(struct fs_args *a, struct wsp_cli *cli, const struct fs_sub *s,
		 int argc, char **argv)
{
	const char *name = s->cmd.name;
	struct cli_parse p;
	int k, i;

	cli_parse_begin(&p, cli, &s->cmd, argc, argv);
	while ((k = cli_parse_next(&p)) > 0) {
		if (k == FS_EXT) {
			if (!*p.value || a->n_ext == FS_MAX_EXT)
				return cli_usage(name, "%s", *p.value ?
						 "too many --ext" :
						 "--ext needs an extension");
			a->ext[a->n_ext++] = p.value;
		}
		a->long_fmt |= k == 'l';
		a->recursive |= k == 'R' || k == 'r';
		a->force |= k == 'f';
		a->parents |= k == 'p';
		a->no_clobber |= k == 'n';
	}
	if (k != CLI_END)
		return cli_parse_exit(k);
	if (p.n_operands > s->max)
		return cli_usage(name, "unexpected argument '%s'",
				 p.operands[s->max]);
	if (p.n_operands < s->min)
		return cli_usage(name, "missing %s",
				 s->min == 2 && p.n_operands == 1 ? "destination"
								  : "path");
	for (i = 0; i < p.n_operands; i++)
		a->pos[a->n++] = p.operands[i];
	a->json = cli->json;
	return -1;
}

static const char *type_name(uint32_t t)
{
	switch (t) {
	case WSP_FS_TYPE_FILE:
		return "file";
	case WSP_FS_TYPE_DIR:
		return "directory";
	case WSP_FS_TYPE_SYMLINK:
		return "symlink";
	default:
		return "other";
	}
}

/* One listed entry, kept for sorting. */
struct item {
	char *path, *target;
	uint32_t type, depth;
	uint64_t size;
	int64_t mtime_ns;
};

struct items {
	struct item *v;
	size_t n, cap;
};

static int keep_entry(const wsp_fs_entry *e, void *payload)
{
	struct items *it = payload;
	struct item *x;

	if (it->n == it->cap) {
		size_t cap = it->cap ? it->cap * 2 : 256;
		struct item *v = realloc(it->v, cap * sizeof(*v));

		if (!v)
			return WSP_ENOMEM;
		it->v = v;
		it->cap = cap;
	}
	x = &it->v[it->n];
	memset(x, 0, sizeof(*x));
	x->path = strdup(e->path);
	x->target = e->symlink_target ? strdup(e->symlink_target) : NULL;
	if (!x->path)
		return WSP_ENOMEM;
	x->type = e->type;
	x->depth = e->depth;
	x->size = e->size;
	x->mtime_ns = e->mtime_ns;
	it->n++;
	return 0;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct item *)a)->path,
		      ((const struct item *)b)->path);
}

static void format_time(char *out, size_t cap, int64_t ns)
{
	time_t t = (time_t)(ns / 1000000000);
	struct tm tm;

	if (!ns || !localtime_r(&t, &tm))
		snprintf(out, cap, "%16s", "-");
	else
		strftime(out, cap, "%Y-%m-%d %H:%M", &tm);
}

static void print_item(const struct item *x, int long_fmt)
{
	const char *slash = x->type == WSP_FS_TYPE_DIR ? "/" : "";
	char when[32];

	if (!long_fmt) {
		printf("%s%s\n", x->path, slash);
		return;
	}
	format_time(when, sizeof(when), x->mtime_ns);
	printf("%c %12llu %s %s%s", "?-dl?"[x->type < 5 ? x->type : 0],
	       (unsigned long long)x -> size, when, x -> path, slash);
	if (x->target)
		printf(" -> %s", x->target);
	putchar('\n');
}

static cJSON *item_json(const struct item *x)
{
	const char *slash = strrchr(x->path, '/');
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "path", x->path);
	cJSON_AddStringToObject(o, "name", slash ? slash + 1 : x->path);
	cJSON_AddStringToObject(o, "type", type_name(x->type));
	add_int(o, "size", (long long)x->size);
	add_int(o, "mtime_ns", x->mtime_ns);
	cJSON_AddNumberToObject(o, "depth", x->depth);
	if (x->target)
		cJSON_AddStringToObject(o, "symlink_target", x->target);
	return o;
}

int fs_print_json(cJSON *doc)
{
	char *s = cJSON_PrintUnformatted(doc);

	cJSON_Delete(doc);
	if (!s) {
		cli_error("out of memory");
		return WSP_EXIT_FAIL;
	}
	puts(s);
	free(s);
	return WSP_EXIT_OK;
}

static int fs_ls(wsp_workspace *ws, const struct fs_args *a)
{
	wsp_fs_list_opts lo = WSP_FS_LIST_OPTS_INIT;
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	const char *path = a->n ? a->pos[0] : "/";
	struct items it = {NULL, 0, 0};
	wsp_error err;
	size_t i;
	int rc;

	if (wsp_files_stat(&st, ws, NULL, path, 0, &err) < 0)
		return fs_fail(&err);
	if (st.type != WSP_FS_TYPE_DIR) {
		/* Like ls(1): a file lists as itself. */
		struct item x = {(char *)path, NULL,	   st.type, 0,
				 st.size,      st.mtime_ns};

		if (a->json) {
			cJSON *arr = cJSON_CreateArray();

			cJSON_AddItemToArray(arr, item_json(&x));
			return fs_print_json(arr);
		}
		print_item(&x, a->long_fmt);
		return WSP_EXIT_OK;
	}
	if (a->recursive)
		lo.flags = WSP_FS_RECURSIVE;
	if (a->n_ext)
		lo.extensions = a->ext;
	rc = wsp_files_list(ws, NULL, path, &lo, keep_entry, &it, &err);
	if (rc == 0) {
		qsort(it.v, it.n, sizeof(*it.v), by_path);
		if (a->json) {
			cJSON *arr = cJSON_CreateArray();

			for (i = 0; i < it.n; i++)
				cJSON_AddItemToArray(arr, item_json(&it.v[i]));
			rc = fs_print_json(arr);
		} else {
			for (i = 0; i < it.n; i++)
				print_item(&it.v[i], a->long_fmt);
		}
	} else {
		rc = fs_fail(&err);
	}
	for (i = 0; i < it.n; i++) {
		free(it.v[i].path);
		free(it.v[i].target);
	}
	free(it.v);
	return rc;
}

static int fs_stat(wsp_workspace *ws, const struct fs_args *a)
{
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	char mt[32], ct[32];
	wsp_error err;

	if (wsp_files_stat(&st, ws, NULL, a->pos[0], 0, &err) < 0)
		return fs_fail(&err);
	if (a->json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "path", a->pos[0]);
		cJSON_AddStringToObject(o, "type", type_name(st.type));
		add_int(o, "size", (long long)st.size);
		add_int(o, "mtime_ns", st.mtime_ns);
		add_int(o, "ctime_ns", st.ctime_ns);
		cJSON_AddNumberToObject(o, "mode", st.mode);
		cJSON_AddBoolToObject(o, "is_symlink", st.is_symlink);
		cJSON_AddStringToObject(o, "version", st.version);
		if (st.mime_type[0])
			cJSON_AddStringToObject(o, "mime_type", st.mime_type);
		return fs_print_json(o);
	}
	format_time(mt, sizeof(mt), st.mtime_ns);
	format_time(ct, sizeof(ct), st.ctime_ns);
	printf("path       %s\n", a->pos[0]);
	printf("type       %s%s\n", type_name(st.type),
	       st.is_symlink ? " (through a symlink)" : "");
	printf("size       %llu\n", (unsigned long long)st.size);
	printf("modified   %s\n", mt);
	printf("created    %s\n", ct);
	printf("mode       %04o\n", st.mode);
	if (st.version[0])
		printf("version    %s\n", st.version);
	if (st.mime_type[0])
		printf("mime type  %s\n", st.mime_type);
	return WSP_EXIT_OK;
}

int fs_into_dir(char *out, size_t cap, wsp_workspace *ws, const char *dst,
		const char *src)
{
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	const char *base = strrchr(src, '/');
	size_t n = strlen(dst);
	int k;

	base = base ? base + 1 : src;
	if (wsp_files_stat(&st, ws, NULL, dst, 0, NULL) < 0 ||
	    st.type != WSP_FS_TYPE_DIR || !*base || !strcmp(base, ".") ||
	    !strcmp(base, ".."))
		return 0;
	k = snprintf(out, cap, "%s%s%s", dst, n && dst[n - 1] == '/' ? "" : "/",
		     base);
	return k > 0 && (size_t)k < cap;
}

/* rm, rmdir, mkdir, cp, mv: no output but an {"ok":true} with --json. */
static int fs_change(wsp_workspace *ws, const char *sub,
		     const struct fs_args *a)
{
	uint32_t over = a->no_clobber ? 0 : WSP_FS_OVERWRITE;
	uint32_t rec = a->recursive ? WSP_FS_RECURSIVE : 0;
	char into[WSP_FILES_PATH_MAX + 2];
	const char *dst = a->pos[1];
	wsp_error err;
	int rc;

	/* Like cp(1) and mv(1): an existing directory receives SRC. */
	if (dst && fs_into_dir(into, sizeof(into), ws, dst, a->pos[0]))
		dst = into;

	if (!strcmp(sub, "rm"))
		rc = wsp_files_remove(ws, NULL, a->pos[0],
				      rec | (a->force ? WSP_FS_FORCE : 0),
				      &err);
	else if (!strcmp(sub, "rmdir")) /* empty only: no RECURSIVE */
		rc = wsp_files_rmdir(ws, NULL, a->pos[0], 0, &err);
	else if (!strcmp(sub, "mkdir"))
		rc = wsp_files_mkdir(ws, NULL, a->pos[0],
				     a->parents ? WSP_FS_RECURSIVE : 0, &err);
	else if (!strcmp(sub, "cp"))
		rc = wsp_files_copy(ws, NULL, a->pos[0], dst, rec | over, &err);
	else
		rc = wsp_files_move(ws, NULL, a->pos[0], dst, over, &err);
	if (rc < 0)
		return fs_fail(&err);
	if (a->json)
		puts("{\"ok\":true}");
	return WSP_EXIT_OK;
}

int cmd_fs(struct wsp_cli *cli, int argc, char **argv)
{
	struct fs_args a;
	const struct fs_sub *s = NULL;
	struct cli_parse p;
	wsp_workspace *ws;
	size_t i;
	int rc;

	/* fs's own options (the global ones) end at the subcommand */
	rc = cli_parse_all(&p, cli, &fs_cmd, argc, argv);
	if (rc != CLI_END)
		return cli_parse_exit(rc);
	if (!p.n_operands) {
		cli_help(stderr, &fs_cmd);
		return WSP_EXIT_USAGE;
	}
	for (i = 0; i < N_SUBS; i++)
		if (!strcmp(p.operands[0], subs[i].cmd.name + 3))
			s = &subs[i];
	if (!s)
		return cli_usage("fs", "unknown subcommand '%s'",
				 p.operands[0]);
	memset(&a, 0, sizeof(a));
	rc = parse(&a, cli, s, p.n_operands, p.operands);
	if (rc >= 0)
		return rc;
	if (cli_workspace(&ws, cli))
		return WSP_EXIT_FAIL;
	if (!strcmp(s->cmd.name, "fs ls"))
		return fs_ls(ws, &a);
	if (!strcmp(s->cmd.name, "fs stat"))
		return fs_stat(ws, &a);
	if (!strcmp(s->cmd.name, "fs cat"))
		return fs_cat(ws, &a);
	a.append = !strcmp(s->cmd.name, "fs append");
	if (!strcmp(s->cmd.name, "fs put") || a.append)
		return fs_put(ws, &a);
	if (!strcmp(s->cmd.name, "fs get"))
		return fs_get(ws, &a);
	return fs_change(ws, s->cmd.name + 3, &a);
}
