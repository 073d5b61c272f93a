/*
 * tests/fs-local/test_atomic.c - atomic replacement. A child process writes
 * a file slowly through the provider and is killed with SIGKILL mid-write;
 * the target must hold exactly the old content and listings must show no
 * temporary file. A reader racing a writer must only ever see a whole old
 * or a whole new file. Both run with O_TMPFILE writes and with named
 * temporaries (WSP_FS_LOCAL_TMPFILE=named), whose leftovers a killed writer
 * leaves on disk but which listings hide.
 */
#include "fs_box.h"

#include <CUnit/Basic.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cu_main.h"

#define OLD "old content, whole\n"

static char *base;
static struct fake_fs F;
static wsp_error err;
static int named_mode;

static int suite_init_mode(int named)
{
	named_mode = named;
	if (named)
		setenv("WSP_FS_LOCAL_TMPFILE", "named", 1);
	else
		unsetenv("WSP_FS_LOCAL_TMPFILE");
	base = tmpdir_make("atomic");
	if (!base || fake_fs_open(&F, base, 0, NULL, &err) < 0)
		return -1;
	return 0;
}

static int init_tmpfile(void)
{
	return suite_init_mode(0);
}

static int init_named(void)
{
	return suite_init_mode(1);
}

static int suite_fini(void)
{
	fake_fs_close(&F);
	tree_remove(base);
	free(base);
	unsetenv("WSP_FS_LOCAL_TMPFILE");
	return 0;
}

struct slow {
	int sync_fd; /* written once the first chunk went out */
	size_t sent;
};

/* An endless source of 'N' bytes, 64 KiB every 5 ms. */
static int slow_source(void *buf, size_t cap, size_t *out, void *p)
{
	struct slow *s = p;
	size_t n = cap < 65536 ? cap : 65536;
	struct timespec ts = {0, 5000000};

	memset(buf, 'N', n);
	*out = n;
	if (s->sent == 65536 && write(s->sync_fd, "x", 1) != 1)
		return WSP_EIO;
	s->sent += n;
	nanosleep(&ts, NULL);
	return 0;
}

static int count_entry(const wsp_fs_entry *e, void *p)
{
	(void)e;
	++*(int *)p;
	return 0;
}

/* Names in base on the disk itself (temporaries included). */
static int disk_entries(void)
{
	DIR *d = opendir(base);
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	if (d)
		closedir(d);
	return n;
}

static void kill_writer(uint32_t flags)
{
	wsp_fs_list_opts lo = WSP_FS_LIST_OPTS_INIT;
	char *path = path_join(base, "victim.txt"), *s, c;
	int sync[2], status, listed = 0;
	pid_t pid;

	int fresh = flags & WSP_FS_WRITE_NO_OVERWRITE;

	if (!fresh)
		file_put(path, OLD);
	CU_ASSERT_EQUAL_FATAL(pipe(sync), 0);
	pid = fork();
	if (pid == 0) {
		wsp_fs_write_opts o = WSP_FS_WRITE_OPTS_INIT;
		struct slow sl = {sync[1], 0};

		close(sync[0]);
		o.flags = flags;
		F.fs->write(NULL, F.self, &fake_call, "victim.txt", &o,
			    slow_source, &sl, &err);
		_exit(0); /* never reached: the source never ends */
	}
	close(sync[1]);
	CU_ASSERT_EQUAL(read(sync[0], &c, 1), 1); /* mid-write now */
	usleep(20000);
	kill(pid, SIGKILL);
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	close(sync[0]);

	s = file_get(path);
	if (fresh) {
		CU_ASSERT_PTR_NULL(s); /* never appeared, not even empty */
	} else {
		CU_ASSERT_STRING_EQUAL(s ? s : "", OLD);
	}
	free(s);
	CU_ASSERT_EQUAL(F.fs->list(F.self, &fake_call, ".", &lo, count_entry,
				   &listed, &err),
			0);
	CU_ASSERT_EQUAL(listed, fresh ? 0 : 1);
	/* O_TMPFILE leaves nothing; a named temporary stays, hidden. */
	CU_ASSERT_EQUAL(disk_entries(), (fresh ? 0 : 1) + (named_mode ? 1 : 0));
	tree_empty(base);
	free(path);
}

static void test_killed_overwrite(void)
{
	kill_writer(0);
}

static void test_killed_no_overwrite(void)
{
	char *path = path_join(base, "victim.txt");

	/* no_overwrite on an existing file fails before writing anything */
	file_put(path, OLD);
	CU_ASSERT_EQUAL(fake_fs_put(&F, "victim.txt", "x", 1,
				    WSP_FS_WRITE_NO_OVERWRITE, &err),
			WSP_EEXIST);
	tree_empty(base);
	free(path);
	kill_writer(WSP_FS_WRITE_NO_OVERWRITE);
}

struct racer {
	atomic_int stop;
	int torn;
	long reads;
};

#define BIG (256 * 1024)

static void *reader(void *p)
{
	struct racer *r = p;

	while (!atomic_load(&r->stop)) {
		char *s = NULL;
		size_t n = 0, i;

		if (fake_fs_get(&F, "flip.bin", &s, &n, &err) == 0) {
			r->reads++;
			if (n != BIG)
				r->torn++;
			for (i = 1; i < n; i++)
				if (s[i] != s[0]) {
					r->torn++;
					break;
				}
		}
		free(s);
	}
	return NULL;
}

static void test_reader_never_sees_half(void)
{
	struct racer r = {0};
	char *a = malloc(BIG), *b = malloc(BIG);
	pthread_t th;
	int i;

	memset(a, 'a', BIG);
	memset(b, 'b', BIG);
	CU_ASSERT_EQUAL(fake_fs_put(&F, "flip.bin", a, BIG, 0, &err), 0);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, reader, &r), 0);
	for (i = 0; i < 200; i++)
		CU_ASSERT_EQUAL(fake_fs_put(&F, "flip.bin", i % 2 ? a : b, BIG,
					    0, &err),
				0);
	atomic_store(&r.stop, 1);
	pthread_join(th, NULL);
	CU_ASSERT(r.reads > 0);
	CU_ASSERT_EQUAL(r.torn, 0);
	free(a);
	free(b);
	tree_empty(base);
}

/* Concurrent no_overwrite writers: exactly one wins. */
struct excl {
	int wins, exists;
	pthread_mutex_t mu;
};

static void *excl_writer(void *p)
{
	struct excl *x = p;
	wsp_error e;
	int rc = fake_fs_put(&F, "once.txt", "me", 2, WSP_FS_WRITE_NO_OVERWRITE,
			     &e);

	pthread_mutex_lock(&x->mu);
	if (rc == 0)
		x->wins++;
	else if (rc == WSP_EEXIST)
		x->exists++;
	pthread_mutex_unlock(&x->mu);
	return NULL;
}

static void test_no_overwrite_race(void)
{
	int round;

	for (round = 0; round < 20; round++) {
		struct excl x = {0, 0, PTHREAD_MUTEX_INITIALIZER};
		pthread_t th[8];
		int i;

		for (i = 0; i < 8; i++)
			pthread_create(&th[i], NULL, excl_writer, &x);
		for (i = 0; i < 8; i++)
			pthread_join(th[i], NULL);
		CU_ASSERT_EQUAL(x.wins, 1);
		CU_ASSERT_EQUAL(x.exists, 7);
		tree_empty(base);
	}
}

/* Writers holding the same version: exactly one wins, the rest are stale. */
struct cond {
	const char *version;
	int wins, stale;
	pthread_mutex_t mu;
};

static void *cond_writer(void *p)
{
	struct cond *c = p;
	wsp_fs_write_opts o = WSP_FS_WRITE_OPTS_INIT;
	wsp_error e;
	int rc;

	o.expected_version = c->version;
	rc = fake_fs_put_opts(&F, "doc.md", "edit", 4, &o, &e);
	pthread_mutex_lock(&c->mu);
	if (rc == 0)
		c->wins++;
	else if (rc == WSP_ESTALE)
		c->stale++;
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

static void test_conditional_race(void)
{
	struct timespec old[2] = {{1000000, 0}, {1000000, 0}};
	char *path = path_join(base, "doc.md");
	int round;

	for (round = 0; round < 10; round++) {
		struct cond c = {NULL, 0, 0, PTHREAD_MUTEX_INITIALIZER};
		wsp_fs_stat st = {.struct_size = sizeof(st)};
		pthread_t th[8];
		int i;

		file_put(path, "base");
		/* an old mtime: the edits cannot land in the same clock tick */
		utimensat(AT_FDCWD, path, old, 0);
		CU_ASSERT_EQUAL_FATAL(
			F.fs->stat(&st, F.self, &fake_call, "doc.md", 0, &err),
			0);
		c.version = st.version;
		for (i = 0; i < 8; i++)
			pthread_create(&th[i], NULL, cond_writer, &c);
		for (i = 0; i < 8; i++)
			pthread_join(th[i], NULL);
		CU_ASSERT_EQUAL(c.wins, 1);
		CU_ASSERT_EQUAL(c.stale, 7);
	}
	tree_empty(base);
	free(path);
}

static CU_TestInfo tests[] = {
	{"writer killed mid-write", test_killed_overwrite},
	{"no_overwrite writer killed", test_killed_no_overwrite},
	{"reader never sees half a file", test_reader_never_sees_half},
	{"no_overwrite race: one winner", test_no_overwrite_race},
	{"conditional race: one winner", test_conditional_race},
	CU_TEST_INFO_NULL,
};

/* The same tests with each kind of temporary file. */
int main(void)
{
	CU_SuiteInfo suites[] = {
		{"atomic (O_TMPFILE)", init_tmpfile, suite_fini, NULL, NULL,
		 tests},
		{"atomic (named temporary)", init_named, suite_fini, NULL, NULL,
		 tests},
		CU_SUITE_INFO_NULL,
	};

	return cu_run_suites(suites);
}
