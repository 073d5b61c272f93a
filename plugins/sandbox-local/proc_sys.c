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

uint64_t proc_start_ticks(pid_t pid)
{
	char path[64], text[1024], *p;
	unsigned long long ticks;
	ssize_t n;
	int fd, field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	/* The command name may hold spaces and parentheses: skip past it. */
	p = strrchr(text, ')');
	if (!p)
		return 0;
	/* p is at the end of field 2; field 22 is starttime. */
	for (field = 2; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", &ticks) != 1)
		return 0;
	return ticks;
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
