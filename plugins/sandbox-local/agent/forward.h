/*
 * plugins/sandbox-local/agent/forward.h - the holder's port forwards into
 * a sandbox without network (forward.c).
 */
#ifndef WSP_LOCAL_AGENT_FORWARD_H
#define WSP_LOCAL_AGENT_FORWARD_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

struct fwd;

/* Forwards reaching the agent whose socket is in dirfd; NULL on ENOMEM. */
struct fwd *fwd_new(int dirfd);
/*
 * The host port (127.0.0.1) forwarded to port inner inside: the one made
 * before, or a new one. 0, or -errno.
 */
int fwd_port(struct fwd *f, uint32_t inner, uint32_t *outer);
/* Fill out with what to poll (at most cap entries); how many. */
size_t fwd_pollfds(const struct fwd *f, struct pollfd *out, size_t cap);
/* Act on what poll said about the n entries fwd_pollfds wrote. */
void fwd_handle(struct fwd *f, const struct pollfd *fds, size_t n);

#endif /* WSP_LOCAL_AGENT_FORWARD_H */
