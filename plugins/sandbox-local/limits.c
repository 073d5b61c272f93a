/*
 * plugins/sandbox-local/limits.c - resource limits: applying them in the
 * child (setrlimit) and telling, afterwards, which one stopped a command.
 *
 * Limits are per process (RLIMIT_AS, RLIMIT_CPU, RLIMIT_FSIZE) and inherited
 * by every process the command starts; RLIMIT_NPROC counts all processes
 * of the user, and the kernel does not enforce it for root, whose commands
 * get a pids cgroup instead (cgroup.c).
 *
 * Telling which limit hit is a heuristic, because the kernel reports
 * only how the process ended:
 *  - SIGXCPU, or SIGKILL after using at least the CPU limit: cpu_time
 *    (the soft limit sends SIGXCPU, the hard one a second later SIGKILL);
 *  - SIGXFSZ: file_size_limit (a process that ignores SIGXFSZ gets EFBIG
 *    instead, and is reported only if it says "File too large");
 *  - with a memory limit set: death by SIGSEGV, SIGABRT or SIGKILL, or a
 *    failure whose stderr ends with an out-of-memory message (malloc
 *    failing under RLIMIT_AS looks like that);
 *  - with a process limit set: a failure whose stderr says fork failed
 *    (bubblewrap's clone of the sandbox included).
 */
#include "instance.h"

#include <signal.h>
#include <string.h>
#include <sys/resource.h>

void local_limits_rlimits(const struct local_limits *l,
			  uint64_t soft[ENV_LIMITS], uint64_t hard[ENV_LIMITS])
{
	int i;

	for (i = 0; i < ENV_LIMITS; i++)
		soft[i] = hard[i] = UINT64_MAX;
	if (l->memory_bytes)
		soft[ENV_LIM_AS] = hard[ENV_LIM_AS] = l->memory_bytes;
	if (l->max_processes)
		soft[ENV_LIM_NPROC] = hard[ENV_LIM_NPROC] = l->max_processes;
	if (l->cpu_seconds) {
		/* Soft: SIGXCPU (catchable); hard one second later: SIGKILL. */
		soft[ENV_LIM_CPU] = l->cpu_seconds;
		hard[ENV_LIM_CPU] = l->cpu_seconds + 1;
	}
	if (l->file_size)
		soft[ENV_LIM_FSIZE] = hard[ENV_LIM_FSIZE] = l->file_size;
}

void local_apply_limits(const struct local_limits *limits)
{
	static const int which[ENV_LIMITS] = { RLIMIT_AS, RLIMIT_NPROC,
					       RLIMIT_CPU, RLIMIT_FSIZE };
	uint64_t soft[ENV_LIMITS], hard[ENV_LIMITS];
	struct rlimit rl;
	int i;

	local_limits_rlimits(limits, soft, hard);
	for (i = 0; i < ENV_LIMITS; i++) {
		if (soft[i] == UINT64_MAX)
			continue; /* not configured */
		rl.rlim_cur = (rlim_t)soft[i];
		rl.rlim_max = (rlim_t)hard[i];
		setrlimit(which[i], &rl);
	}
}

/* True if the text (not NUL-terminated) contains needle. */
static int contains(const char *text, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	if (!text || n > len)
		return 0;
	return memmem(text, len, needle, n) != NULL;
}

static int says_out_of_memory(const char *t, size_t n)
{
	return contains(t, n, "Cannot allocate memory") ||
	       contains(t, n, "out of memory") ||
	       contains(t, n, "Out of memory") ||
	       contains(t, n, "MemoryError") ||
	       contains(t, n, "std::bad_alloc") ||
	       contains(t, n, "memory exhausted");
}

static int says_fork_failed(const char *t, size_t n)
{
	return contains(t, n, "Cannot fork") ||
	       contains(t, n, "can't fork") ||
	       contains(t, n, "fork: Resource temporarily unavailable") ||
	       contains(t, n, "fork failed") ||
	       /* bwrap's own clone, when the limit is reached before it */
	       contains(t, n, "Creating new namespace failed: Resource "
			      "temporarily unavailable");
}

uint32_t local_limit_classify(const struct local_limits *limits, int exited,
			      int code_or_signal, uint64_t cpu_used_ms,
			      const char *err_tail, size_t err_len)
{
	if (!exited) {
		int sig = code_or_signal;

		if (sig == SIGXCPU && limits->cpu_seconds)
			return WSP_LIMIT_CPU;
		if (sig == SIGKILL && limits->cpu_seconds &&
		    cpu_used_ms >= limits->cpu_seconds * 1000)
			return WSP_LIMIT_CPU;
		if (sig == SIGXFSZ && limits->file_size)
			return WSP_LIMIT_FILE_SIZE;
		if (limits->memory_bytes &&
		    (sig == SIGSEGV || sig == SIGABRT || sig == SIGKILL ||
		     sig == SIGBUS))
			return WSP_LIMIT_MEMORY;
		return WSP_LIMIT_NONE;
	}
	if (code_or_signal == 0)
		return WSP_LIMIT_NONE;
	/* A shell reports its child's signal as 128+N. */
	if (code_or_signal > 128 && code_or_signal < 128 + 65) {
		uint32_t l = local_limit_classify(limits, 0,
						  code_or_signal - 128,
						  cpu_used_ms, err_tail,
						  err_len);
		if (l != WSP_LIMIT_NONE)
			return l;
	}
	if (limits->file_size && contains(err_tail, err_len, "File too large"))
		return WSP_LIMIT_FILE_SIZE;
	if (limits->memory_bytes && says_out_of_memory(err_tail, err_len))
		return WSP_LIMIT_MEMORY;
	if (limits->max_processes && says_fork_failed(err_tail, err_len))
		return WSP_LIMIT_PROCESSES;
	return WSP_LIMIT_NONE;
}
