/*
 * plugins/shared/capture.h - bounded capture of one output stream: the
 * newest cap bytes kept in a ring that grows on demand (so a quiet
 * command costs nothing), what it drops counted. An exec result keeps
 * the end of a command's output, where its errors are (sandbox-local,
 * sandbox-daytona).
 */
#ifndef WSP_PLUGIN_CAPTURE_H
#define WSP_PLUGIN_CAPTURE_H

#include <wsp/plugin.h>

#include <stddef.h>
#include <stdint.h>

struct capture {
	char *buf;
	size_t cap;   /* bytes kept at most */
	size_t alloc; /* bytes allocated (grows to cap) */
	size_t start; /* ring head, 0 until alloc == cap */
	size_t len;   /* bytes held */
	uint64_t dropped;
};

/* Empty, keeping at most cap bytes (0: none, all counted as dropped). */
void capture_init(struct capture *c, size_t cap);
/* 0, or -1 when memory ran out (the data is then counted as dropped). */
int capture_append(struct capture *c, const void *data, size_t n);
/* Copy the last n (at most) bytes held into dst; returns the count. */
size_t capture_tail(const struct capture *c, char *dst, size_t n);
/* The held bytes as a NUL-terminated host->alloc buffer, or NULL. */
char *capture_take(const struct capture *c, const wsp_host *h);
void capture_free(struct capture *c);

#endif
