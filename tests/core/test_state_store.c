/*
 * tests/core/test_state_store.c - the host state store (host->state_*):
 * values round-trip as bytes and are replaced whole, keys are checked,
 * sizes are bounded on write and on read, links, foreign and
 * world-writable directories are refused, listing is sorted, and updates
 * from 8 real processes under a real flock are never lost. Run as root
 * and again as uid 65534 (run-unprivileged.sh).
 */
#include "state.h"
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static wsp_host host;
static char *tmp;      /* the state directory of each test */
static wsp_state *st;  /* an instance "dev-box" of sandbox provider e2b */
static char storedir[4096];

static void setup(void)
{
	wsp__host_init(&host);
	tmp = tu_tmpdir();
	CU_ASSERT_PTR_NOT_NULL_FATAL(tmp);
	CU_ASSERT_EQUAL_FATAL(
		wsp__state_new(&st, tmp, "sandbox", "e2b", "dev-box"), 0);
	snprintf(storedir, sizeof(storedir), "%s/store/sandbox-e2b/dev-box",
		 tmp);
}

static void teardown(void)
{
	wsp__state_free(st);
	st = NULL;
	/* A test may leave a directory read-only or world-writable. */
	chmod(storedir, 0700);
	tu_rmrf(tmp);
	free(tmp);
	tmp = NULL;
}

static int put(const char *key, const void *v, size_t len, wsp_error *err)
{
	return host.state_put(&host, st, key, v, len, err);
}

static int get(char **out, size_t *len, const char *key, wsp_error *err)
{
	return host.state_get(out, len, &host, st, key, err);
}

/* A file of n bytes of c written straight into the store, as anyone. */
static void plant(const char *name, size_t n, char c)
{
	char *buf = malloc(n ? n : 1);
	int fd = open(tu_path(storedir, name), O_WRONLY | O_CREAT | O_TRUNC,
		      0600);

	CU_ASSERT_FATAL(fd >= 0 && buf);
	memset(buf, c, n);
	CU_ASSERT_EQUAL(write(fd, buf, n), (ssize_t)n);
	close(fd);
	free(buf);
}

static void test_round_trip_binary(void)
{
	static const char v[] = { 'a', 0, 'b', (char)0xff, '\n', 0 };
	wsp_error err;
	struct stat sb;
	char *out = NULL;
	size_t len = 0;

	setup();
	CU_ASSERT_EQUAL(put("remote-id", v, sizeof(v), &err), 0);
	CU_ASSERT_EQUAL(get(&out, &len, "remote-id", &err), 0);
	CU_ASSERT_EQUAL(len, sizeof(v));
	CU_ASSERT(out && !memcmp(out, v, sizeof(v)) && out[len] == '\0');
	host.free(&host, out);
	/* An empty value is a value, not an absence. */
	CU_ASSERT_EQUAL(put("empty", NULL, 0, &err), 0);
	CU_ASSERT_EQUAL(get(&out, &len, "empty", &err), 0);
	CU_ASSERT(out && len == 0 && out[0] == '\0');
	host.free(&host, out);
	/* Where and how it is kept: private directories and files. */
	CU_ASSERT_EQUAL(stat(storedir, &sb), 0);
	CU_ASSERT_EQUAL(sb.st_mode & 0777, 0700);
	CU_ASSERT_EQUAL(stat(tu_path(tmp, "store"), &sb), 0);
	CU_ASSERT_EQUAL(sb.st_mode & 0777, 0700);
	CU_ASSERT_EQUAL(stat(tu_path(storedir, "remote-id"), &sb), 0);
	CU_ASSERT_EQUAL(sb.st_mode & 0777, 0600);
	CU_ASSERT_EQUAL(sb.st_size, (off_t)sizeof(v));
	teardown();
}

/* Entries of dir, "." and ".." aside. */
static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

/*
 * A writer alternates two values of 60 KiB (all 'a', all 'b') while this
 * process reads: every read is one whole value, never a mix or a part.
 */
static void test_atomic_replace(void)
{
	enum { BIG = 60 * 1024 };
	char *a = malloc(BIG), *b = malloc(BIG), *out;
	size_t len, i;
	int k, whole = 1, status;
	wsp_error err;
	pid_t pid;

	setup();
	memset(a, 'a', BIG);
	memset(b, 'b', BIG);
	CU_ASSERT_EQUAL_FATAL(put("offset", a, BIG, &err), 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		for (k = 0; k < 300; k++)
			if (put("offset", k % 2 ? a : b, BIG, &err))
				_exit(1);
		_exit(0);
	}
	for (k = 0; k < 600; k++) {
		CU_ASSERT_EQUAL_FATAL(get(&out, &len, "offset", &err), 0);
		whole &= len == BIG;
		for (i = 1; i < len; i++)
			whole &= out[i] == out[0];
		host.free(&host, out);
	}
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CU_ASSERT(whole);
	/* A plain replace too, and no temporary file left behind. */
	CU_ASSERT_EQUAL(put("offset", "17", 2, &err), 0);
	CU_ASSERT_EQUAL(get(&out, &len, "offset", &err), 0);
	CU_ASSERT(len == 2 && !memcmp(out, "17", 2));
	host.free(&host, out);
	CU_ASSERT_EQUAL(count_entries(storedir), 2); /* offset, .lock */
	free(a);
	free(b);
	teardown();
}

static void test_missing_key(void)
{
	wsp_error err;
	char *out = (char *)"x";
	size_t len = 9;

	setup();
	/* No store at all yet: nothing is created by reading. */
	CU_ASSERT_EQUAL(get(&out, &len, "sandbox-id", &err), WSP_ENOTFOUND);
	CU_ASSERT(out == NULL && len == 0);
	CU_ASSERT_EQUAL(access(tu_path(tmp, "store"), F_OK), -1);
	CU_ASSERT_EQUAL(host.state_delete(&host, st, "sandbox-id", &err), 0);
	CU_ASSERT_EQUAL(access(tu_path(tmp, "store"), F_OK), -1);
	/* A store without that key. */
	CU_ASSERT_EQUAL(put("other", "1", 1, &err), 0);
	CU_ASSERT_EQUAL(get(&out, &len, "sandbox-id", &err), WSP_ENOTFOUND);
	TU_ASSERT_CONTAINS(err.message, "no key 'sandbox-id'");
	CU_ASSERT_EQUAL(host.state_delete(&host, st, "sandbox-id", &err), 0);
	/* A NULL store is refused, not followed. */
	CU_ASSERT_EQUAL(host.state_get(&out, &len, &host, NULL, "other", &err),
			WSP_EINVAL);
	teardown();
}

static void test_bad_keys(void)
{
	char long_key[WSP_STATE_KEY_MAX + 2];
	const char *bad[] = { "",    long_key, "a/b",     "..",   ".",
			      ".hidden", "Upper", "a\nb", "a\x1b[31mred",
			      "a b", "k\x7f" };
	wsp_error err;
	char *out;
	size_t i, len;

	setup();
	memset(long_key, 'k', WSP_STATE_KEY_MAX + 1);
	long_key[WSP_STATE_KEY_MAX + 1] = '\0';
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(put(bad[i], "v", 1, &err), WSP_EINVAL);
		CU_ASSERT_EQUAL(get(&out, &len, bad[i], &err), WSP_EINVAL);
		CU_ASSERT_EQUAL(host.state_delete(&host, st, bad[i], &err),
				WSP_EINVAL);
		TU_ASSERT_CONTAINS(err.message, "invalid key");
		/* What it quotes is escaped: no raw control byte. */
		for (len = 0; err.message[len]; len++)
			CU_ASSERT((unsigned char)err.message[len] >= 0x20 &&
				  err.message[len] != 0x7f);
	}
	put("a\x1b[31mred", "v", 1, &err);
	TU_ASSERT_CONTAINS(err.message, "'a\\x1b[31mred'");
	CU_ASSERT_EQUAL(put(NULL, "v", 1, &err), WSP_EINVAL);
	/* The longest key and every allowed character are fine. */
	long_key[WSP_STATE_KEY_MAX] = '\0';
	CU_ASSERT_EQUAL(put(long_key, "v", 1, &err), 0);
	CU_ASSERT_EQUAL(put("a-z_0.9", "v", 1, &err), 0);
	CU_ASSERT_EQUAL(put("..a", "v", 1, &err), WSP_EINVAL);
	CU_ASSERT_EQUAL(put("a..", "v", 1, &err), 0);
	teardown();
}

static void test_size_limit(void)
{
	char *big = calloc(1, WSP_STATE_VALUE_MAX + 1), *out;
	wsp_error err;
	size_t len;

	setup();
	CU_ASSERT_EQUAL(put("big", big, WSP_STATE_VALUE_MAX + 1, &err),
			WSP_ETOOBIG);
	CU_ASSERT_EQUAL(get(&out, &len, "big", &err), WSP_ENOTFOUND);
	CU_ASSERT_EQUAL(put("big", big, WSP_STATE_VALUE_MAX, &err), 0);
	CU_ASSERT_EQUAL(get(&out, &len, "big", &err), 0);
	CU_ASSERT_EQUAL(len, WSP_STATE_VALUE_MAX);
	host.free(&host, out);
	/* Someone else's file over the limit is refused, not read. */
	plant("planted", WSP_STATE_VALUE_MAX + 1, 'z');
	CU_ASSERT_EQUAL(get(&out, &len, "planted", &err), WSP_ETOOBIG);
	TU_ASSERT_CONTAINS(err.message, "larger than 65536 bytes");
	CU_ASSERT_PTR_NULL(out);
	free(big);
	teardown();
}

static void test_symlinks_refused(void)
{
	char victim_dir[4096], *out, *text;
	wsp_error err;
	size_t len;

	setup();
	snprintf(victim_dir, sizeof(victim_dir), "%s/victim", tmp);
	CU_ASSERT_EQUAL_FATAL(mkdir(victim_dir, 0700), 0);
	tu_write(tu_path(victim_dir, "secret"), "do-not-read");
	CU_ASSERT_EQUAL_FATAL(put("seed", "1", 1, &err), 0);
	/* A link in place of a value: not read; a put replaces the link. */
	CU_ASSERT_EQUAL_FATAL(symlink(tu_path(victim_dir, "secret"),
				      tu_path(storedir, "remote-id")), 0);
	CU_ASSERT_EQUAL(get(&out, &len, "remote-id", &err), WSP_EPERM);
	TU_ASSERT_CONTAINS(err.message, "it is a symbolic link");
	CU_ASSERT_EQUAL(put("remote-id", "sbx-1", 5, &err), 0);
	text = tu_read(tu_path(victim_dir, "secret"));
	CU_ASSERT_STRING_EQUAL(text, "do-not-read");
	free(text);
	CU_ASSERT_EQUAL(get(&out, &len, "remote-id", &err), 0);
	host.free(&host, out);
	/* A link in place of the lock file. */
	CU_ASSERT_EQUAL(unlink(tu_path(storedir, ".lock")), 0);
	CU_ASSERT_EQUAL(symlink(tu_path(victim_dir, "secret"),
				tu_path(storedir, ".lock")), 0);
	CU_ASSERT_EQUAL(put("remote-id", "x", 1, &err), WSP_EPERM);
	CU_ASSERT_EQUAL(unlink(tu_path(storedir, ".lock")), 0);
	/* A link in place of the instance's directory and of store/. */
	tu_rmrf(storedir);
	CU_ASSERT_EQUAL(symlink(victim_dir, storedir), 0);
	CU_ASSERT_EQUAL(get(&out, &len, "secret", &err), WSP_EPERM);
	TU_ASSERT_CONTAINS(err.message, "refusing 'dev-box': it is a symbolic "
					"link");
	CU_ASSERT_EQUAL(put("written", "x", 1, &err), WSP_EPERM);
	CU_ASSERT_EQUAL(access(tu_path(victim_dir, "written"), F_OK), -1);
	tu_rmrf(tu_path(tmp, "store"));
	CU_ASSERT_EQUAL(symlink(victim_dir, tu_path(tmp, "store")), 0);
	CU_ASSERT_EQUAL(put("written", "x", 1, &err), WSP_EPERM);
	TU_ASSERT_CONTAINS(err.message, "refusing 'store'");
	CU_ASSERT_EQUAL(count_entries(victim_dir), 1); /* secret alone */
	teardown();
}

static void test_open_directory_refused(void)
{
	wsp_error err;
	char *out;
	size_t len;

	setup();
	CU_ASSERT_EQUAL_FATAL(put("seed", "1", 1, &err), 0);
	CU_ASSERT_EQUAL_FATAL(chmod(storedir, 0777), 0);
	CU_ASSERT_EQUAL(get(&out, &len, "seed", &err), WSP_EPERM);
	TU_ASSERT_CONTAINS(err.message, "group or others can write it");
	CU_ASSERT_EQUAL(put("seed", "2", 1, &err), WSP_EPERM);
	CU_ASSERT_EQUAL(chmod(storedir, 0700), 0);
	CU_ASSERT_EQUAL(chmod(tu_path(tmp, "store"), 0770), 0);
	CU_ASSERT_EQUAL(get(&out, &len, "seed", &err), WSP_EPERM);
	CU_ASSERT_EQUAL(chmod(tu_path(tmp, "store"), 0700), 0);
	/* Only root can hand a directory to another user to test this. */
	if (geteuid() == 0) {
		CU_ASSERT_EQUAL(chown(storedir, 65534, 65534), 0);
		CU_ASSERT_EQUAL(get(&out, &len, "seed", &err), WSP_EPERM);
		TU_ASSERT_CONTAINS(err.message, "belongs to another user");
		CU_ASSERT_EQUAL(chown(storedir, 0, 0), 0);
		CU_ASSERT_EQUAL(chown(tu_path(storedir, "seed"), 65534, 65534),
				0);
		CU_ASSERT_EQUAL(get(&out, &len, "seed", &err), WSP_EPERM);
		TU_ASSERT_CONTAINS(err.message, "belongs to another user");
	}
	/* A FIFO in place of a value: refused without opening it. */
	CU_ASSERT_EQUAL(mkfifo(tu_path(storedir, "fifo"), 0600), 0);
	CU_ASSERT_EQUAL(get(&out, &len, "fifo", &err), WSP_EPERM);
	TU_ASSERT_CONTAINS(err.message, "it is not a regular file");
	teardown();
}

struct keys {
	char text[512];
	int stop_after;
};

static int add_key(const char *key, void *payload)
{
	struct keys *k = payload;
	size_t n = strlen(k->text);

	snprintf(k->text + n, sizeof(k->text) - n, "%s,", key);
	return --k->stop_after == 0 ? 42 : 0;
}

static void test_list_sorted(void)
{
	const char *keys[] = { "proc.b", "sandbox-id", "proc.a", "proc.c",
			       "proc" };
	struct keys k = { "", -1 };
	wsp_error err;
	size_t i;

	setup();
	CU_ASSERT_EQUAL(host.state_list(&host, st, NULL, add_key, &k, &err),
			0);
	CU_ASSERT_STRING_EQUAL(k.text, "");
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		CU_ASSERT_EQUAL(put(keys[i], "1", 1, &err), 0);
	/* Not keys: a link, a directory, a temporary file. */
	CU_ASSERT_EQUAL(symlink("proc.a", tu_path(storedir, "proc.link")), 0);
	CU_ASSERT_EQUAL(mkdir(tu_path(storedir, "proc.dir"), 0700), 0);
	plant(".tmp-1-1", 1, 'x');
	CU_ASSERT_EQUAL(host.state_list(&host, st, "proc.", add_key, &k, &err),
			0);
	CU_ASSERT_STRING_EQUAL(k.text, "proc.a,proc.b,proc.c,");
	k.text[0] = '\0';
	CU_ASSERT_EQUAL(host.state_list(&host, st, NULL, add_key, &k, &err),
			0);
	CU_ASSERT_STRING_EQUAL(k.text,
			       "proc,proc.a,proc.b,proc.c,sandbox-id,");
	/* The callback stops it and its value comes back. */
	k.text[0] = '\0';
	k.stop_after = 2;
	CU_ASSERT_EQUAL(host.state_list(&host, st, "", add_key, &k, &err), 42);
	CU_ASSERT_STRING_EQUAL(k.text, "proc,proc.a,");
	CU_ASSERT_EQUAL(host.state_list(&host, st, "Proc/", add_key, &k, &err),
			WSP_EINVAL);
	teardown();
}

/* Add one to a decimal counter (absent: 0). */
static int increment(char **next, size_t *next_len, const char *old,
		     size_t old_len, int exists, void *payload)
{
	const wsp_host *h = payload;
	long v = exists ? strtol(old, NULL, 10) : 0;

	(void)old_len;
	*next = h->alloc(h, 32);
	if (!*next)
		return WSP_ENOMEM;
	*next_len = (size_t)snprintf(*next, 32, "%ld", v + 1);
	return 0;
}

static void test_update_across_processes(void)
{
	enum { PROCS = 8, EACH = 200 };
	pid_t pids[PROCS];
	wsp_error err;
	char *out;
	size_t len;
	int i, k, status, ok = 1;

	setup();
	for (i = 0; i < PROCS; i++) {
		pids[i] = fork();
		CU_ASSERT_FATAL(pids[i] >= 0);
		if (pids[i] == 0) {
			/* Each process its own handle, as separate wsp runs. */
			wsp_state *mine;

			if (wsp__state_new(&mine, tmp, "sandbox", "e2b",
					   "dev-box"))
				_exit(2);
			for (k = 0; k < EACH; k++)
				if (host.state_update(&host, mine, "counter",
						      increment, &host, &err))
					_exit(1);
			_exit(0);
		}
	}
	for (i = 0; i < PROCS; i++) {
		CU_ASSERT_EQUAL(waitpid(pids[i], &status, 0), pids[i]);
		ok &= WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	CU_ASSERT(ok);
	CU_ASSERT_EQUAL(get(&out, &len, "counter", &err), 0);
	CU_ASSERT_STRING_EQUAL(out, "1600");
	host.free(&host, out);
	teardown();
}

static int give_up(char **next, size_t *next_len, const char *old,
		   size_t old_len, int exists, void *payload)
{
	(void)next, (void)next_len, (void)old, (void)old_len, (void)exists;
	(void)payload;
	return WSP_ESTALE;
}

static int drop(char **next, size_t *next_len, const char *old,
		size_t old_len, int exists, void *payload)
{
	int *seen = payload;

	*seen = exists && old_len == 5 && !memcmp(old, "sbx-9", 6);
	*next = NULL;
	*next_len = 0;
	return 0;
}

static int too_much(char **next, size_t *next_len, const char *old,
		    size_t old_len, int exists, void *payload)
{
	const wsp_host *h = payload;

	(void)old, (void)old_len, (void)exists;
	*next = h->alloc(h, WSP_STATE_VALUE_MAX + 1);
	if (!*next)
		return WSP_ENOMEM;
	memset(*next, 'x', WSP_STATE_VALUE_MAX + 1);
	*next_len = WSP_STATE_VALUE_MAX + 1;
	return 0;
}

static void test_update_abort_and_delete(void)
{
	wsp_error err;
	char *out;
	size_t len;
	int seen = 0;

	setup();
	/* From nothing: the function sees exists == 0. */
	CU_ASSERT_EQUAL(host.state_update(&host, st, "n", increment, &host,
					  &err), 0);
	CU_ASSERT_EQUAL(get(&out, &len, "n", &err), 0);
	CU_ASSERT_STRING_EQUAL(out, "1");
	host.free(&host, out);
	CU_ASSERT_EQUAL(put("sandbox-id", "sbx-9", 5, &err), 0);
	CU_ASSERT_EQUAL(host.state_update(&host, st, "sandbox-id", give_up,
					  NULL, &err), WSP_ESTALE);
	TU_ASSERT_CONTAINS(err.message, "abandoned");
	CU_ASSERT_EQUAL(host.state_update(&host, st, "sandbox-id", too_much,
					  &host, &err), WSP_ETOOBIG);
	CU_ASSERT_EQUAL(get(&out, &len, "sandbox-id", &err), 0);
	CU_ASSERT(len == 5 && !strcmp(out, "sbx-9"));
	host.free(&host, out);
	CU_ASSERT_EQUAL(host.state_update(&host, st, "sandbox-id", drop, &seen,
					  &err), 0);
	CU_ASSERT(seen);
	CU_ASSERT_EQUAL(get(&out, &len, "sandbox-id", &err), WSP_ENOTFOUND);
	/* A planted oversized file is refused by update too. */
	plant("planted", WSP_STATE_VALUE_MAX + 1, 'z');
	CU_ASSERT_EQUAL(host.state_update(&host, st, "planted", increment,
					  &host, &err), WSP_ETOOBIG);
	teardown();
}

static void test_escaped_instance_ids(void)
{
	char a[WSP__STATE_NAME_MAX], b[WSP__STATE_NAME_MAX], id[400];

	wsp__state_escape_id(a, "/data");
	CU_ASSERT_STRING_EQUAL(a, "%2fdata");
	wsp__state_escape_id(a, "..");
	CU_ASSERT_STRING_EQUAL(a, "%2e.");
	wsp__state_escape_id(a, ".");
	CU_ASSERT_STRING_EQUAL(a, "%2e");
	wsp__state_escape_id(a, "");
	CU_ASSERT_STRING_EQUAL(a, "%");
	wsp__state_escape_id(a, "Dev_box-1.2");
	CU_ASSERT_STRING_EQUAL(a, "Dev_box-1.2");
	wsp__state_escape_id(a, "a%2fb\n");
	CU_ASSERT_STRING_EQUAL(a, "a%252fb%0a");
	/* Too long to escape: hashed, and two such ids stay apart. */
	memset(id, '/', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	wsp__state_escape_id(a, id);
	id[0] = 'x';
	wsp__state_escape_id(b, id);
	CU_ASSERT_EQUAL(strlen(a), 66);
	CU_ASSERT_NSTRING_EQUAL(a, "%h", 2);
	CU_ASSERT_STRING_NOT_EQUAL(a, b);
}

static void test_instances_apart(void)
{
	wsp_state *data = NULL;
	wsp_error err;
	char *out;
	size_t len;

	setup();
	CU_ASSERT_EQUAL_FATAL(
		wsp__state_new(&data, tmp, "fs", "s3", "/data"), 0);
	CU_ASSERT_EQUAL(put("k", "sandbox", 7, &err), 0);
	CU_ASSERT_EQUAL(host.state_put(&host, data, "k", "mount", 5, &err), 0);
	CU_ASSERT_EQUAL(get(&out, &len, "k", &err), 0);
	CU_ASSERT_STRING_EQUAL(out, "sandbox");
	host.free(&host, out);
	CU_ASSERT_EQUAL(access(tu_path(tmp, "store/fs-s3/%2fdata/k"), F_OK),
			0);
	wsp__state_free(data);
	teardown();
}

static const CU_TestInfo tests[] = {
	{ "round trip of binary values", test_round_trip_binary },
	{ "a value is replaced whole", test_atomic_replace },
	{ "a missing key", test_missing_key },
	{ "bad keys are refused", test_bad_keys },
	{ "64 KiB on write and on read", test_size_limit },
	{ "links are refused", test_symlinks_refused },
	{ "open or foreign directories are refused",
	  test_open_directory_refused },
	{ "list is sorted and filtered", test_list_sorted },
	{ "8 processes x 200 updates", test_update_across_processes },
	{ "update aborts and deletes", test_update_abort_and_delete },
	{ "instance ids are escaped", test_escaped_instance_ids },
	{ "instances keep apart", test_instances_apart },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	return tu_main("state_store", tests);
}
