/*
 * tests/sandbox-local/test_units.c - the plugin's helpers on their own:
 * the bounded capture ring against a reference model, lexical path
 * resolution and containment, the limit classifier, and the SIGPIPE hold
 * around pipe writes.
 */
#include "cu_main.h"
#include "local_box.h"
#include "instance.h"
#include <wsp/sigpipe.h>

#include <errno.h>
#include <pthread.h>
#include <unistd.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An instance's fake host, for the capture's host->alloc. */
static struct fake_sandbox fs;

/* Feed random chunk sizes; the ring must equal the model's tail. */
static void check_capture(size_t cap, unsigned seed)
{
	struct capture c;
	size_t total = 0, i, chunk, kept;
	/* room for the last chunk, which may be as large as cap + 65536 */
	char *all = malloc((1 << 20) + cap + 65536), *got;
	int ok = 1;

	srand(seed);
	capture_init(&c, cap);
	while (total < (1 << 20)) {
		switch (rand() % 4) {
		case 0: chunk = (size_t)rand() % 8; break;
		case 1: chunk = cap ? cap - 1 + (size_t)rand() % 3 : 5; break;
		case 2: chunk = (size_t)rand() % 65536; break;
		default: chunk = (size_t)rand() % (cap + 1); break;
		}
		for (i = 0; i < chunk; i++)
			all[total + i] = (char)rand();
		CU_ASSERT_EQUAL(capture_append(&c, all + total, chunk),
				0);
		total += chunk;
		kept = total < cap ? total : cap;
		if (c.len != kept || c.dropped != total - kept)
			ok = 0;
	}
	got = capture_take(&c, fs.host);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	kept = total < cap ? total : cap;
	CU_ASSERT(ok);
	CU_ASSERT_EQUAL(c.len, kept);
	CU_ASSERT(memcmp(got, all + total - kept, kept) == 0);
	CU_ASSERT_EQUAL(got[kept], '\0');
	/* the tail helper agrees */
	{
		char tail[100];
		size_t n = capture_tail(&c, tail, sizeof(tail));

		CU_ASSERT_EQUAL(n, kept < 100 ? kept : 100);
		CU_ASSERT(memcmp(tail, all + total - n, n) == 0);
	}
	fs.host->free(fs.host, got);
	capture_free(&c);
	free(all);
}

static void test_capture_ring(void)
{
	static const size_t caps[] = { 0, 1, 7, 4096, 4097, 65536, 300000 };
	size_t i;
	unsigned s;
	wsp_error err = { 0 };

	CU_ASSERT_EQUAL_FATAL(fake_open(&fs, (const char *const[]){
					       "isolation=none", NULL },
				       &err),
			      0);
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		for (s = 1; s <= 3; s++)
			check_capture(caps[i], s * 7919u + (unsigned)i);
	CU_ASSERT_EQUAL(fake_live_allocs(), 0);
	fake_close(&fs);
}

static void resolves(const char *base, const char *rel, const char *expect)
{
	char *got = local_path_resolve_under(base, rel);

	if (!expect) {
		CU_ASSERT_PTR_NULL(got);
	} else {
		CU_ASSERT_PTR_NOT_NULL_FATAL(got);
		CU_ASSERT_STRING_EQUAL(got, expect);
	}
	free(got);
}

static void test_paths(void)
{
	resolves("/ws", "a/b", "/ws/a/b");
	resolves("/ws/", "./a//b/", "/ws/a/b");
	resolves("/ws", "a/../b", "/ws/b");
	resolves("/ws", "a/..", "/ws");
	resolves("/ws", "", "/ws");
	resolves("/ws", "..", NULL);
	resolves("/ws", "a/../../ws/x", NULL);
	resolves("/", "a/../b", "/b");
	resolves("/", "..", NULL);
	CU_ASSERT(local_path_within("/ws", "/ws"));
	CU_ASSERT(local_path_within("/ws/a", "/ws"));
	CU_ASSERT_FALSE(local_path_within("/wsx", "/ws"));
	CU_ASSERT_FALSE(local_path_within("/w", "/ws"));
	CU_ASSERT(local_path_within("/anything", "/"));
	{
		char *j = local_path_join("/", "x");

		CU_ASSERT_STRING_EQUAL(j, "/x");
		free(j);
		j = local_path_join("/a//", "x");
		CU_ASSERT_STRING_EQUAL(j, "/a/x");
		free(j);
	}
}

/* How a command ended and what it printed, and the limit blamed. */
struct limit_case {
	int configured; /* every limit set, or none */
	int exited;	/* code_or_signal: an exit code, else a signal */
	int code_or_signal;
	uint64_t cpu_used_ms;
	const char *err_tail; /* NULL: nothing printed */
	uint32_t want;
};

static const char oom[] = "dd: memory exhausted by input buffer";
static const char fork_fail[] = "sh: 1: Cannot fork";
static const char bwrap_fail[] = "bwrap: Creating new namespace failed: "
				 "Resource temporarily unavailable\n";

static const struct limit_case limit_cases[] = {
	/* nothing configured: nothing blamed */
	{ 0, 0, SIGXCPU, 5000, NULL, WSP_LIMIT_NONE },
	{ 0, 1, 1, 0, oom, WSP_LIMIT_NONE },
	/* signals */
	{ 1, 0, SIGXCPU, 2000, NULL, WSP_LIMIT_CPU },
	{ 1, 0, SIGKILL, 3000, NULL, WSP_LIMIT_CPU },
	{ 1, 0, SIGXFSZ, 0, NULL, WSP_LIMIT_FILE_SIZE },
	{ 1, 0, SIGSEGV, 0, NULL, WSP_LIMIT_MEMORY },
	/* a shell's 128+N */
	{ 1, 1, 128 + SIGXFSZ, 0, NULL, WSP_LIMIT_FILE_SIZE },
	/* messages */
	{ 1, 1, 1, 0, oom, WSP_LIMIT_MEMORY },
	{ 1, 1, 2, 0, fork_fail, WSP_LIMIT_PROCESSES },
	/* the limit reached before bubblewrap could start the sandbox */
	{ 1, 1, 1, 0, bwrap_fail, WSP_LIMIT_PROCESSES },
	{ 0, 1, 1, 0, bwrap_fail, WSP_LIMIT_NONE },
	/* success is never a limit */
	{ 1, 1, 0, 9000, oom, WSP_LIMIT_NONE },
};

static void test_limit_classifier(void)
{
	const struct local_limits none = { 0, 0, 0, 0 };
	const struct local_limits all = { 64 << 20, 10, 2, 1 << 20 };

	for (size_t i = 0; i < sizeof(limit_cases) / sizeof(*limit_cases);
	     i++) {
		const struct limit_case *c = &limit_cases[i];
		uint32_t got = local_limit_classify(
			c->configured ? &all : &none, c->exited,
			c->code_or_signal, c->cpu_used_ms, c->err_tail,
			c->err_tail ? strlen(c->err_tail) : 0);

		if (got != c->want)
			fprintf(stderr,
				"\nlimit case %zu (%s %d, '%s'): %u, want %u\n",
				i, c->exited ? "exit" : "signal",
				c->code_or_signal,
				c->err_tail ? c->err_tail : "", got, c->want);
		CU_ASSERT_EQUAL(got, c->want);
	}
}

static int sigpipe_pending(void)
{
	sigset_t pending;

	sigpending(&pending);
	return sigismember(&pending, SIGPIPE) == 1;
}

static int sigpipe_blocked(void)
{
	sigset_t mask;

	pthread_sigmask(SIG_BLOCK, NULL, &mask);
	return sigismember(&mask, SIGPIPE) == 1;
}

/*
 * With SIGPIPE at its default action (a host that never touched it), a
 * write to a pipe without a reader under the hold fails with EPIPE and
 * the process lives; the signal it raised is consumed and the mask comes
 * back as it was. A SIGPIPE pending before the hold is someone else's and
 * stays pending.
 */
static void test_sigpipe_hold(void)
{
	struct wsp_sigpipe_hold hold;
	sigset_t pipe_set;
	struct timespec zero = {0, 0};
	int fds[2];

	signal(SIGPIPE, SIG_DFL); /* CU_MAIN ignores it; a host may not */
	CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
	close(fds[0]);

	wsp_sigpipe_hold_begin(&hold);
	CU_ASSERT(sigpipe_blocked());
	CU_ASSERT_EQUAL(write(fds[1], "x", 1), -1);
	CU_ASSERT_EQUAL(errno, EPIPE);
	CU_ASSERT(sigpipe_pending());
	wsp_sigpipe_hold_end(&hold, 1);
	CU_ASSERT_FALSE(sigpipe_pending());
	CU_ASSERT_FALSE(sigpipe_blocked());

	/* someone else's pending SIGPIPE survives a hold that raised none */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, NULL);
	pthread_kill(pthread_self(), SIGPIPE);
	wsp_sigpipe_hold_begin(&hold);
	CU_ASSERT_EQUAL(write(fds[1], "x", 1), -1);
	wsp_sigpipe_hold_end(&hold, 1);
	CU_ASSERT(sigpipe_blocked()); /* the caller's mask, restored */
	CU_ASSERT(sigpipe_pending());
	CU_ASSERT_EQUAL(sigtimedwait(&pipe_set, NULL, &zero), SIGPIPE);
	CU_ASSERT_FALSE(sigpipe_pending());
	pthread_sigmask(SIG_UNBLOCK, &pipe_set, NULL);
	close(fds[1]);
	signal(SIGPIPE, SIG_IGN);
}

static CU_TestInfo tests[] = {
	{ "capture ring", test_capture_ring },
	{ "paths", test_paths },
	{ "limit classifier", test_limit_classifier },
	{ "sigpipe hold", test_sigpipe_hold },
	CU_TEST_INFO_NULL,
};

CU_MAIN("sandbox-local units", tests)
