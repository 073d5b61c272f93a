/*
 * plugins/sandbox-blaxel/command.c - what a command becomes on Blaxel's
 * wire: the sandbox-api runs one shell string (`sh -c`), so an argv is
 * quoted into one, and the working directory and variables are members of
 * the request.
 *
 * An argv whose program is not there must fail to start (as execve does
 * locally), but `sh -c` only exits 127, which the program itself may do.
 * So the quoted argv first asks the shell whether the program exists and,
 * when it does not, writes a fixed marker to stderr and exits 127; exec
 * turns exactly that pair into WSP_ENOTFOUND.
 */
#include "blaxel.h"
#include "remote.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MISSING_MARK "wsp-blaxel: no such program\n"

/* Append s as one single-quoted shell word. */
static char *put_word(char *o, const char *s)
{
	*o++ = '\'';
	for (; *s; s++) {
		if (*s == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *s;
		}
	}
	*o++ = '\'';
	return o;
}

int bl_command_text(char **out, const wsp_exec_opts *o)
{
	static const char pre[] = "command -v -- ";
	static const char mid[] = " >/dev/null 2>&1 || { printf "
				  "'wsp-blaxel: no such program\\n' >&2; "
				  "exit 127; }; exec ";
	size_t need = sizeof(pre) + sizeof(mid) + 8;
	char *buf, *p;

	if (o->shell) {
		*out = strdup(o->shell);
		return *out ? 0 : WSP_ENOMEM;
	}
	for (size_t i = 0; o->argv[i]; i++)
		need += 4 * strlen(o->argv[i]) + 3;
	need += 4 * strlen(o->argv[0]) + 3;
	buf = malloc(need);
	if (!buf)
		return WSP_ENOMEM;
	p = buf;
	memcpy(p, pre, sizeof(pre) - 1);
	p = put_word(p + sizeof(pre) - 1, o->argv[0]);
	memcpy(p, mid, sizeof(mid) - 1);
	p += sizeof(mid) - 1;
	for (size_t i = 0; o->argv[i]; i++) {
		if (i)
			*p++ = ' ';
		p = put_word(p, o->argv[i]);
	}
	*p = '\0';
	*out = buf;
	return 0;
}

int bl_missing_program(const char *stderr_data, size_t len)
{
	return rmt_is_missing_mark(MISSING_MARK, stderr_data, len);
}

int bl_working_dir(char **out, const struct bl *b, const char *cwd,
		   wsp_error *err)
{
	*out = rmt_command_dir(b->working_dir, cwd);
	return *out ? 0 : wsp_error_set(err, WSP_ENOMEM, "out of memory");
}

int bl_env_object(cJSON **out, const char *const *env, wsp_error *err)
{
	cJSON *o = cJSON_CreateObject();
	int rc = o ? rmt_env_json(o, env, err)
		   : wsp_error_set(err, WSP_ENOMEM, "out of memory");

	if (rc) {
		cJSON_Delete(o);
		return rc;
	}
	*out = o;
	return 0;
}

/*
 * prefix + 16 hex digits from the kernel's generator: process names are
 * how a timed-out or canceled command is found to be killed (the
 * streamed answer carries no pid until it ends), so they must not clash
 * between wsp processes.
 */
void bl_random_name(char *out, size_t cap, const char *prefix)
{
	unsigned char r[8] = {0};
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t got = fd >= 0 ? read(fd, r, sizeof(r)) : -1;

	if (fd >= 0)
		close(fd);
	if (got != (ssize_t)sizeof(r)) { /* never expected; still unique-ish */
		uint64_t v = (uint64_t)getpid() << 32 ^ (uint64_t)(uintptr_t)out;

		memcpy(r, &v, sizeof(r));
	}
	snprintf(out, cap, "%s%02x%02x%02x%02x%02x%02x%02x%02x", prefix, r[0],
		 r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
}
