/*
 * core/cancel.c - cancel tokens: an eventfd that becomes readable once
 * fired, plus an atomic flag for a cheap check without a system call.
 */
#include "internal.h"

#include <wsp/cancel.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct wsp_cancel {
	atomic_int fired;
	int fd;
};

int wsp_cancel_new(wsp_cancel **out, wsp_error *err)
{
	wsp_cancel *c;

	*out = NULL;
	c = malloc(sizeof(*c));
	if (!c)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	atomic_init(&c->fired, 0);
	c->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (c->fd < 0) {
		int e = errno;

		free(c);
		return wsp_error_set_os(err, WSP_EIO, e,
					"cannot create a cancel token: %s",
					strerror(e));
	}
	*out = c;
	return 0;
}

void wsp_cancel_fire(wsp_cancel *c)
{
	uint64_t one = 1;
	ssize_t n;

	if (!c || atomic_exchange(&c->fired, 1))
		return;
	/* Only write(2): safe in a signal handler. */
	do
		n = write(c->fd, &one, sizeof(one));
	while (n < 0 && errno == EINTR);
}

int wsp_cancel_requested(const wsp_cancel *c)
{
	return c && atomic_load(&((wsp_cancel *)c)->fired);
}

int wsp_cancel_fd(const wsp_cancel *c)
{
	return c ? c->fd : -1;
}

void wsp_cancel_free(wsp_cancel *c)
{
	if (!c)
		return;
	close(c->fd);
	free(c);
}
