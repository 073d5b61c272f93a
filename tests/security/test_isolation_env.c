/*
 * tests/security/test_isolation_env.c - an isolated sandbox is one place
 * (docs/local-environment.md): its commands and background processes
 * share one network, one /tmp and one process table from the first
 * command to stop, across wsp invocations; another sandbox sees none of
 * it; pause freezes them all and resume thaws them; stop ends
 * everything. Through the real CLI, as root and (through
 * run-unprivileged.sh) as uid 65534; the other isolation suites check
 * that every promise of docs/security.md still holds in that environment.
 */
#include "cu_main.h"
#include "isolation_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "test_wait.h"

/* How long a server may take to listen, or a process to be gone. */
#define SETTLE_MS 15000
#define PORT	  "18123"

static struct iso t, other;

static int suite_init(void)
{
	return iso_setup(&t, "bwrap", NULL) || iso_setup(&other, "bwrap", NULL);
}

static int suite_clean(void)
{
	iso_teardown(&t);
	iso_teardown(&other);
	return 0;
}

/* `probe tcp PORT` in w until it connects (or SETTLE_MS): its answer. */
static const char *connect_until_ok(struct iso *w)
{
	long long end = test_now_ms() + SETTLE_MS;

	for (;;) {
		if (iso_probe(w, "tcp", PORT, NULL) == 0 &&
		    !strcmp(iso_get(w, "tcp"), "ok"))
			return "ok";
		if (test_now_ms() > end)
			return iso_get(w, "tcp");
		usleep(50 * 1000);
	}
}

/* `probe listen PORT` spawned in t (its id into id), answering a later
 * command. */
static void spawn_listener(char *id, size_t cap)
{
	CU_ASSERT_EQUAL_FATAL(
		iso_wsp(&t,
			(const char *const[]){"spawn", "--no-stdin", "--",
					      "./probe", "listen", PORT, NULL}),
		0);
	snprintf(id, cap, "%.*s", (int)strcspn(t.out, "\n"), t.out);
	CU_ASSERT_STRING_EQUAL(connect_until_ok(&t), "ok");
}

/* A server started in the background answers a later command. */
static void test_server_then_client(void)
{
	char id[64];

	spawn_listener(id, sizeof(id));
	/* Another sandbox has a network of its own: nothing listens there. */
	CU_ASSERT_EQUAL(iso_probe(&other, "tcp", PORT, NULL), 0);
	CU_ASSERT_STRING_NOT_EQUAL(iso_get(&other, "tcp"), "ok");
	CU_ASSERT_EQUAL(iso_wsp(&t, (const char *const[]){"release", id, NULL}),
			0);
}

/* /tmp is the sandbox's, kept between commands and wsp invocations. */
static void test_tmp_kept(void)
{
	char note[64], write_it[128];

	snprintf(note, sizeof(note), "/tmp/wsp-env-note-%d", (int)getpid());
	snprintf(write_it, sizeof(write_it), "echo kept > %s", note);
	CU_ASSERT_EQUAL(
		iso_wsp(&t, (const char *const[]){"exec", "--", "sh", "-c",
						  write_it, NULL}),
		0);
	CU_ASSERT_EQUAL(
		iso_wsp(&t, (const char *const[]){"exec", "--cwd", "/tmp", "--",
						  "cat", note + 5, NULL}),
		0);
	CU_ASSERT_STRING_EQUAL(t.out, "kept\n");
	/* not the host's /tmp, and not another sandbox's */
	CU_ASSERT_NOT_EQUAL(access(note, F_OK), 0);
	CU_ASSERT_NOT_EQUAL(
		iso_wsp(&other,
			(const char *const[]){"exec", "--", "cat", note, NULL}),
		0);
}

/*
 * The running environment keeps the settings it started with: a command
 * under changed ones is refused, saying to stop the sandbox, and runs
 * again once the settings are back.
 */
static void test_changed_settings_refused(void)
{
	char saved[4096];
	size_t n;
	FILE *f;

	CU_ASSERT_EQUAL_FATAL(
		iso_wsp(&t, (const char *const[]){"exec", "--", "true", NULL}),
		0);
	f = fopen(t.config, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	n = fread(saved, 1, sizeof(saved), f);
	fclose(f);
	CU_ASSERT_FATAL(n > 0 && n < sizeof(saved));
	f = fopen(t.config, "a");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("    allow_network: true\n", f);
	fclose(f);
	CU_ASSERT_NOT_EQUAL(
		iso_wsp(&t, (const char *const[]){"exec", "--", "true", NULL}),
		0);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.err, "other isolation settings"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t.err, "wsp sandbox stop"));
	f = fopen(t.config, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fwrite(saved, 1, n, f), n);
	fclose(f);
	CU_ASSERT_EQUAL(
		iso_wsp(&t, (const char *const[]){"exec", "--", "true", NULL}),
		0);
}

/*
 * A sleep's argument that no other process on the host has: this test's
 * twin (the unprivileged run) runs at the same time under `ctest -j2`, and
 * iso_count_procs() looks over the host's whole /proc.
 */
static const char *sleeper_mark(int which)
{
	static char mark[2][32];

	snprintf(mark[which], sizeof(mark[which]), "%d.%d", 7001 + which,
		 (int)getpid());
	return mark[which];
}

/*
 * Commands see the background processes and can signal them. spawn may
 * return before the sleeper has exec'd (its comm is not yet "sleep"), so
 * the finder retries for about 10 s, and `logs -f` only follows a process
 * that was seen and killed: it can never wait out the sleep.
 */
static void test_processes_shared(void)
{
	const char *mark = sleeper_mark(0);
	char find_and_kill[512], id[64];

	snprintf(find_and_kill, sizeof(find_and_kill),
		 "i=0; while [ $i -lt 100 ]; do "
		 "  for p in /proc/[0-9]*; do "
		 "    if [ \"$(cat $p/comm 2>/dev/null)\" = sleep ] && "
		 "       tr '\\0' '\\n' < $p/cmdline | grep -qxF %s; then "
		 "      echo seen; kill ${p#/proc/}; exit 0; fi; "
		 "  done; sleep 0.1; i=$((i + 1)); "
		 "done; exit 1",
		 mark);
	CU_ASSERT_EQUAL_FATAL(
		iso_wsp(&t, (const char *const[]){"spawn", "--no-stdin", "--",
						  "sleep", mark, NULL}),
		0);
	snprintf(id, sizeof(id), "%.*s", (int)strcspn(t.out, "\n"), t.out);
	CU_ASSERT_EQUAL(
		iso_wsp(&t, (const char *const[]){"exec", "--", "sh", "-c",
						  find_and_kill, NULL}),
		0);
	CU_ASSERT_STRING_EQUAL(t.out, "seen\n");
	/* killed from the other command: following it ends with its signal */
	if (!strcmp(t.out, "seen\n"))
		CU_ASSERT_NOT_EQUAL(
			iso_wsp(&t,
				(const char *const[]){"logs", "-f", id, NULL}),
			0);
	iso_wsp(&t, (const char *const[]){"release", id, NULL});
	CU_ASSERT_EQUAL(iso_wait_procs(mark, 0, SETTLE_MS), 0);
}

/* What 127.0.0.1:port on the host answers (first bytes), or "". */
static const char *host_answer(int port)
{
	static char buf[64];
	struct timeval tv = {10, 0};
	struct sockaddr_in sa;
	ssize_t n = 0;
	int s = socket(AF_INET, SOCK_STREAM, 0);

	buf[0] = '\0';
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (s >= 0 && connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		n = recv(s, buf, sizeof(buf) - 1, MSG_WAITALL);
	buf[n > 0 ? n : 0] = '\0';
	if (s >= 0)
		close(s);
	return buf;
}

/*
 * A preview of a sandbox without network: the URL is a port of the
 * host's 127.0.0.1 that the environment's holder forwards inside.
 */
static void test_preview_without_network(void)
{
	const char *url;
	char id[64];
	int port, again;

	spawn_listener(id, sizeof(id));
	CU_ASSERT_EQUAL_FATAL(
		iso_wsp(&t, (const char *const[]){"sandbox", "preview", PORT,
						  NULL}),
		0);
	url = t.out;
	CU_ASSERT_EQUAL_FATAL(strncmp(url, "http://127.0.0.1:", 17), 0);
	port = atoi(url + 17);
	CU_ASSERT_FATAL(port > 0 && port < 65536);
	CU_ASSERT_STRING_EQUAL(host_answer(port), "hello\n");
	/* asked again: the same forward */
	CU_ASSERT_EQUAL(iso_wsp(&t, (const char *const[]){"sandbox", "preview",
							  PORT, NULL}),
			0);
	again = atoi(t.out + 17);
	CU_ASSERT_EQUAL(again, port);
	/* a port nothing listens on inside: connected, then closed */
	CU_ASSERT_EQUAL(iso_wsp(&t, (const char *const[]){"sandbox", "preview",
							  "18124", NULL}),
			0);
	CU_ASSERT_STRING_EQUAL(host_answer(atoi(t.out + 17)), "");
	CU_ASSERT_EQUAL(iso_wsp(&t, (const char *const[]){"release", id, NULL}),
			0);
}

/* The counter a background loop writes to ./ticks, 0 while unreadable. */
static long ticks(void)
{
	char path[400], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/ticks", t.ws);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return atol(buf);
}

/* Wait (at most SETTLE_MS) until the counter passes above; its value. */
static long ticks_above(long above)
{
	long long end = test_now_ms() + SETTLE_MS;
	long n;

	while ((n = ticks()) <= above && test_now_ms() < end)
		usleep(20 * 1000);
	return n;
}

/*
 * pause freezes every process of the environment and resume thaws them
 * (the cgroup freezer, docs/local-environment.md). As root the freezer is
 * writable; uid 65534 may not write it, so the local provider does not
 * claim pause and the command says it cannot.
 */
static void test_pause_freezes(void)
{
	long before, after;
	char id[64];

	if (!iso_root()) {
		CU_ASSERT_NOT_EQUAL(
			iso_wsp(&t, (const char *const[]){"sandbox", "pause",
							  NULL}),
			0);
		CU_ASSERT_PTR_NOT_NULL(strstr(t.err, "cannot pause here"));
		return;
	}
	CU_ASSERT_EQUAL_FATAL(
		iso_wsp(&t,
			(const char *const[]){
				"spawn", "--no-stdin", "--", "sh", "-c",
				"i=0; while :; do i=$((i + 1)); echo $i > "
				"ticks.new; "
				"mv ticks.new ticks; sleep 0.05; done",
				NULL}),
		0);
	snprintf(id, sizeof(id), "%.*s", (int)strcspn(t.out, "\n"), t.out);
	CU_ASSERT(ticks_above(2) > 2);
	CU_ASSERT_EQUAL(iso_wsp(&t, (const char *const[]){"--json", "sandbox",
							  "pause", NULL}),
			0);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.out, "\"paused\""));
	before = ticks();
	usleep(600 * 1000);
	after = ticks();
	CU_ASSERT(before > 0);
	CU_ASSERT_EQUAL(after, before);
	CU_ASSERT_EQUAL(
		iso_wsp(&t, (const char *const[]){"sandbox", "resume", NULL}),
		0);
	CU_ASSERT(ticks_above(after) > after);
	CU_ASSERT_EQUAL(iso_wsp(&t, (const char *const[]){"release", id, NULL}),
			0);
}

/* stop ends every process of the environment, and its /tmp. */
static void test_stop_ends_everything(void)
{
	const char *mark = sleeper_mark(1);

	CU_ASSERT_EQUAL_FATAL(
		iso_wsp(&t, (const char *const[]){"spawn", "--no-stdin", "--",
						  "sleep", mark, NULL}),
		0);
	CU_ASSERT_EQUAL(
		iso_wsp(&t,
			(const char *const[]){"exec", "--", "sh", "-c",
					      "echo left > /tmp/left", NULL}),
		0);
	/* the sleeper, and its relay on the host (agent/proxy.c) */
	CU_ASSERT(iso_count_procs(mark) >= 1);
	/*
	 * the environment: its holder and bwrap's two processes (each with
	 * `--bind WS WS`), and the relay (its cwd, WS)
	 */
	CU_ASSERT(iso_count_procs(t.ws) >= 3);
	CU_ASSERT_EQUAL(
		iso_wsp(&t, (const char *const[]){"sandbox", "stop", NULL}), 0);
	CU_ASSERT_EQUAL(iso_wait_procs(mark, 0, SETTLE_MS), 0);
	/* nor the environment itself, its holder (with the forwards) */
	CU_ASSERT_EQUAL(iso_wait_procs(t.ws, 0, SETTLE_MS), 0);
	/* the next command gets a new environment: an empty /tmp */
	CU_ASSERT_NOT_EQUAL(
		iso_wsp(&t, (const char *const[]){"exec", "--", "cat",
						  "/tmp/left", NULL}),
		0);
}

static CU_TestInfo tests[] = {
	{"a background server answers a later command",
	 test_server_then_client},
	{"/tmp is kept across wsp calls", test_tmp_kept},
	{"changed settings are refused until stop",
	 test_changed_settings_refused},
	{"commands see and signal background processes", test_processes_shared},
	{"a preview reaches a port without network",
	 test_preview_without_network},
	{"pause freezes, resume thaws", test_pause_freezes},
	{"stop ends everything", test_stop_ends_everything},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("security: one environment per sandbox", suite_init, suite_clean,
	      tests)
