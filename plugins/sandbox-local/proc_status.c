/*
 * plugins/sandbox-local/proc_status.c - the status file a monitor keeps
 * ("key value" lines, replaced by rename so readers see whole versions),
 * and the small facts both sides need: boot id, start times, ids.
 */
#include "proc_files.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const state_names[] = { "starting", "running", "exited",
					   "signaled" };

int proc_status_write(const struct proc_status_file *st, int dirfd)
{
	char text[1024];
	int len, fd, rc = 0;

	len = snprintf(text, sizeof(text),
		       "state %s\nmonitor_pid %" PRId64 "\npid %" PRId64
		       "\npgid %" PRId64 "\nstart_ticks %" PRIu64
		       "\nboot_id %s\nstarted_ms %" PRId64
		       "\nended_ms %" PRId64 "\nexit_code %d\nsignal %d\n"
		       "timed_out %d\nstdin_open %d\n",
		       state_names[st->state & 3], st->monitor_pid, st->pid,
		       st->pgid, st->start_ticks,
		       st->boot_id[0] ? st->boot_id : "-", st->started_ms,
		       st->ended_ms, st->exit_code, st->term_signal,
		       st->timed_out, st->stdin_open);
	if (len < 0 || (size_t)len >= sizeof(text))
		return -EOVERFLOW;
	fd = openat(dirfd, PROC_FILE_STATUS_TMP,
		    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, text, (size_t)len) != len)
		rc = errno ? -errno : -EIO;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	if (!rc && renameat(dirfd, PROC_FILE_STATUS_TMP, dirfd,
			    PROC_FILE_STATUS) < 0)
		rc = -errno;
	return rc;
}

static void parse_line(struct proc_status_file *st, const char *key,
		       const char *value)
{
	size_t i;

	if (!strcmp(key, "state")) {
		for (i = 0; i < 4; i++)
			if (!strcmp(value, state_names[i]))
				st->state = (int)i;
	} else if (!strcmp(key, "monitor_pid")) {
		st->monitor_pid = strtoll(value, NULL, 10);
	} else if (!strcmp(key, "pid")) {
		st->pid = strtoll(value, NULL, 10);
	} else if (!strcmp(key, "pgid")) {
		st->pgid = strtoll(value, NULL, 10);
	} else if (!strcmp(key, "start_ticks")) {
		st->start_ticks = strtoull(value, NULL, 10);
	} else if (!strcmp(key, "boot_id")) {
		snprintf(st->boot_id, sizeof(st->boot_id), "%s",
			 strcmp(value, "-") ? value : "");
	} else if (!strcmp(key, "started_ms")) {
		st->started_ms = strtoll(value, NULL, 10);
	} else if (!strcmp(key, "ended_ms")) {
		st->ended_ms = strtoll(value, NULL, 10);
	} else if (!strcmp(key, "exit_code")) {
		st->exit_code = (int)strtol(value, NULL, 10);
	} else if (!strcmp(key, "signal")) {
		st->term_signal = (int)strtol(value, NULL, 10);
	} else if (!strcmp(key, "timed_out")) {
		st->timed_out = !!strtol(value, NULL, 10);
	} else if (!strcmp(key, "stdin_open")) {
		st->stdin_open = !!strtol(value, NULL, 10);
	}
}

int proc_status_read(struct proc_status_file *st, int dirfd)
{
	char text[1025], *line, *save = NULL;
	ssize_t n;
	int fd;

	memset(st, 0, sizeof(*st));
	st->pid = st->pgid = st->monitor_pid = -1;
	fd = openat(dirfd, PROC_FILE_STATUS, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	text[n] = '\0';
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');

		if (!sp)
			continue;
		*sp = '\0';
		parse_line(st, line, sp + 1);
	}
	return 0;
}

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
