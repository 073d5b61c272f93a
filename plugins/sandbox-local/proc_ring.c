/*
 * plugins/sandbox-local/proc_ring.c - bounded log files of background
 * processes: the monitor appends, any process reads, neither locks.
 *
 * The file is a header page and `capacity` data bytes used as a ring (a
 * sparse file: only what was written takes space). Keeping the counters
 * in a shared mapping lets readers follow a live writer without locks;
 * the protocol is described at struct proc_ring_header.
 */
#include "proc_files.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t load(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

int proc_ring_create(struct proc_ring *r, int dirfd, const char *name,
		     uint64_t capacity)
{
	void *map;
	int fd, e;

	if (capacity == 0 || capacity > PROC_MAX_LOG_LIMIT)
		return -EINVAL;
	fd = openat(dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)(PROC_RING_HEADER_SIZE + capacity)) < 0)
		goto fail;
	map = mmap(NULL, PROC_RING_HEADER_SIZE, PROT_READ | PROT_WRITE,
		   MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		goto fail;
	r->fd = fd;
	r->capacity = capacity;
	r->hdr = map;
	r->hdr->capacity = capacity;
	store(&r->hdr->total, 0);
	store(&r->hdr->reserved, 0);
	/* The magic last: a reader trusts nothing before it. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(r->hdr->magic, PROC_RING_MAGIC, sizeof(r->hdr->magic));
	return 0;
fail:
	e = errno;
	close(fd);
	unlinkat(dirfd, name, 0);
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

int proc_ring_append(struct proc_ring *r, const void *data, size_t len)
{
	const char *p = data;
	uint64_t total = r->hdr->total; /* only this process writes it */
	uint64_t end = total + len, start, pos;
	size_t n, first;
	int rc;

	if (!len)
		return 0;
	/* Only the newest capacity bytes can be kept. */
	start = end - (len > r->capacity ? r->capacity : len);
	p += start - total;
	n = (size_t)(end - start);
	store(&r->hdr->reserved, end);
	pos = start % r->capacity;
	first = n;
	if (pos + n > r->capacity)
		first = (size_t)(r->capacity - pos);
	rc = write_at(r->fd, p, first, PROC_RING_HEADER_SIZE + pos);
	if (!rc && first < n)
		rc = write_at(r->fd, p + first, n - first,
			      PROC_RING_HEADER_SIZE);
	/* Published even on failure: offsets must keep counting. */
	store(&r->hdr->total, end);
	return rc;
}

int proc_ring_open(struct proc_ring *r, int dirfd, const char *name)
{
	struct stat st;
	void *map;
	int fd, e;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (st.st_size < (off_t)PROC_RING_HEADER_SIZE) {
		close(fd);
		return -EPROTO;
	}
	map = mmap(NULL, PROC_RING_HEADER_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		goto fail;
	r->hdr = map;
	r->fd = fd;
	r->capacity = r->hdr->capacity;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (memcmp(r->hdr->magic, PROC_RING_MAGIC, sizeof(r->hdr->magic)) ||
	    r->capacity == 0 ||
	    (uint64_t)st.st_size < PROC_RING_HEADER_SIZE + r->capacity) {
		proc_ring_close(r);
		return -EPROTO;
	}
	return 0;
fail:
	e = errno;
	close(fd);
	return -e;
}

void proc_ring_close(struct proc_ring *r)
{
	if (r->hdr)
		munmap(r->hdr, PROC_RING_HEADER_SIZE);
	if (r->fd >= 0)
		close(r->fd);
	r->hdr = NULL;
	r->fd = -1;
}

uint64_t proc_ring_total(const struct proc_ring *r)
{
	return load(&r->hdr->total);
}

static uint64_t oldest_safe(const struct proc_ring *r)
{
	uint64_t reserved = load(&r->hdr->reserved);

	return reserved > r->capacity ? reserved - r->capacity : 0;
}

uint64_t proc_ring_oldest(const struct proc_ring *r)
{
	return oldest_safe(r);
}

static ssize_t read_at(int fd, char *p, size_t len, uint64_t pos)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, p + done, len - done,
				  (off_t)(pos + done));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0) /* sparse tail never written: zeros */
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

ssize_t proc_ring_read(const struct proc_ring *r, uint64_t *off,
		       uint64_t end, void *buf, size_t cap)
{
	uint64_t total = proc_ring_total(r), start = *off, safe, pos;
	size_t n, first;
	ssize_t got;
	char *p = buf;

	if (end > total)
		end = total;
	if (start < oldest_safe(r))
		start = oldest_safe(r);
	if (start >= end) {
		*off = start;
		return 0;
	}
	n = end - start > cap ? cap : (size_t)(end - start);
	pos = start % r->capacity;
	first = n;
	if (pos + n > r->capacity)
		first = (size_t)(r->capacity - pos);
	got = read_at(r->fd, p, first, PROC_RING_HEADER_SIZE + pos);
	if (got >= 0 && (size_t)got == first && first < n)
		got = read_at(r->fd, p + first, n - first,
			      PROC_RING_HEADER_SIZE);
	if (got < 0)
		return got;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/* Drop what a concurrent write may have overwritten meanwhile. */
	safe = oldest_safe(r);
	if (safe > start) {
		size_t cut = safe - start >= n ? n : (size_t)(safe - start);

		memmove(p, p + cut, n - cut);
		n -= cut;
		start += cut;
	}
	*off = start;
	return (ssize_t)n;
}

uint64_t proc_ring_tail_lines(const struct proc_ring *r, uint64_t end,
			      uint32_t lines)
{
	char buf[16384];
	uint64_t oldest = oldest_safe(r), pos = end;
	uint32_t seen = 0;
	int skip_final = 1;

	if (!lines)
		return end;
	while (pos > oldest) {
		uint64_t from = pos - oldest > sizeof(buf) ?
					pos - sizeof(buf) : oldest;
		uint64_t at = from;
		ssize_t n = proc_ring_read(r, &at, pos, buf, sizeof(buf));
		ssize_t i;

		if (n <= 0 || at + (uint64_t)n != pos)
			return at > pos ? pos : at;
		for (i = n - 1; i >= 0; i--) {
			if (buf[i] != '\n')
				continue;
			if (skip_final && at + (uint64_t)i == end - 1) {
				skip_final = 0;
				continue;
			}
			if (++seen == lines)
				return at + (uint64_t)i + 1;
		}
		skip_final = 0;
		pos = at;
	}
	return oldest;
}
