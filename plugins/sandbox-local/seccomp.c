/*
 * plugins/sandbox-local/seccomp.c - the seccomp filter bubblewrap installs
 * before it runs a command (bwrap --seccomp FD): a classic BPF program,
 * written by hand because libseccomp is not among our dependencies. It is
 * small on purpose; the user namespace without capabilities does the heavy
 * lifting, and this filter covers what that leaves to anyone:
 *
 *  - socket()/socketpair() of AF_NETLINK or AF_PACKET, or of type SOCK_RAW
 *    or SOCK_PACKET: EPERM. Netlink is open to every user and shows (and
 *    with allow_network, lets one probe) the host's network configuration;
 *    packet and raw sockets would be refused for lack of CAP_NET_RAW anyway,
 *    and the filter says so independently of the capability set.
 *  - ioctl() TIOCSTI and TIOCLINUX: EPERM. They push keystrokes into a
 *    terminal (or read a console), the classic way out of a sandbox that
 *    shares the caller's terminal.
 *  - keyctl(), add_key(), request_key(): ENOSYS. The kernel keyrings are
 *    not namespaced; programs treat ENOSYS as "no keyring" and go on.
 *  - perf_event_open(): ENOSYS. Performance counters are a side channel on
 *    the host; profilers report them as unavailable.
 *  - io_uring_setup/enter/register(): ENOSYS. io_uring can open sockets
 *    without the socket() call, past this filter; libraries fall back to
 *    plain system calls on ENOSYS.
 *  - syslog(): EPERM. The kernel's log belongs to the host.
 *
 * Only the machine's native system call ABI is allowed: a call made through
 * another (32-bit x86 int 0x80 on x86_64, x32) kills the process, because
 * its numbers differ and the checks above would not see it. Only x86_64 and
 * aarch64 have a filter; elsewhere local_seccomp_build() returns 0 and
 * bubblewrap is reported unusable.
 *
 * Arguments are compared on their low 32 bits: the kernel reads the domain,
 * the type and an ioctl's request as 32-bit values, so high bits set by a
 * caller must not slip a request past a 64-bit comparison.
 */
#include "seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__) && !defined(__ILP32__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#define X32_SYSCALL_BIT 0x40000000u
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#endif

#ifndef SOCK_PACKET
#define SOCK_PACKET 10
#endif
#define SOCK_TYPE_MASK 0xf /* the kernel's: flags live above it */

/* Offset of the low 32 bits of argument i in struct seccomp_data. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#else
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i) + 4)
#endif

#define DENY(e) (SECCOMP_RET_ERRNO | ((e) & SECCOMP_RET_DATA))

struct prog {
	struct sock_filter *f;
	size_t n, cap;
	int overflow;
};

static void emit(struct prog *p, uint16_t code, uint8_t jt, uint8_t jf,
		 uint32_t k)
{
	if (p->n == p->cap) {
		p->overflow = 1;
		return;
	}
	p->f[p->n++] = (struct sock_filter)BPF_JUMP(code, k, jt, jf);
}

static void load(struct prog *p, size_t offset)
{
	emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, (uint32_t)offset);
}

/* if (A == k) return ret; */
static void return_if(struct prog *p, uint32_t k, uint32_t ret)
{
	emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, k);
	emit(p, BPF_RET | BPF_K, 0, 0, ret);
}

/* if (A != nr) skip the block that follows; end_block() patches it. */
static size_t begin_block(struct prog *p, uint32_t nr)
{
	emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, nr);
	return p->n - 1;
}

static void end_block(struct prog *p, size_t at)
{
	if (!p->overflow)
		p->f[at].jf = (uint8_t)(p->n - at - 1);
}

#ifdef NATIVE_ARCH
/* socket() and socketpair() share (domain, type, ...). */
static void socket_rules(struct prog *p, uint32_t nr)
{
	size_t at = begin_block(p, nr);

	load(p, ARG_LO(0));
	return_if(p, AF_NETLINK, DENY(EPERM));
	return_if(p, AF_PACKET, DENY(EPERM));
	load(p, ARG_LO(1));
	emit(p, BPF_ALU | BPF_AND | BPF_K, 0, 0, SOCK_TYPE_MASK);
	return_if(p, SOCK_RAW, DENY(EPERM));
	return_if(p, SOCK_PACKET, DENY(EPERM));
	emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
	end_block(p, at);
}

static void ioctl_rules(struct prog *p)
{
	size_t at = begin_block(p, __NR_ioctl);

	load(p, ARG_LO(1));
	return_if(p, TIOCSTI, DENY(EPERM));
	return_if(p, TIOCLINUX, DENY(EPERM));
	emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
	end_block(p, at);
}
#endif

size_t local_seccomp_build(struct sock_filter *f, size_t cap)
{
#ifdef NATIVE_ARCH
	struct prog p = { f, 0, cap, 0 };
	const size_t nr = offsetof(struct seccomp_data, nr);

	load(&p, offsetof(struct seccomp_data, arch));
	emit(&p, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, NATIVE_ARCH);
	emit(&p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS);
	load(&p, nr);
#ifdef X32_SYSCALL_BIT
	emit(&p, BPF_JMP | BPF_JGE | BPF_K, 0, 1, X32_SYSCALL_BIT);
	emit(&p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS);
#endif
	return_if(&p, __NR_keyctl, DENY(ENOSYS));
	return_if(&p, __NR_add_key, DENY(ENOSYS));
	return_if(&p, __NR_request_key, DENY(ENOSYS));
	return_if(&p, __NR_perf_event_open, DENY(ENOSYS));
	return_if(&p, __NR_io_uring_setup, DENY(ENOSYS));
	return_if(&p, __NR_io_uring_enter, DENY(ENOSYS));
	return_if(&p, __NR_io_uring_register, DENY(ENOSYS));
	return_if(&p, __NR_syslog, DENY(EPERM));
	socket_rules(&p, __NR_socket);
	socket_rules(&p, __NR_socketpair);
	ioctl_rules(&p);
	emit(&p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
	return p.overflow ? 0 : p.n;
#else
	(void)f;
	(void)cap;
	return 0;
#endif
}

int local_seccomp_fd(void)
{
	struct sock_filter prog[LOCAL_SECCOMP_MAX];
	size_t n = local_seccomp_build(prog, LOCAL_SECCOMP_MAX);
	const char *p = (const char *)prog;
	size_t left = n * sizeof(prog[0]);
	int fds[2], e;

	if (!n)
		return -ENOSYS;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	/* A few hundred bytes: far below a pipe's capacity, never blocks. */
	while (left) {
		ssize_t w = write(fds[1], p, left);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			e = w < 0 ? errno : EIO;
			close(fds[0]);
			close(fds[1]);
			return -e;
		}
		p += w;
		left -= (size_t)w;
	}
	close(fds[1]);
	/* Above 0..2, so a child's dup2 onto its stdio never clobbers it. */
	if (fds[0] < 3) {
		int moved = fcntl(fds[0], F_DUPFD_CLOEXEC, 3);

		e = errno;
		close(fds[0]);
		return moved < 0 ? -e : moved;
	}
	return fds[0];
}

int local_seccomp_pass(int filter)
{
	/* dup2 onto itself would keep close-on-exec: clear it instead. */
	if (filter == LOCAL_SECCOMP_FD)
		return fcntl(filter, F_SETFD, 0) < 0 ? -1 : 0;
	return dup2(filter, LOCAL_SECCOMP_FD) < 0 ? -1 : 0;
}
