/*
 * tests/fs-local/test_escape.c - the escape catalogue: paths and races that
 * try to make wsp-fs-local.so read, write, list, create or remove anything
 * outside its root. The whole catalogue runs twice, once with openat2 and
 * once with the O_NOFOLLOW walk (WSP_FS_LOCAL_RESOLVE=walk). After every
 * test a snapshot of everything outside the root (names, types, sizes,
 * mtimes, link targets, contents) must equal the one taken before.
 *
 * Layout: top/outside/{secret.txt,sub/inner.txt,victim}, top/host.txt and
 * top/base (the root) with symlinks that point out in every way we know.
 *
 * Every attempt that would change something aims at top/ only (through
 * /proc/self/root too: "%" below is "proc_root" + the outside directory),
 * so even a provider whose containment is broken damages nothing but this
 * test's own temporary tree.
 */
#include "fs_box.h"

#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cu_main.h"

#define SECRET "TOP-SECRET"

static char *top, *base, *outside, *before;
static struct fake_fs F;
static wsp_error err;

static char *at(const char *root, const char *rel)
{
	static char buf[8][4096];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", root, rel);
	return buf[i];
}

static void link_in(const char *target, const char *name)
{
	if (symlink(target, at(base, name)) < 0)
		perror(name);
}

static void make_layout(void)
{
	char abs[4200];

	mkdir(outside, 0755);
	mkdir(at(outside, "sub"), 0755);
	file_put(at(outside, "secret.txt"), SECRET " outside");
	file_put(at(outside, "sub/inner.txt"), SECRET " inner");
	file_put(at(outside, "victim"), SECRET " victim");
	file_put(at(top, "host.txt"), SECRET " top");
	mkdir(base, 0755);
	mkdir(at(base, "data"), 0755);
	file_put(at(base, "data/inside.txt"), "inside");
	link_in("../outside/secret.txt", "link_file_out");
	snprintf(abs, sizeof(abs), "%s/secret.txt", outside);
	link_in(abs, "link_abs_out");
	link_in("../outside", "link_dir_out");
	link_in(outside, "link_abs_dir");
	link_in("chain2", "chain1");
	link_in("chain3", "chain2");
	link_in("../outside/secret.txt", "chain3");
	link_in("chaind2", "chaind1");
	link_in("../outside", "chaind2");
	link_in("data/../../outside", "mixed");
	link_in("loop2", "loop1");
	link_in("loop1", "loop2");
	link_in("/proc/self/root", "proc_root");
	link_in("/proc/self/cwd", "proc_cwd");
	link_in("/proc/self/fd", "proc_fd");
	link_in("../../../../../../../../../../proc/self/root", "proc_rel");
	link_in("..", "up");
	mkdir(at(base, "deep"), 0755);
	mkdir(at(base, "deep/a"), 0755);
	mkdir(at(base, "deep/a/b"), 0755);
	link_in("../../../../outside", "deep/a/b/up4");
	link_in("data/inside.txt", "ok_link");
	link_in("data", "ok_dir");
	/* A hard link inside the root to a file outside it. */
	if (link(at(outside, "secret.txt"), at(base, "hl")) < 0)
		perror("link");
	mkdir(at(base, "swap"), 0755);
	file_put(at(base, "swap/victim"), "inside victim");
	link_in("../outside", "swap_alt");
}

static int suite_init_mode(int walk)
{
	if (walk)
		setenv("WSP_FS_LOCAL_RESOLVE", "walk", 1);
	else
		unsetenv("WSP_FS_LOCAL_RESOLVE");
	top = tmpdir_make("escape");
	if (!top)
		return -1;
	base = path_join(top, "base");
	outside = path_join(top, "outside");
	make_layout();
	before = tree_snapshot(top, base);
	if (fake_fs_open(&F, base, 0, NULL, &err) < 0) {
		fprintf(stderr, "init: %s\n", err.message);
		return -1;
	}
	/* Prove which resolver runs. */
	if (walk != (fake_fs_logged(&F, "O_NOFOLLOW walk") > 0)) {
		fprintf(stderr, "resolver mode not applied\n");
		return -1;
	}
	return 0;
}

static int init_openat2(void)
{
	return suite_init_mode(0);
}

static int init_walk(void)
{
	return suite_init_mode(1);
}

static int suite_fini(void)
{
	fake_fs_close(&F);
	tree_remove(top);
	free(top);
	free(base);
	free(outside);
	free(before);
	unsetenv("WSP_FS_LOCAL_RESOLVE");
	return 0;
}

/* Nothing outside the root changed. */
static void assert_outside_untouched(void)
{
	char *now = tree_snapshot(top, base);

	CU_ASSERT_STRING_EQUAL(now, before);
	if (strcmp(now, before))
		fprintf(stderr, "\nbefore:\n%s\nafter:\n%s\n", before, now);
	free(now);
}

struct capture {
	size_t bytes;
	int secret;
	char last[4096];
	int entries;
};

static int cap_sink(const void *d, size_t n, void *p)
{
	struct capture *c = p;

	if (memmem(d, n, SECRET, strlen(SECRET)) || memmem(d, n, "root:", 5))
		c->secret = 1;
	c->bytes += n;
	return 0;
}

static int cap_entry(const wsp_fs_entry *e, void *p)
{
	struct capture *c = p;

	c->entries++;
	snprintf(c->last, sizeof(c->last), "%s", e->path);
	return 0;
}

/*
 * Paths that lead out. Every read-side operation on each must fail with
 * the expected code, name the path, and hand out nothing.
 */
static const struct escape {
	const char *what;
	const char *path; /* "@" is replaced by the outside dir (absolute) */
	int code;
} escapes[] = {
	{"relative ..", "../outside/secret.txt", WSP_EPERM},
	{"nested ..", "data/../../outside/secret.txt", WSP_EPERM},
	{"bare ..", "..", WSP_EPERM},
	{"dot then ..", "./../outside", WSP_EPERM},
	{"absolute host path", "/etc/passwd", WSP_EPERM},
	{"absolute path of the outside file", "@/secret.txt", WSP_EPERM},
	{"many leading slashes", "////etc/passwd", WSP_EPERM},
	{"/proc/self/root path", "/proc/self/root/etc/passwd", WSP_EPERM},
	{"symlink to outside file", "link_file_out", WSP_EPERM},
	{"absolute symlink to outside file", "link_abs_out", WSP_EPERM},
	{"through symlink to outside dir", "link_dir_out/secret.txt",
	 WSP_EPERM},
	{"through absolute dir symlink", "link_abs_dir/sub/inner.txt",
	 WSP_EPERM},
	{"symlink chain to a file", "chain1", WSP_EPERM},
	{"symlink chain to a dir", "chaind1/secret.txt", WSP_EPERM},
	{"symlink in then out", "mixed/secret.txt", WSP_EPERM},
	{"symlink to ..", "up/outside/secret.txt", WSP_EPERM},
	{"symlink to .. (dir itself)", "up", WSP_EPERM},
	{"deep symlink up", "deep/a/b/up4/secret.txt", WSP_EPERM},
	{"magic link /proc/self/root", "proc_root/etc/passwd", WSP_EPERM},
	{"magic link /proc/self/cwd", "proc_cwd", WSP_EPERM},
	{"magic link /proc/self/fd", "proc_fd/0", WSP_EPERM},
	{"relative link up to /proc", "proc_rel/etc/passwd", WSP_EPERM},
	{"symlink loop", "loop1", WSP_EINVAL},
	{"backslashes are not separators", "..\\outside\\secret.txt",
	 WSP_ENOTFOUND},
	{"fraction slash is not a separator", "..\xe2\x88\x95outside",
	 WSP_ENOTFOUND},
};

#define N_ESCAPES (sizeof(escapes) / sizeof(escapes[0]))

/* "@x": the outside dir's absolute path + x; "%x": the same via proc_root. */
static const char *expand(const char *p)
{
	static char buf[4][4200];
	static int i;

	i = (i + 1) % 4;
	if (p[0] == '@')
		snprintf(buf[i], sizeof(buf[i]), "%s%s", outside, p + 1);
	else if (p[0] == '%')
		snprintf(buf[i], sizeof(buf[i]), "proc_root%s%s", outside,
			 p + 1);
	else
		return p;
	return buf[i];
}

static void test_read_side_catalogue(void)
{
	wsp_fs_list_opts lo = WSP_FS_LIST_OPTS_INIT;
	size_t i;

	lo.flags = WSP_FS_RECURSIVE;
	for (i = 0; i < N_ESCAPES; i++) {
		const char *path = expand(escapes[i].path);
		wsp_fs_stat st = {.struct_size = sizeof(st)};
		struct capture c = {0};
		char hp[4096] = "";
		int rc, ex = -1;

		rc = F.fs->read(F.self, &fake_call, path, FAKE_READ_ALL,
				cap_sink, &c, &err);
		if (rc != escapes[i].code)
			fprintf(stderr, "\n%s: read gave %d (%s)\n",
				escapes[i].what, rc, err.message);
		CU_ASSERT_EQUAL(rc, escapes[i].code);
		CU_ASSERT_EQUAL(c.bytes, 0);
		CU_ASSERT_EQUAL(c.secret, 0);
		if (rc == WSP_EPERM) /* the message names the path */
			CU_ASSERT(strstr(err.message, path) != NULL);

		rc = F.fs->stat(&st, F.self, &fake_call, path, 0, &err);
		CU_ASSERT_EQUAL(rc, escapes[i].code);
		rc = F.fs->list(F.self, &fake_call, path, &lo, cap_entry, &c,
				&err);
		CU_ASSERT(rc < 0);
		CU_ASSERT_EQUAL(c.entries, 0);
		rc = F.fs->exists(&ex, F.self, &fake_call, path, 0, &err);
		CU_ASSERT(rc < 0 || ex == 0);
		CU_ASSERT_NOT_EQUAL(ex, 1);
		rc = F.fs->host_path(hp, sizeof(hp), F.self, &fake_call, path,
				     0, &err);
		CU_ASSERT(rc < 0);
		CU_ASSERT_PTR_NULL(strstr(hp, "outside"));
		/* copying it in must not smuggle the content either */
		rc = F.fs->copy(F.self, &fake_call, path, "stolen", 0, &err);
		CU_ASSERT(rc < 0);
		CU_ASSERT_EQUAL(access(at(base, "stolen"), F_OK), -1);
		assert_outside_untouched();
	}
}

static void test_write_side_catalogue(void)
{
	static const char *const targets[] = {
		"../outside/new.txt",
		"link_dir_out/new.txt",
		"link_abs_dir/new.txt",
		"chaind1/new.txt",
		"mixed/new.txt",
		"up/outside/new.txt",
		"deep/a/b/up4/new.txt",
		"link_file_out",
		"link_abs_out",
		"chain1",
		"link_dir_out/sub/new.txt",
		"%/new.txt",
		"up/host.txt",
	};
	size_t i;

	for (i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		const char *t = expand(targets[i]);
		char sub[4200];
		int rc;

		rc = fake_fs_put(&F, t, "PWNED", 5, 0, &err);
		CU_ASSERT_EQUAL(rc, WSP_EPERM);
		if (rc != WSP_EPERM)
			fprintf(stderr, "\nwrite '%s' gave %d (%s)\n", t, rc,
				err.message);
		rc = fake_fs_put(&F, t, "PWNED", 5, WSP_FS_WRITE_APPEND, &err);
		CU_ASSERT_EQUAL(rc, WSP_EPERM);
		rc = fake_fs_put(&F, t, "PWNED", 5, WSP_FS_WRITE_NO_OVERWRITE,
				 &err);
		CU_ASSERT_EQUAL(rc, WSP_EPERM);
		snprintf(sub, sizeof(sub), "%s/made/here", t);
		CU_ASSERT_EQUAL(F.fs->mkdir(F.self, &fake_call, sub,
					    WSP_FS_RECURSIVE, &err),
				WSP_EPERM);
		CU_ASSERT_EQUAL(F.fs->copy(F.self, &fake_call, "data", sub,
					   WSP_FS_RECURSIVE, &err),
				WSP_EPERM);
		/* onto a link's own name: EEXIST (a rename never follows) */
		rc = F.fs->move(F.self, &fake_call, "data/inside.txt", t, 0,
				&err);
		CU_ASSERT(rc == WSP_EPERM || rc == WSP_EEXIST);
		assert_outside_untouched();
	}
	CU_ASSERT_EQUAL(access(at(base, "data/inside.txt"), F_OK), 0);
}

static void test_remove_side_catalogue(void)
{
	static const char *const victims[] = {
		"../outside/victim",
		"link_dir_out/victim",
		"link_abs_dir/victim",
		"chaind1/victim",
		"mixed/victim",
		"up/outside/victim",
		"deep/a/b/up4/sub",
		"link_dir_out/sub",
		"%/victim",
	};
	size_t i;

	for (i = 0; i < sizeof(victims) / sizeof(victims[0]); i++) {
		const char *v = expand(victims[i]);

		CU_ASSERT_EQUAL(F.fs->remove(F.self, &fake_call, v,
					     WSP_FS_RECURSIVE, &err),
				WSP_EPERM);
		CU_ASSERT_EQUAL(F.fs->remove(F.self, &fake_call, v,
					     WSP_FS_RECURSIVE | WSP_FS_FORCE,
					     &err),
				WSP_EPERM);
		CU_ASSERT_EQUAL(F.fs->rmdir(F.self, &fake_call, v,
					    WSP_FS_RECURSIVE, &err),
				WSP_EPERM);
		CU_ASSERT_EQUAL(
			F.fs->move(F.self, &fake_call, v, "taken", 0, &err),
			WSP_EPERM);
		assert_outside_untouched();
	}
	CU_ASSERT_EQUAL(access(at(base, "taken"), F_OK), -1);
}

/* Removing a symlink to outside removes the link, never its target. */
static void test_remove_link_keeps_target(void)
{
	CU_ASSERT_EQUAL(F.fs->remove(F.self, &fake_call, "link_dir_out",
				     WSP_FS_RECURSIVE, &err),
			0);
	CU_ASSERT_EQUAL(F.fs->rmdir(F.self, &fake_call, "link_abs_dir",
				    WSP_FS_RECURSIVE, &err),
			WSP_ENOTDIR);
	assert_outside_untouched();
	link_in("../outside", "link_dir_out");
	/* moving a link moves the link; using it afterwards still fails */
	CU_ASSERT_EQUAL(F.fs->move(F.self, &fake_call, "link_dir_out",
				   "renamed", 0, &err),
			0);
	CU_ASSERT_EQUAL(
		F.fs->stat(&(wsp_fs_stat){.struct_size = sizeof(wsp_fs_stat)},
			   F.self, &fake_call, "renamed/secret.txt", 0, &err),
		WSP_EPERM);
	CU_ASSERT_EQUAL(F.fs->move(F.self, &fake_call, "renamed",
				   "link_dir_out", 0, &err),
			0);
	assert_outside_untouched();
}

/* The recursive listing of the root never shows what is outside. */
static void test_listing_stays_inside(void)
{
	wsp_fs_list_opts lo = WSP_FS_LIST_OPTS_INIT;
	struct capture c = {0};

	lo.flags = WSP_FS_RECURSIVE;
	CU_ASSERT_EQUAL(
		F.fs->list(F.self, &fake_call, ".", &lo, cap_entry, &c, &err),
		0);
	CU_ASSERT(c.entries > 20);
	CU_ASSERT_PTR_NULL(strstr(c.last, "secret"));
	c.entries = 0;
	c.last[0] = '\0';
	/* a copy of the whole root copies links as links, nothing outside */
	CU_ASSERT_EQUAL(F.fs->copy(F.self, &fake_call, "deep", "deep-copy",
				   WSP_FS_RECURSIVE, &err),
			0);
	CU_ASSERT_EQUAL(F.fs->read(F.self, &fake_call,
				   "deep-copy/a/b/up4/secret.txt",
				   FAKE_READ_ALL, cap_sink, &c, &err),
			WSP_EPERM);
	CU_ASSERT_EQUAL(c.secret, 0);
	CU_ASSERT_EQUAL(F.fs->rmdir(F.self, &fake_call, "deep-copy",
				    WSP_FS_RECURSIVE, &err),
			0);
	assert_outside_untouched();
}

/* A hard link: replacing it never writes into the shared inode. */
static void test_hard_link_write(void)
{
	char *s;

	CU_ASSERT_EQUAL(fake_fs_put(&F, "hl", "replaced", 8, 0, &err), 0);
	s = file_get(at(outside, "secret.txt"));
	CU_ASSERT_STRING_EQUAL(s, SECRET " outside");
	free(s);
	assert_outside_untouched();
}

/* Inside symlinks keep working; odd but legal names stay inside. */
static void test_inside_and_odd_names(void)
{
	static const char *const odd[] = {
		"...",
		"data/...",
		". .",
		"..a",
		"a..",
		"-rf",
		"~",
		"données/ファイル.txt",
		"..\xe2\x88\x95outside",
		"trailing.",
		"sp ace/ta\tb",
		"new\nline",
	};
	char longname[300], *s = NULL, *deep;
	size_t i, n;
	int rc;

	CU_ASSERT_EQUAL(fake_fs_get(&F, "ok_link", &s, NULL, &err), 0);
	CU_ASSERT_STRING_EQUAL(s ? s : "", "inside");
	free(s);
	CU_ASSERT_EQUAL(fake_fs_get(&F, "ok_dir/inside.txt", &s, NULL, &err),
			0);
	free(s);
	CU_ASSERT_EQUAL(fake_fs_get(&F, "data////inside.txt", &s, NULL, &err),
			0);
	free(s);
	for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		rc = fake_fs_put(&F, odd[i], "odd", 3, 0, &err);
		CU_ASSERT_EQUAL(rc, 0);
		s = file_get(at(base, odd[i]));
		CU_ASSERT_PTR_NOT_NULL(s);
		free(s);
		CU_ASSERT_EQUAL(
			F.fs->remove(F.self, &fake_call, odd[i], 0, &err), 0);
	}
	F.fs->rmdir(F.self, &fake_call, "données", 0, &err);
	F.fs->rmdir(F.self, &fake_call, "sp ace", 0, &err);
	/* a 300-byte name and a 5000-byte path are refused, not truncated */
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CU_ASSERT_EQUAL(fake_fs_put(&F, longname, "x", 1, 0, &err), WSP_EINVAL);
	n = 5000;
	deep = malloc(n + 1);
	for (i = 0; i < n; i++)
		deep[i] = i % 2 ? '/' : 'd';
	deep[n] = '\0';
	CU_ASSERT_EQUAL(fake_fs_put(&F, deep, "x", 1, 0, &err), WSP_EINVAL);
	CU_ASSERT_EQUAL(
		F.fs->mkdir(F.self, &fake_call, deep, WSP_FS_RECURSIVE, &err),
		WSP_EINVAL);
	/* 4000 bytes of "../" is refused for its first component */
	for (i = 0; i + 3 <= 3999; i += 3)
		memcpy(deep + i, "../", 3);
	deep[i] = '\0';
	CU_ASSERT_EQUAL(fake_fs_put(&F, deep, "x", 1, 0, &err), WSP_EPERM);
	free(deep);
	assert_outside_untouched();
}

/*
 * Races: a thread swaps base/swap (a real directory) and base/swap_alt (a
 * symlink to outside) with RENAME_EXCHANGE as fast as it can while the
 * provider writes, reads, lists and removes through "swap/...".
 */
struct swapper {
	atomic_int stop;
	atomic_long swaps;
};

static void *swap_loop(void *p)
{
	struct swapper *s = p;

	while (!atomic_load(&s->stop)) {
		if (renameat2(AT_FDCWD, at(base, "swap"), AT_FDCWD,
			      at(base, "swap_alt"), RENAME_EXCHANGE) == 0)
			atomic_fetch_add(&s->swaps, 1);
	}
	return NULL;
}

static void restore_swap(void)
{
	struct stat st;

	/* leave swap as the directory, swap_alt as the link */
	if (lstat(at(base, "swap"), &st) == 0 && S_ISLNK(st.st_mode))
		renameat2(AT_FDCWD, at(base, "swap"), AT_FDCWD,
			  at(base, "swap_alt"), RENAME_EXCHANGE);
}

static void test_race_symlink_swap(void)
{
	wsp_fs_list_opts lo = WSP_FS_LIST_OPTS_INIT;
	struct swapper s = {0};
	pthread_t th;
	int i, ok = 0, refused = 0;

	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, swap_loop, &s), 0);
	/* race against a swapper that runs, however late it is scheduled */
	for (i = 0; i < 10000 && !atomic_load(&s.swaps); i++)
		usleep(1000);
	for (i = 0; i < 400; i++) {
		struct capture c = {0};
		int rc;

		/*
		 * A refusal is safe whatever its code: the walker also gives
		 * up with "not a directory" once "swap" has flipped between
		 * directory and link more often than it retries.
		 */
		rc = fake_fs_put(&F, "swap/raced.txt", "raced", 5, 0, &err);
		rc == 0 ? ok++ : refused++;
		if (rc < 0 && rc != WSP_EPERM && rc != WSP_ENOTFOUND &&
		    rc != WSP_ENOTDIR)
			fprintf(stderr, "\nraced write: %d %s\n", rc,
				err.message);
		if (rc < 0)
			CU_ASSERT(rc == WSP_EPERM || rc == WSP_ENOTFOUND ||
				  rc == WSP_ENOTDIR);
		fake_fs_put(&F, "swap/deeper/raced.txt", "raced", 5, 0, &err);
		F.fs->mkdir(F.self, &fake_call, "swap/made", WSP_FS_RECURSIVE,
			    &err);
		rc = F.fs->read(F.self, &fake_call, "swap/victim",
				FAKE_READ_ALL, cap_sink, &c, &err);
		CU_ASSERT_EQUAL(c.secret, 0);
		rc = F.fs->list(F.self, &fake_call, "swap", &lo, cap_entry, &c,
				&err);
		CU_ASSERT(rc < 0 || strcmp(c.last, "sub"));
		CU_ASSERT(strcmp(c.last, "secret.txt"));
		F.fs->remove(F.self, &fake_call, "swap/victim",
			     WSP_FS_RECURSIVE, &err);
		F.fs->rmdir(F.self, &fake_call, "swap/sub", WSP_FS_RECURSIVE,
			    &err);
		F.fs->move(F.self, &fake_call, "swap/secret.txt", "moved-out",
			   0, &err);
		F.fs->copy(F.self, &fake_call, "swap/secret.txt", "copied-out",
			   0, &err);
	}
	atomic_store(&s.stop, 1);
	pthread_join(th, NULL);
	restore_swap();
	CU_ASSERT(atomic_load(&s.swaps) > 0);
	CU_ASSERT(ok + refused == 400);
	CU_ASSERT_EQUAL(access(at(base, "moved-out"), F_OK), -1);
	CU_ASSERT_EQUAL(access(at(base, "copied-out"), F_OK), -1);
	assert_outside_untouched();
}

static CU_TestInfo tests[] = {
	{"read-side catalogue", test_read_side_catalogue},
	{"write-side catalogue", test_write_side_catalogue},
	{"remove-side catalogue", test_remove_side_catalogue},
	{"remove a link, keep its target", test_remove_link_keeps_target},
	{"listing stays inside", test_listing_stays_inside},
	{"hard link write", test_hard_link_write},
	{"inside links and odd names", test_inside_and_odd_names},
	{"race: dir swapped for a symlink", test_race_symlink_swap},
	CU_TEST_INFO_NULL,
};

/* The same tests with each resolver: openat2, the O_NOFOLLOW walk. */
int main(void)
{
	CU_SuiteInfo suites[] = {
		{"escapes (openat2)", init_openat2, suite_fini, NULL, NULL,
		 tests},
		{"escapes (O_NOFOLLOW walk)", init_walk, suite_fini, NULL, NULL,
		 tests},
		CU_SUITE_INFO_NULL,
	};

	return cu_run_suites(suites);
}
