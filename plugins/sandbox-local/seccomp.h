/*
 * plugins/sandbox-local/seccomp.h - the seccomp filter every command under
 * bubblewrap runs behind (bwrap --seccomp FD). libc only: the monitor
 * (monitor/) links it too. docs/security.md lists what it refuses and why.
 */
#ifndef WSP_SANDBOX_LOCAL_SECCOMP_H
#define WSP_SANDBOX_LOCAL_SECCOMP_H

#include <linux/filter.h>
#include <stddef.h>

/*
 * The descriptor number bwrap is told to read the filter from: whoever
 * starts a prepared bwrap command line puts local_seccomp_fd()'s result
 * there (dup2) and closes everything above it.
 */
#define LOCAL_SECCOMP_FD 3
#define LOCAL_SECCOMP_FD_ARG "3"

/* Room for the longest program local_seccomp_build() writes. */
#define LOCAL_SECCOMP_MAX 64

/*
 * Write the filter for the running architecture into prog (cap entries)
 * and return its length; 0 when this architecture has none (only x86_64
 * and aarch64 have one) or cap is too small.
 */
size_t local_seccomp_build(struct sock_filter *prog, size_t cap);

/*
 * The read end of a new pipe holding the filter, ready for bwrap to read
 * to its end: a descriptor above 2 with close-on-exec set (dup2 it to
 * LOCAL_SECCOMP_FD in the child), or -errno (ENOSYS when this architecture
 * has no filter).
 */
int local_seccomp_fd(void);

/*
 * In a child about to exec bwrap: put the filter descriptor at
 * LOCAL_SECCOMP_FD, open across exec. Async-signal-safe; 0, or -1 with
 * errno set.
 */
int local_seccomp_pass(int filter);

#endif /* WSP_SANDBOX_LOCAL_SECCOMP_H */
