/*
 * tests/fuzz/fuzz_proclog.c - the readers of a background process's
 * files on arbitrary bytes: the log file (its header page, the status in
 * it, the two output rings, tail lines) as any file in the state
 * directory might hold, and the spec a monitor reads from its pipe.
 *
 * First byte: 0 the log, padded with zeros to a whole header page; 1 the
 * log as given (short ones are refused); 2 the spec. What the readers
 * accept must hold up: a status that passes proc_status_check() names
 * only pids a kill could safely use, reads stay within their buffer and
 * between the oldest kept byte and the end, and a spec that parses
 * encodes and parses again to the same spec.
 *
 * The readers live in the plugin (and its monitor), which link nothing
 * of the core, so their source files are compiled in here.
 */
#include "../../plugins/shared/proclog/proc_log.c"
#include "../../plugins/sandbox-local/proc_spec.c"
#include "../../plugins/sandbox-local/proc_sys.c"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int dir_fd = -1;
static char dir_path[1100];

static void remove_dir(void)
{
	unlinkat(dir_fd, PROC_FILE_LOG, 0);
	rmdir(dir_path);
}

/*
 * One directory for the whole run; each input rewrites its log. Under
 * $TMPDIR when set: a long run on a tmpfs (/dev/shm) skips the disk
 * file system's journal for each of its millions of rewrites.
 */
static int state_dir(void)
{
	const char *tmp = getenv("TMPDIR");

	if (dir_fd >= 0)
		return dir_fd;
	if (!tmp || !*tmp || strlen(tmp) > 1024)
		tmp = "/tmp";
	snprintf(dir_path, sizeof(dir_path), "%s/wsp-fuzz-proclog-XXXXXX",
		 tmp);
	if (!mkdtemp(dir_path))
		abort();
	dir_fd = open(dir_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0)
		abort();
	atexit(remove_dir);
	return dir_fd;
}

static void check_status(const struct proc_status_file *st)
{
	if (proc_status_check(st) < 0)
		return;
	if (st->state < PROC_STARTING || st->state > PROC_GONE)
		__builtin_trap();
	if (st->state != PROC_STARTING &&
	    (st->pid <= 1 || st->pid > PROC_PID_MAX || st->pgid != st->pid))
		__builtin_trap();
	if (st->exit_code < 0 || st->exit_code > 255)
		__builtin_trap();
}

static void read_stream(const struct proc_log *l, int stream)
{
	static char buf[4096];
	uint64_t end = proc_log_total(l, stream);
	uint64_t oldest = proc_log_oldest(l, stream), off = 0, from;
	int rounds;

	for (rounds = 0; rounds < 64; rounds++) {
		uint64_t before = off;
		ssize_t n = proc_log_read(l, stream, &off, end, buf,
					  sizeof(buf));

		if (n < 0 || n == 0)
			break;
		if ((size_t)n > sizeof(buf) || off < before || off < oldest ||
		    off + (uint64_t)n > end)
			__builtin_trap();
		off += (uint64_t)n;
	}
	from = proc_log_tail_lines(l, stream, end, 3);
	if (from > end && end >= oldest)
		__builtin_trap();
}

static void fuzz_log(const uint8_t *data, size_t size, int pad)
{
	struct proc_status_file st;
	struct proc_log l;
	int dir = state_dir(), fd;

	fd = openat(dir, PROC_FILE_LOG,
		    O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	if (pad && size < PROC_LOG_HEADER_SIZE &&
	    ftruncate(fd, PROC_LOG_HEADER_SIZE) < 0)
		abort();
	close(fd);
	if (proc_log_open(&l, dir) < 0)
		return;
	if (l.capacity == 0 || l.capacity > PROC_MAX_LOG_LIMIT)
		__builtin_trap();
	proc_log_get_status(&l, &st);
	if (st.boot_id[sizeof(st.boot_id) - 1])
		__builtin_trap();
	check_status(&st);
	read_stream(&l, 0);
	read_stream(&l, 1);
	proc_log_close(&l);
}

static int same_vec(char **a, char **b)
{
	size_t i;

	for (i = 0; a[i] && b[i]; i++)
		if (strcmp(a[i], b[i]))
			return 0;
	return !a[i] && !b[i];
}

static int spec_fd(const void *data, size_t size)
{
	int fd = memfd_create("spec", MFD_CLOEXEC);

	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static void fuzz_spec(const uint8_t *data, size_t size)
{
	struct proc_spec a, b;
	char *text;
	size_t len;
	int fd = spec_fd(data, size), rc;

	rc = proc_spec_read_fd(&a, fd);
	close(fd);
	if (rc < 0)
		return;
	if (!a.argv || !a.argv[0] || !a.envp || !a.cwd || !a.log_limit)
		__builtin_trap();
	if (proc_spec_encode(&a, &text, &len) < 0) {
		proc_spec_release(&a);
		return;
	}
	fd = spec_fd(text, len);
	free(text);
	if (proc_spec_read_fd(&b, fd) < 0)
		__builtin_trap();
	close(fd);
	if (!same_vec(a.argv, b.argv) || !same_vec(a.envp, b.envp) ||
	    strcmp(a.cwd, b.cwd) ||
	    strcmp(a.command ? a.command : "", b.command ? b.command : "") ||
	    a.limit_as != b.limit_as || a.limit_nproc != b.limit_nproc ||
	    a.limit_cpu != b.limit_cpu || a.limit_fsize != b.limit_fsize ||
	    a.stdin_pipe != b.stdin_pipe || a.timeout_ms != b.timeout_ms ||
	    a.grace_ms != b.grace_ms || a.log_limit != b.log_limit ||
	    a.seccomp != b.seccomp)
		__builtin_trap();
	proc_spec_release(&a);
	proc_spec_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		fuzz_log(data + 1, size - 1, 1);
		break;
	case 1:
		fuzz_log(data + 1, size - 1, 0);
		break;
	default:
		fuzz_spec(data + 1, size - 1);
		break;
	}
	return 0;
}
