/*
 * plugins/sandbox-local/proc_spec.c - the spec: what a monitor runs, sent
 * down a pipe when it starts.
 *
 * A sequence of NUL-terminated "key=value" records after a version record.
 * NUL is the one byte no argument, variable or path can hold, so nothing
 * needs quoting; "argv" and "env" repeat in order.
 */
#include "proc_files.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SPEC_VERSION "wsp-proc-spec=1"

struct buf {
	char *data;
	size_t len, cap;
	int failed;
};

static void put(struct buf *b, const char *key, const char *value)
{
	size_t kl = strlen(key), vl = strlen(value), need = kl + vl + 2;
	char *p;

	if (b->failed)
		return;
	if (b->len + need > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;

		while (cap < b->len + need)
			cap *= 2;
		p = realloc(b->data, cap);
		if (!p) {
			b->failed = 1;
			return;
		}
		b->data = p;
		b->cap = cap;
	}
	p = b->data + b->len;
	memcpy(p, key, kl);
	p[kl] = '=';
	memcpy(p + kl + 1, value, vl + 1);
	b->len += need;
}

static void put_u64(struct buf *b, const char *key, uint64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRIu64, v);
	put(b, key, num);
}

static void put_i64(struct buf *b, const char *key, int64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRId64, v);
	put(b, key, num);
}

int proc_spec_encode(const struct proc_spec *spec, char **out, size_t *out_len)
{
	struct buf b = {0};
	char *const *v;

	put(&b, "wsp-proc-spec", "1");
	for (v = spec->argv; *v; v++)
		put(&b, "argv", *v);
	for (v = spec->envp; v && *v; v++)
		put(&b, "env", *v);
	put(&b, "cwd", spec->cwd);
	put_u64(&b, "limit_as", spec->limit_as);
	put_u64(&b, "limit_nproc", spec->limit_nproc);
	put_u64(&b, "limit_cpu", spec->limit_cpu);
	put_u64(&b, "limit_fsize", spec->limit_fsize);
	put(&b, "stdin", spec->stdin_pipe ? "pipe" : "ignore");
	put_i64(&b, "timeout_ms", spec->timeout_ms);
	put_i64(&b, "grace_ms", spec->grace_ms);
	put_u64(&b, "log_limit", spec->log_limit);
	put(&b, "command", spec->command ? spec->command : "");
	if (spec->seccomp)
		put(&b, "seccomp", "1");
	if (b.failed) {
		free(b.data);
		return -ENOMEM;
	}
	if (b.len > PROC_SPEC_MAX) {
		free(b.data);
		return -E2BIG;
	}
	*out = b.data;
	*out_len = b.len;
	return 0;
}

static int push(char ***vec, size_t *n, const char *s)
{
	char **p = realloc(*vec, (*n + 2) * sizeof(**vec));

	if (!p)
		return -ENOMEM;
	*vec = p;
	p[*n] = strdup(s);
	if (!p[*n])
		return -ENOMEM;
	p[++*n] = NULL;
	return 0;
}

/* Digits only: no sign, blank or base prefix slips a wrapped value in. */
static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return (errno || end == s || *end) ? -EINVAL : 0;
}

static int parse_i64(const char *s, int64_t *out)
{
	char *end;

	if ((*s < '0' || *s > '9') && !(*s == '-' && s[1] >= '0' && s[1] <= '9'))
		return -EINVAL;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return (errno || end == s || *end) ? -EINVAL : 0;
}

static int parse_record(struct proc_spec *spec, const char *key,
			const char *value, size_t *argc, size_t *envc)
{
	if (!strcmp(key, "argv"))
		return push(&spec->argv, argc, value);
	if (!strcmp(key, "env"))
		return push(&spec->envp, envc, value);
	if (!strcmp(key, "cwd") || !strcmp(key, "command")) {
		char **slot = key[1] == 'w' ? &spec->cwd : &spec->command;

		free(*slot);
		*slot = strdup(value);
		return *slot ? 0 : -ENOMEM;
	}
	if (!strcmp(key, "limit_as"))
		return parse_u64(value, &spec->limit_as);
	if (!strcmp(key, "limit_nproc"))
		return parse_u64(value, &spec->limit_nproc);
	if (!strcmp(key, "limit_cpu"))
		return parse_u64(value, &spec->limit_cpu);
	if (!strcmp(key, "limit_fsize"))
		return parse_u64(value, &spec->limit_fsize);
	if (!strcmp(key, "stdin")) {
		spec->stdin_pipe = !strcmp(value, "pipe");
		return 0;
	}
	if (!strcmp(key, "timeout_ms"))
		return parse_i64(value, &spec->timeout_ms);
	if (!strcmp(key, "grace_ms"))
		return parse_i64(value, &spec->grace_ms);
	if (!strcmp(key, "log_limit"))
		return parse_u64(value, &spec->log_limit);
	if (!strcmp(key, "seccomp")) {
		spec->seccomp = !strcmp(value, "1");
		return 0;
	}
	return 0; /* unknown keys are for newer monitors */
}

static int read_all(int fd, char **out, size_t *out_len)
{
	size_t len = 0, cap = 65536;
	char *data = malloc(cap + 1), *p;
	ssize_t n;

	if (!data)
		return -ENOMEM;
	for (;;) {
		if (len == cap) {
			if (cap >= PROC_SPEC_MAX) {
				free(data);
				return -E2BIG;
			}
			cap *= 2;
			p = realloc(data, cap + 1);
			if (!p) {
				free(data);
				return -ENOMEM;
			}
			data = p;
		}
		n = read(fd, data + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(data);
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	data[len] = '\0';
	*out = data;
	*out_len = len;
	return 0;
}

int proc_spec_read_fd(struct proc_spec *spec, int fd)
{
	size_t len = 0, off, argc = 0, envc = 0;
	char *data = NULL;
	int rc;

	memset(spec, 0, sizeof(*spec));
	rc = read_all(fd, &data, &len);
	if (rc)
		return rc;
	if (len < sizeof(SPEC_VERSION) ||
	    memcmp(data, SPEC_VERSION, sizeof(SPEC_VERSION))) {
		free(data);
		return -EPROTO;
	}
	for (off = sizeof(SPEC_VERSION); off < len && !rc;) {
		char *rec = data + off, *eq;
		size_t rl = strnlen(rec, len - off);

		if (off + rl >= len) { /* unterminated record */
			rc = -EPROTO;
			break;
		}
		eq = strchr(rec, '=');
		if (!eq) {
			rc = -EPROTO;
			break;
		}
		*eq = '\0';
		rc = parse_record(spec, rec, eq + 1, &argc, &envc);
		off += rl + 1;
	}
	/* The environment may hold secrets: leave no copy behind. */
	explicit_bzero(data, len);
	free(data);
	if (!rc && (!argc || !spec->cwd))
		rc = -EPROTO;
	if (!rc && !spec->envp) { /* an empty environment */
		spec->envp = calloc(1, sizeof(*spec->envp));
		if (!spec->envp)
			rc = -ENOMEM;
	}
	if (!rc && !spec->log_limit)
		spec->log_limit = PROC_DEFAULT_LOG_LIMIT;
	if (!rc && spec->log_limit > PROC_MAX_LOG_LIMIT)
		rc = -EPROTO;
	if (rc)
		proc_spec_release(spec);
	return rc;
}

static void free_vec(char **v)
{
	char **p;

	for (p = v; p && *p; p++)
		free(*p);
	free(v);
}

void proc_spec_release(struct proc_spec *spec)
{
	free_vec(spec->argv);
	free_vec(spec->envp);
	free(spec->cwd);
	free(spec->command);
	memset(spec, 0, sizeof(*spec));
}
