/*
 * bench/fs_local/bench_fs_local.c - the local filesystem provider, driven
 * through the public file API of a workspace with two local mounts,
 * against the coreutils doing the same work on the same files:
 *
 *   write N MiB (atomic: temp file, fsync, rename)  vs  dd conv=fsync, cp
 *   read N MiB                                     vs  cat, cp
 *   copy N MiB within a mount (copy_file_range)     vs  cp + sync
 *   copy N MiB between mounts (read -> write)       vs  cp + sync
 *   list a tree of M files recursively             vs  find, and
 *                                                      find -printf (which,
 *                                                      like us, stats each)
 *
 * Caches are warm for both sides (each file was just written). Every
 * timing is the best of three runs. Defaults: N = 1024, M = 100000.
 */
#include <wsp/wsp.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (1u << 20)
#define RUNS  3

static char dir[1024];
static wsp_workspace *ws;
static uint64_t size_mib = 1024;
static long n_files = 100000;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const wsp_error *err)
{
	fprintf(stderr, "bench_fs_local: %s: %s\n", what,
		err ? err->message : strerror(errno));
	exit(1);
}

/* Time a shell command (best of RUNS), run in the bench directory. */
static double shell(const char *fmt, ...) WSP_PRINTF(1, 2);
static double shell(const char *fmt, ...)
{
	char cmd[4096];
	double best = 1e30;
	va_list ap;
	int i;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	for (i = 0; i < RUNS; i++) {
		double t = now();

		if (system(cmd) != 0) {
			fprintf(stderr, "bench_fs_local: '%s' failed\n", cmd);
			exit(1);
		}
		t = now() - t;
		if (t < best)
			best = t;
	}
	return best;
}

struct gen {
	char *buf;
	uint64_t left;
};

static int gen_source(void *buf, size_t cap, size_t *out_n, void *payload)
{
	struct gen *g = payload;
	size_t n = cap < CHUNK ? cap : CHUNK;

	if (n > g->left)
		n = (size_t)g->left;
	memcpy(buf, g->buf, n);
	g->left -= n;
	*out_n = n;
	return 0;
}

static int drop_sink(const void *data, size_t len, void *payload)
{
	(void)data;
	*(uint64_t *)payload += len;
	return 0;
}

static int count_entry(const wsp_fs_entry *e, void *payload)
{
	(void)e;
	++*(long *)payload;
	return 0;
}

struct row {
	const char *what;
	double t;	 /* wsp */
	const char *ref; /* the closest tool */
	double t_ref;
	double t_cp; /* cp of the same file, 0 if not shown */
	double mib;  /* for throughput, 0 if none */
};

static void print_rows(const struct row *r, size_t n)
{
	size_t i;

	printf("\n%-42s %9s %9s  %-30s %9s %7s  %9s %7s\n", "operation", "wsp",
	       "MiB/s", "closest tool", "tool", "ratio", "cp", "ratio");
	for (i = 0;
	     i < 42 + 1 + 9 + 1 + 9 + 2 + 30 + 1 + 9 + 1 + 7 + 2 + 9 + 1 + 7;
	     i++)
		putchar('-');
	putchar('\n');
	for (i = 0; i < n; i++) {
		char mibs[16] = "-", cp[16] = "-", cpr[16] = "-";

		if (r[i].mib)
			snprintf(mibs, sizeof(mibs), "%.0f", r[i].mib / r[i].t);
		if (r[i].t_cp) {
			snprintf(cp, sizeof(cp), "%.3fs", r[i].t_cp);
			snprintf(cpr, sizeof(cpr), "%.2f", r[i].t / r[i].t_cp);
		}
		printf("%-42s %8.3fs %9s  %-30s %8.3fs %7.2f  %9s %7s\n",
		       r[i].what, r[i].t, mibs, r[i].ref, r[i].t_ref,
		       r[i].t / r[i].t_ref, cp, cpr);
	}
	printf("\nratio = wsp time / tool time (below 1: wsp is faster). "
	       "Warm caches;\nwsp writes are atomic and fsync'ed, so their "
	       "references sync too.\n");
}

static double best_of(double (*fn)(void))
{
	double best = 1e30;
	int i;

	for (i = 0; i < RUNS; i++) {
		double t = fn();

		if (t < best)
			best = t;
	}
	return best;
}

static double do_write(void)
{
	wsp_fs_write_opts wo = WSP_FS_WRITE_OPTS_INIT;
	static char *buf;
	struct gen g;
	wsp_error err;
	double t;

	if (!buf) {
		buf = malloc(CHUNK);
		for (size_t i = 0; i < CHUNK; i++)
			buf[i] = (char)(i * 31);
	}
	g.buf = buf;
	g.left = size_mib << 20;
	wo.flags |= WSP_FS_WRITE_SIZE_KNOWN;
	wo.size_hint = (uint64_t)size_mib << 20;
	t = now();
	if (wsp_files_write(NULL, ws, NULL, "/a/big.bin", &wo, gen_source, &g,
			    &err) < 0)
		die("write", &err);
	return now() - t;
}

static double do_read(void)
{
	uint64_t got = 0;
	wsp_error err;
	double t = now();

	if (wsp_files_read(ws, NULL, "/a/big.bin", NULL, drop_sink, &got,
			   &err) < 0)
		die("read", &err);
	t = now() - t;
	if (got != size_mib << 20) {
		fprintf(stderr, "bench_fs_local: read %llu bytes\n",
			(unsigned long long)got);
		exit(1);
	}
	return t;
}

static double do_copy_within(void)
{
	wsp_error err;
	double t = now();

	if (wsp_files_copy(ws, NULL, "/a/big.bin", "/a/copy.bin",
			   WSP_FS_OVERWRITE, &err) < 0)
		die("copy", &err);
	return now() - t;
}

static double do_copy_across(void)
{
	wsp_error err;
	double t = now();

	if (wsp_files_copy(ws, NULL, "/a/big.bin", "/b/copy.bin",
			   WSP_FS_OVERWRITE, &err) < 0)
		die("copy across mounts", &err);
	return now() - t;
}

static double do_list(void)
{
	wsp_fs_list_opts lo = WSP_FS_LIST_OPTS_INIT;
	wsp_error err;
	long n = 0;
	double t;

	lo.flags = WSP_FS_RECURSIVE;
	t = now();
	if (wsp_files_list(ws, NULL, "/a/tree", &lo, count_entry, &n, &err) < 0)
		die("list", &err);
	t = now() - t;
	if (n < n_files) {
		fprintf(stderr, "bench_fs_local: listed %ld entries\n", n);
		exit(1);
	}
	return t;
}

/* 100 files per directory, 100 directories per level. */
static void make_tree(void)
{
	char path[2048], marker[1100];
	long i;
	struct stat st;

	snprintf(marker, sizeof(marker), "%s/a/tree/.done-%ld", dir, n_files);
	if (stat(marker, &st) == 0)
		return;
	printf("creating %ld files...\n", n_files);
	for (i = 0; i < n_files; i++) {
		FILE *fp;

		if (i % 100 == 0) {
			snprintf(path, sizeof(path), "%s/a/tree/d%03ld/e%03ld",
				 dir, i / 10000, i / 100 % 100);
			if (i % 10000 == 0) {
				char d[1100];

				snprintf(d, sizeof(d), "%s/a/tree/d%03ld", dir,
					 i / 10000);
				mkdir(d, 0755);
			}
			mkdir(path, 0755);
		}
		snprintf(path, sizeof(path),
			 "%s/a/tree/d%03ld/e%03ld/f%05ld.txt", dir, i / 10000,
			 i / 100 % 100, i);
		fp = fopen(path, "w");
		if (!fp)
			die(path, NULL);
		fclose(fp);
	}
	fclose(fopen(marker, "w"));
}

int main(int argc, char **argv)
{
	wsp_open_opts o = WSP_OPEN_OPTS_INIT;
	const char *tmp = getenv("TMPDIR");
	char yaml[4096];
	struct row rows[6];
	wsp_error err;
	int i, keep = 0;
	const char *user_dir = NULL;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick")) {
			size_mib = 64;
			n_files = 10000;
		} else if (!strcmp(argv[i], "--size-mib") && i + 1 < argc) {
			size_mib = strtoull(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--files") && i + 1 < argc) {
			n_files = strtol(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--dir") && i + 1 < argc) {
			user_dir = argv[++i];
			keep = 1;
		} else {
			fprintf(stderr, "usage: bench_fs_local [--quick] "
					"[--size-mib N] "
					"[--files N] [--dir DIR]\n");
			return 2;
		}
	}
	if (user_dir) {
		snprintf(dir, sizeof(dir), "%s", user_dir);
		mkdir(dir, 0755);
	} else {
		snprintf(dir, sizeof(dir), "%s/wsp-bench-fs-XXXXXX",
			 tmp && *tmp ? tmp : "/var/tmp");
		if (!mkdtemp(dir))
			die("mkdtemp", NULL);
	}
	snprintf(yaml, sizeof(yaml),
		 "mounts:\n"
		 "  /a:\n    provider: local\n    options:\n"
		 "      base_path: %s/a\n"
		 "  /b:\n    provider: local\n    options:\n"
		 "      base_path: %s/b\n",
		 dir, dir);
	o.config_text = yaml;
	if (wsp_workspace_open(&ws, &o, &err) < 0)
		die("open", &err);
	if (wsp_files_mkdir(ws, NULL, "/a/tree", WSP_FS_RECURSIVE, &err) < 0 ||
	    wsp_files_mkdir(ws, NULL, "/b", WSP_FS_RECURSIVE, &err) < 0)
		die("mkdir", &err);
	printf("bench_fs_local: %llu MiB file, %ld-file tree, in %s\n",
	       (unsigned long long)size_mib, n_files, dir);
	if (chdir(dir) < 0)
		die(dir, NULL);

	rows[0] = (struct row){"write (atomic, fsync)",
			       best_of(do_write),
			       "dd conv=fsync",
			       0,
			       0,
			       (double)size_mib};
	rows[0].t_ref = shell("dd if=a/big.bin of=ref.bin bs=1M "
			      "conv=fsync status=none");
	rows[0].t_cp = shell("cp a/big.bin ref.bin && sync ref.bin");
	rows[1] = (struct row){"read", best_of(do_read), "cat > /dev/null", 0,
			       0,      (double)size_mib};
	rows[1].t_ref = shell("cat a/big.bin > /dev/null");
	rows[1].t_cp = shell("cp a/big.bin ref.bin");
	rows[2] = (struct row){"copy within a mount",
			       best_of(do_copy_within),
			       "cp + sync",
			       0,
			       0,
			       (double)size_mib};
	rows[2].t_ref = shell("cp a/big.bin ref.bin && sync ref.bin");
	rows[3] = (struct row){"copy between mounts (read->write)",
			       best_of(do_copy_across),
			       "cp + sync",
			       0,
			       0,
			       (double)size_mib};
	rows[3].t_ref = rows[2].t_ref;
	make_tree();
	{
		static char what[64];

		snprintf(what, sizeof(what), "list %ld files recursively",
			 n_files);
		rows[4] = (struct row){
			what, best_of(do_list), "find > /dev/null", 0, 0, 0};
		rows[4].t_ref = shell("find a/tree > /dev/null");
	}
	{
		static char w[4][64];

		for (i = 0; i < 4; i++) {
			snprintf(w[i], sizeof(w[i]), "%s %llu MiB",
				 rows[i].what, (unsigned long long)size_mib);
			rows[i].what = w[i];
		}
	}
	/* find(1) without -printf never stats; with it, it does our work. */
	rows[5] = rows[4];
	rows[5].ref = "find -printf '%y %s %T@ %p'";
	rows[5].t_ref = shell("find a/tree -printf '%%y %%s %%T@ %%p\\n' "
			      "> /dev/null");
	print_rows(rows, 6);
	wsp_workspace_close(ws);
	if (!keep) {
		char cmd[1200];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "bench_fs_local: cannot remove %s\n",
				dir);
	}
	return 0;
}
