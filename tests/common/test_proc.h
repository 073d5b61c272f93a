/*
 * tests/common/test_proc.h - what the tests and benchmarks of background
 * processes read about a process from /proc (its state, its parent, a
 * memory figure), and a tally of a process listing. The benchmarks
 * (bench/sandbox_local*, bench/mcp) include this very header rather than
 * a copy of it.
 */
#ifndef WSP_TEST_PROC_H
#define WSP_TEST_PROC_H

#include <wsp/sandbox.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

/*
 * The number after key ("VmRSS:", "VmHWM:", "Pss:") in /proc/PID/file
 * ("status", "smaps_rollup"; pid 0: this process), in KiB, or -1.
 */
static inline long test_proc_kib(pid_t pid, const char *file, const char *key)
{
	char path[64], line[256];
	size_t n = strlen(key);
	long v = -1;
	FILE *f;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	else
		snprintf(path, sizeof(path), "/proc/self/%s", file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n)) {
			v = strtol(line + n, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* State letter ('R', 'S', 'Z'...) and parent of pid from /proc/PID/stat,
 * or 0 when there is no such process (ppid is then left as it was). */
static inline char test_proc_state(pid_t pid, pid_t *ppid)
{
	char path[64], text[512], *p, st = 0;
	int parent = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	/* the name in parentheses may hold spaces and ')': after the last */
	if (fgets(text, sizeof(text), f) && (p = strrchr(text, ')')) &&
	    sscanf(p + 1, " %c %d", &st, &parent) == 2 && ppid)
		*ppid = parent;
	fclose(f);
	return st;
}

/* The parent of pid (for a background command: its monitor), or -1. */
static inline pid_t test_proc_parent(pid_t pid)
{
	pid_t parent = -1;

	return test_proc_state(pid, &parent) ? parent : -1;
}

/* A process listing counted: a wsp_proc_fn, payload a test_proc_tally. */
struct test_proc_tally {
	int count, running;
};

static inline int test_proc_tally_add(const char *id, const char *command,
				      const wsp_proc_status *st, void *payload)
{
	struct test_proc_tally *t = payload;

	(void)id;
	(void)command;
	t->count++;
	t->running += st->state == WSP_PROC_RUNNING;
	return 0;
}

#endif
