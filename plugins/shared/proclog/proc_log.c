/*
 * plugins/shared/proclog/proc_log.c - the log file of a background
 * process: its header page (command, status, counters) and two bounded
 * rings. One writer (the local monitor, the E2B keeper), any process
 * reads, nobody waits on a lock.
 *
 * The rings live in one sparse file (only what was written takes space)
 * and the counters and status in a shared mapping of its first page, so
 * a reader follows a live writer without locks; the protocol is at
 * struct proc_shared in proc_log.h.
 */
#include "proc_log.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

_Static_assert(sizeof(struct proc_shared) <= PROC_LOG_HEADER_SIZE,
	       "the shared header must fit its page");

static uint64_t load(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* ---- writer (the monitor) ----------------------------------------------- */

int proc_log_create(struct proc_log *l, int dirfd, uint64_t capacity,
		    const char *command)
{
	static char page[PROC_LOG_HEADER_SIZE];
	struct proc_shared *init = (struct proc_shared *)page;
	void *map;
	int fd, e;

	if (capacity == 0 || capacity > PROC_MAX_LOG_LIMIT)
		return -EINVAL;
	fd = openat(dirfd, PROC_FILE_LOG, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
		    0600);
	if (fd < 0)
		return -errno;
	/* Locked before anyone can see a valid header. */
	if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		goto fail;
	/*
	 * The header page is written, not left a hole for the mapping to
	 * fill: a first store into a hole makes the filesystem allocate in
	 * the page fault, which costs milliseconds on ext4. The rings stay
	 * sparse and grow as output arrives. Everything but the magic.
	 */
	memset(page, 0, sizeof(page));
	init->capacity = capacity;
	strncpy(init->command, command ? command : "",
		sizeof(init->command) - 1);
	if (pwrite(fd, page, sizeof(page), 0) != (ssize_t)sizeof(page)) {
		errno = errno ? errno : EIO;
		goto fail;
	}
	map = mmap(NULL, PROC_LOG_HEADER_SIZE, PROT_READ | PROT_WRITE,
		   MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		goto fail;
	l->fd = fd;
	l->capacity = capacity;
	l->hdr = map;
	/* The magic last: a reader trusts nothing before it. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(l->hdr->magic, PROC_LOG_MAGIC, sizeof(l->hdr->magic));
	return 0;
fail:
	e = errno;
	close(fd);
	unlinkat(dirfd, PROC_FILE_LOG, 0);
	return -e;
}

static int write_at(int fd, const char *p, size_t len, uint64_t pos)
{
	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)pos);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
		pos += (uint64_t)n;
	}
	return 0;
}

int proc_log_append(struct proc_log *l, int stream, const void *data,
		    size_t len)
{
	const char *p = data;
	uint64_t total = l->hdr->total[stream]; /* only we write it */
	uint64_t base = PROC_LOG_HEADER_SIZE + (uint64_t)stream * l->capacity;
	uint64_t end = total + len, start, pos;
	size_t n, first;
	int rc;

	if (!len)
		return 0;
	/* Only the newest capacity bytes can be kept. */
	start = end - (len > l->capacity ? l->capacity : len);
	p += start - total;
	n = (size_t)(end - start);
	store(&l->hdr->reserved[stream], end);
	pos = start % l->capacity;
	first = n;
	if (pos + n > l->capacity)
		first = (size_t)(l->capacity - pos);
	rc = write_at(l->fd, p, first, base + pos);
	if (!rc && first < n)
		rc = write_at(l->fd, p + first, n - first, base);
	/* Published even on failure: offsets must keep counting. */
	store(&l->hdr->total[stream], end);
	return rc;
}

void proc_log_set_status(struct proc_log *l, const struct proc_status_file *st)
{
	uint64_t seq = l->hdr->seq;

	store(&l->hdr->seq, seq + 1); /* odd: being rewritten */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	memcpy(&l->hdr->status, st, sizeof(*st));
	store(&l->hdr->seq, seq + 2);
}

void proc_log_publish(struct proc_log *l, const struct proc_status_file *st)
{
	proc_log_set_status(l, st);
	futimens(l->fd, NULL);
}

/*
 * Map the header page of the log open as fd (prot: read, or read-write
 * for a writer) and check it as untrusted: its size, magic and capacity.
 * 0 with l set, or -errno with fd closed.
 */
static int map_header(struct proc_log *l, int fd, int prot)
{
	struct stat st;
	void *map;
	int e;

	if (fstat(fd, &st) < 0) {
		e = errno;
		close(fd);
		return -e;
	}
	if (st.st_size < (off_t)PROC_LOG_HEADER_SIZE) {
		close(fd);
		return -EPROTO;
	}
	map = mmap(NULL, PROC_LOG_HEADER_SIZE, prot, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		e = errno;
		close(fd);
		return -e;
	}
	l->hdr = map;
	l->fd = fd;
	l->capacity = l->hdr->capacity;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (memcmp(l->hdr->magic, PROC_LOG_MAGIC, sizeof(l->hdr->magic)) ||
	    l->capacity == 0 || l->capacity > PROC_MAX_LOG_LIMIT) {
		proc_log_close(l);
		return -EPROTO;
	}
	return 0;
}

int proc_log_adopt(struct proc_log *l, int dirfd)
{
	int fd, e;

	l->fd = -1;
	l->hdr = NULL;
	fd = proc_openat(dirfd, PROC_FILE_LOG, O_RDWR | O_NONBLOCK, S_IFREG);
	if (fd < 0)
		return fd;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		e = errno == EWOULDBLOCK ? EBUSY : errno;
		close(fd);
		return -e;
	}
	if ((e = map_header(l, fd, PROT_READ | PROT_WRITE)))
		return e;
	if (l->hdr->seq & 1) { /* its writer died inside a status change */
		proc_log_close(l);
		return -EPROTO;
	}
	/* reserved past total: a writer died inside an append */
	for (int i = 0; i < PROC_STREAMS; i++)
		store(&l->hdr->reserved[i], load(&l->hdr->total[i]));
	return 0;
}

int proc_writer_detach(void)
{
	pid_t pid = fork();
	int null;

	if (pid < 0)
		return -errno;
	if (pid > 0)
		_exit(0);
	setsid();
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 2)
			close(null);
	}
	return 0;
}

/* ---- readers ------------------------------------------------------------ */

int proc_log_open(struct proc_log *l, int dirfd)
{
	int fd;

	l->fd = -1;
	l->hdr = NULL;
	/* O_NONBLOCK: whatever is in its place must not hang us in open(). */
	fd = proc_openat(dirfd, PROC_FILE_LOG, O_RDONLY | O_NONBLOCK, S_IFREG);
	if (fd < 0)
		return fd;
	return map_header(l, fd, PROT_READ);
}

/* A boot id as the kernel writes it: 36 characters, hex and dashes. */
static int boot_id_ok(const char *id, size_t cap)
{
	size_t n = strnlen(id, cap), i;

	if (n == 0)
		return 1; /* not known (yet) */
	if (n != 36)
		return 0;
	for (i = 0; i < n; i++)
		if (!((id[i] >= '0' && id[i] <= '9') ||
		      (id[i] >= 'a' && id[i] <= 'f') || id[i] == '-'))
			return 0;
	return 1;
}

static int pid_ok(int64_t pid)
{
	return pid > 1 && pid <= PROC_PID_MAX;
}

int proc_status_check(const struct proc_status_file *st)
{
	if (st->state < PROC_STARTING || st->state > PROC_GONE)
		return -EPROTO;
	if ((st->timed_out | st->stdin_open) & ~1 || st->gaps < 0)
		return -EPROTO;
	if (st->exit_code < 0 || st->exit_code > 255 || st->term_signal < 0 ||
	    st->term_signal > 64)
		return -EPROTO;
	if (st->started_ms < 0 || st->ended_ms < 0)
		return -EPROTO;
	if (!boot_id_ok(st->boot_id, sizeof(st->boot_id)))
		return -EPROTO;
	if (st->state == PROC_STARTING)
		return 0; /* the rest is not written yet */
	/* The monitor leads the command's group and session: pgid == pid. */
	if (!pid_ok(st->pid) || st->pgid != st->pid ||
	    (st->monitor_pid && !pid_ok(st->monitor_pid)))
		return -EPROTO;
	return 0;
}

void proc_log_close(struct proc_log *l)
{
	if (l->hdr)
		munmap(l->hdr, PROC_LOG_HEADER_SIZE);
	if (l->fd >= 0)
		close(l->fd);
	l->hdr = NULL;
	l->fd = -1;
}

int proc_log_monitor_alive(const struct proc_log *l)
{
	if (flock(l->fd, LOCK_SH | LOCK_NB) == 0) {
		flock(l->fd, LOCK_UN);
		return 0;
	}
	return errno == EWOULDBLOCK;
}

/*
 * A writer is inside a status change for one small memcpy, unless the
 * scheduler stops it right there: on a crowded machine (a thousand
 * monitors ending at once on two cores) that lasts milliseconds, far
 * longer than any spin. So spin a little, then nap while the writer
 * lives. A writer that died inside the change never finishes it (its
 * lock is gone), and the bound keeps a stopped one from holding the
 * reader forever.
 */
#define STATUS_SPINS	 100
#define STATUS_NAP_NS	 100000L /* 0.1 ms */
#define STATUS_MAX_NAPS	 20000	 /* 2 s */

int proc_log_get_status(const struct proc_log *l, struct proc_status_file *st)
{
	const struct timespec nap = {0, STATUS_NAP_NS};
	uint64_t before, after;
	int tries;

	for (tries = 0;; tries++) {
		before = load(&l->hdr->seq);
		if (!(before & 1)) {
			memcpy(st, (const void *)&l->hdr->status, sizeof(*st));
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
			after = load(&l->hdr->seq);
			if (before == after) {
				st->boot_id[sizeof(st->boot_id) - 1] = '\0';
				return 0;
			}
		}
		if (tries < STATUS_SPINS)
			continue;
		if (tries >= STATUS_SPINS + STATUS_MAX_NAPS ||
		    !proc_log_monitor_alive(l))
			break;
		nanosleep(&nap, NULL);
	}
	memset(st, 0, sizeof(*st)); /* nothing half-copied is used */
	return -EAGAIN;
}

uint64_t proc_log_total(const struct proc_log *l, int stream)
{
	return load(&l->hdr->total[stream]);
}

int proc_log_writing(const struct proc_log *l, int stream)
{
	/* reserved moves before the bytes are written, total after. */
	return load(&l->hdr->reserved[stream]) !=
	       load(&l->hdr->total[stream]);
}

uint64_t proc_log_oldest(const struct proc_log *l, int stream)
{
	uint64_t reserved = load(&l->hdr->reserved[stream]);

	return reserved > l->capacity ? reserved - l->capacity : 0;
}

static ssize_t read_at(int fd, char *p, size_t len, uint64_t pos)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n =
			pread(fd, p + done, len - done, (off_t)(pos + done));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

ssize_t proc_log_read(const struct proc_log *l, int stream, uint64_t *off,
		      uint64_t end, void *buf, size_t cap)
{
	uint64_t total = proc_log_total(l, stream), start = *off, safe, pos;
	uint64_t base = PROC_LOG_HEADER_SIZE + (uint64_t)stream * l->capacity;
	size_t n, first;
	ssize_t got;
	char *p = buf;

	if (end > total)
		end = total;
	if (start < proc_log_oldest(l, stream))
		start = proc_log_oldest(l, stream);
	if (start >= end) {
		*off = start;
		return 0;
	}
	n = end - start > cap ? cap : (size_t)(end - start);
	pos = start % l->capacity;
	first = n;
	if (pos + n > l->capacity)
		first = (size_t)(l->capacity - pos);
	got = read_at(l->fd, p, first, base + pos);
	if (got >= 0 && (size_t)got == first && first < n)
		got = read_at(l->fd, p + first, n - first, base);
	if (got < 0)
		return got;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/* Drop what a concurrent write may have overwritten meanwhile. */
	safe = proc_log_oldest(l, stream);
	if (safe > start) {
		size_t cut = safe - start >= n ? n : (size_t)(safe - start);

		memmove(p, p + cut, n - cut);
		n -= cut;
		start += cut;
	}
	*off = start;
	return (ssize_t)n;
}

uint64_t proc_log_tail_lines(const struct proc_log *l, int stream, uint64_t end,
			     uint32_t lines)
{
	char buf[16384];
	uint64_t oldest = proc_log_oldest(l, stream), pos = end;
	uint32_t seen = 0;

	if (!lines)
		return end;
	while (pos > oldest) {
		uint64_t from =
			pos - oldest > sizeof(buf) ? pos - sizeof(buf) : oldest;
		uint64_t at = from;
		ssize_t n =
			proc_log_read(l, stream, &at, pos, buf, sizeof(buf));
		ssize_t i;

		if (n <= 0 || at + (uint64_t)n != pos)
			return at > pos ? pos : at;
		for (i = n - 1; i >= 0; i--) {
			if (buf[i] != '\n')
				continue;
			/* A final newline ends the last line. */
			if (at + (uint64_t)i == end - 1)
				continue;
			if (++seen == lines)
				return at + (uint64_t)i + 1;
		}
		pos = at;
	}
	return oldest;
}

/* ---- opening the files of the state directory -------------------------- */

const char *proc_refusal(int neg_errno)
{
	switch (neg_errno) {
	case -ELOOP:
		return "it is a symbolic link";
	case -EMEDIUMTYPE:
		return "it is not the kind of file wsp makes there";
	case -EPERM:
		return "it belongs to another user";
	case -EPROTO:
		return "its content is malformed";
	default:
		return NULL;
	}
}

int proc_openat(int at, const char *name, int flags, mode_t type)
{
	struct stat before, after;
	int fd, e;

	/* Looked at first: opening a device or FIFO can have effects. */
	if (fstatat(at, name, &before, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (S_ISLNK(before.st_mode))
		return -ELOOP;
	if ((before.st_mode & S_IFMT) != type)
		return -EMEDIUMTYPE;
	if (before.st_uid != geteuid())
		return -EPERM;
	fd = openat(at, name, flags | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOTDIR ? -EMEDIUMTYPE : -errno;
	/* And again what was opened: the name may have changed meanwhile. */
	e = fstat(fd, &after) < 0 ? errno
	    : (after.st_mode & S_IFMT) != type ? EMEDIUMTYPE
	    : after.st_uid != geteuid()	       ? EPERM
	    : (after.st_dev != before.st_dev || after.st_ino != before.st_ino)
		    ? EMEDIUMTYPE
		    : 0;
	if (e) {
		close(fd);
		return -e;
	}
	return fd;
}
