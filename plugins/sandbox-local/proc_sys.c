/*
 * plugins/sandbox-local/proc_sys.c - small facts the manager and the
 * monitor both need: the boot id, start times of processes, the clock,
 * and what a process id looks like.
 */
#include "proc_files.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int proc_boot_id(char *buf, size_t size)
{
	ssize_t n;
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	while (n > 0 && isspace((unsigned char)buf[n - 1]))
		n--;
	buf[n] = '\0';
	return 0;
}

/*
 * The fields of "pid (comm) S ppid pgrp session ... starttime ..." after
 * the command name, which may hold spaces and parentheses: field n of
 * stat(5) into *out; 0 or -1.
 */
static int stat_field(const char *text, int n, long long *out)
{
	const char *p = strrchr(text, ')');
	char *end;
	int field;

	if (!p || p[1] != ' ')
		return -1;
	/* p is at the end of field 2. */
	for (field = 2; field < n && p; field++)
		p = strchr(p + 1, ' ');
	if (!p)
		return -1;
	errno = 0;
	*out = strtoll(p + 1, &end, 10);
	return (errno || end == p + 1 || (*end != ' ' && *end != '\n')) ? -1
									 : 0;
}

int proc_stat_read(pid_t pid, struct proc_stat *out)
{
	char path[64], text[1024];
	long long pgrp, session, ticks;
	struct stat st;
	ssize_t n;
	int dir, fd;

	if (pid <= 0 || pid > PROC_PID_MAX)
		return -ESRCH;
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	/* One directory for both: the same process, even if pid is reused. */
	dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	if (fstat(dir, &st) < 0) {
		close(dir);
		return -ESRCH;
	}
	fd = openat(dir, "stat", O_RDONLY | O_CLOEXEC);
	close(dir);
	if (fd < 0)
		return -ESRCH;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return -ESRCH;
	text[n] = '\0';
	if (stat_field(text, 5, &pgrp) || stat_field(text, 6, &session) ||
	    stat_field(text, 22, &ticks) || ticks <= 0)
		return -EPROTO;
	out->pgrp = pgrp;
	out->session = session;
	out->start_ticks = (uint64_t)ticks;
	out->uid = st.st_uid;
	return 0;
}

uint64_t proc_start_ticks(pid_t pid)
{
	struct proc_stat st;

	return proc_stat_read(pid, &st) ? 0 : st.start_ticks;
}

int64_t proc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int proc_id_valid(const char *id)
{
	size_t i;

	if (!id || strlen(id) != PROC_ID_LEN || id[0] != 'p' || id[1] != '-')
		return 0;
	for (i = 2; i < PROC_ID_LEN; i++)
		if (!isdigit((unsigned char)id[i]) &&
		    !(id[i] >= 'a' && id[i] <= 'f'))
			return 0;
	return 1;
}
