/*
 * tests/security/test_seccomp_filter.c - the seccomp program of
 * plugins/sandbox-local/seccomp.c, run by a small classic-BPF interpreter
 * on made-up system calls: what the kernel tests can only reach on some
 * machines (a foreign ABI, x32 numbers, high bits in 64-bit arguments)
 * is checked here on every one. The isolation suites check the same
 * filter in the kernel, through bubblewrap.
 */
#include "cu_main.h"
#include "seccomp.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static struct sock_filter prog[LOCAL_SECCOMP_MAX];
static size_t prog_len;

/*
 * Run the program on d the way the kernel does (the subset of classic
 * BPF a seccomp filter may use); 0xdeadbeef for anything malformed.
 */
static uint32_t run(const struct seccomp_data *d)
{
	const uint32_t bad = 0xdeadbeefu;
	uint32_t a = 0;
	size_t pc = 0;

	while (pc < prog_len) {
		const struct sock_filter *f = &prog[pc++];

		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (f->k % 4 || f->k + 4 > sizeof(*d))
				return bad;
			memcpy(&a, (const char *)d + f->k, 4);
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= f->k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += a == f->k ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += a >= f->k ? f->jt : f->jf;
			break;
		case BPF_RET | BPF_K:
			return f->k;
		default:
			return bad;
		}
	}
	return bad; /* fell off the end: the kernel refuses such a program */
}

static uint32_t call(uint32_t arch, int nr, uint64_t a0, uint64_t a1)
{
	struct seccomp_data d;

	memset(&d, 0, sizeof(d));
	d.arch = arch;
	d.nr = nr;
	d.args[0] = a0;
	d.args[1] = a1;
	return run(&d);
}

#if defined(__x86_64__)
#define NATIVE AUDIT_ARCH_X86_64
#define FOREIGN AUDIT_ARCH_I386
#elif defined(__aarch64__)
#define NATIVE AUDIT_ARCH_AARCH64
#define FOREIGN AUDIT_ARCH_ARM
#endif

#define ERRNO(e) (SECCOMP_RET_ERRNO | (e))

static int suite_init(void)
{
	prog_len = local_seccomp_build(prog, LOCAL_SECCOMP_MAX);
	return 0;
}

#ifdef NATIVE
static void test_shape(void)
{
	CU_ASSERT_FATAL(prog_len > 0);
	/* the kernel takes at most BPF_MAXINSNS, and this must stay small */
	CU_ASSERT(prog_len < LOCAL_SECCOMP_MAX);
	/* too little room is refused, not cut short */
	CU_ASSERT_EQUAL(local_seccomp_build(prog, prog_len - 1), 0);
	prog_len = local_seccomp_build(prog, LOCAL_SECCOMP_MAX);
}

static void test_foreign_abi_killed(void)
{
	CU_ASSERT_EQUAL(call(FOREIGN, 20, 0, 0), SECCOMP_RET_KILL_PROCESS);
	CU_ASSERT_EQUAL(call(0, __NR_getpid, 0, 0), SECCOMP_RET_KILL_PROCESS);
#ifdef __x86_64__
	/* x32 numbers carry bit 30 under the x86_64 arch */
	CU_ASSERT_EQUAL(call(NATIVE, 0x40000000 | __NR_socket, AF_NETLINK, 3),
			SECCOMP_RET_KILL_PROCESS);
#endif
}

static void test_sockets(void)
{
	CU_ASSERT_EQUAL(call(NATIVE, __NR_socket, AF_NETLINK, SOCK_RAW),
			ERRNO(EPERM));
	CU_ASSERT_EQUAL(call(NATIVE, __NR_socket, AF_PACKET, SOCK_DGRAM),
			ERRNO(EPERM));
	CU_ASSERT_EQUAL(call(NATIVE, __NR_socket, AF_INET, SOCK_RAW),
			ERRNO(EPERM));
	CU_ASSERT_EQUAL(call(NATIVE, __NR_socket, AF_INET6,
			     SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC),
			ERRNO(EPERM));
	CU_ASSERT_EQUAL(call(NATIVE, __NR_socket, AF_INET, 10 /* PACKET */),
			ERRNO(EPERM));
	CU_ASSERT_EQUAL(call(NATIVE, __NR_socketpair, AF_NETLINK, SOCK_DGRAM),
			ERRNO(EPERM));
	/* the kernel reads 32 bits: high ones must not hide the domain */
	CU_ASSERT_EQUAL(call(NATIVE, __NR_socket,
			     UINT64_C(0xffffffff00000000) | AF_NETLINK, 0),
			ERRNO(EPERM));
	CU_ASSERT_EQUAL(call(NATIVE, __NR_socket, AF_INET, SOCK_STREAM),
			SECCOMP_RET_ALLOW);
	CU_ASSERT_EQUAL(call(NATIVE, __NR_socket, AF_INET6,
			     SOCK_DGRAM | SOCK_CLOEXEC),
			SECCOMP_RET_ALLOW);
	CU_ASSERT_EQUAL(call(NATIVE, __NR_socket, AF_UNIX, SOCK_SEQPACKET),
			SECCOMP_RET_ALLOW);
	CU_ASSERT_EQUAL(call(NATIVE, __NR_socketpair, AF_UNIX, SOCK_STREAM),
			SECCOMP_RET_ALLOW);
}

static void test_ioctls(void)
{
	CU_ASSERT_EQUAL(call(NATIVE, __NR_ioctl, 0, TIOCSTI), ERRNO(EPERM));
	CU_ASSERT_EQUAL(call(NATIVE, __NR_ioctl, 5, TIOCLINUX), ERRNO(EPERM));
	CU_ASSERT_EQUAL(call(NATIVE, __NR_ioctl, 0,
			     UINT64_C(0x100000000) | TIOCSTI),
			ERRNO(EPERM));
	CU_ASSERT_EQUAL(call(NATIVE, __NR_ioctl, 0, TIOCGWINSZ),
			SECCOMP_RET_ALLOW);
	CU_ASSERT_EQUAL(call(NATIVE, __NR_ioctl, 0, FIONREAD),
			SECCOMP_RET_ALLOW);
}

static void test_other_calls(void)
{
	CU_ASSERT_EQUAL(call(NATIVE, __NR_keyctl, 0, 0), ERRNO(ENOSYS));
	CU_ASSERT_EQUAL(call(NATIVE, __NR_add_key, 0, 0), ERRNO(ENOSYS));
	CU_ASSERT_EQUAL(call(NATIVE, __NR_request_key, 0, 0), ERRNO(ENOSYS));
	CU_ASSERT_EQUAL(call(NATIVE, __NR_perf_event_open, 0, 0),
			ERRNO(ENOSYS));
	CU_ASSERT_EQUAL(call(NATIVE, __NR_io_uring_setup, 1, 0),
			ERRNO(ENOSYS));
	CU_ASSERT_EQUAL(call(NATIVE, __NR_io_uring_enter, 0, 0),
			ERRNO(ENOSYS));
	CU_ASSERT_EQUAL(call(NATIVE, __NR_io_uring_register, 0, 0),
			ERRNO(ENOSYS));
	CU_ASSERT_EQUAL(call(NATIVE, __NR_syslog, 10, 0), ERRNO(EPERM));
	/* everything else passes */
	CU_ASSERT_EQUAL(call(NATIVE, __NR_read, 0, 0), SECCOMP_RET_ALLOW);
	CU_ASSERT_EQUAL(call(NATIVE, __NR_execve, 0, 0), SECCOMP_RET_ALLOW);
	CU_ASSERT_EQUAL(call(NATIVE, __NR_clone, 0, 0), SECCOMP_RET_ALLOW);
	CU_ASSERT_EQUAL(call(NATIVE, __NR_exit_group, 0, 0),
			SECCOMP_RET_ALLOW);
}

/* The descriptor bwrap reads holds exactly the program. */
static void test_descriptor(void)
{
	struct sock_filter got[LOCAL_SECCOMP_MAX + 1];
	int fd = local_seccomp_fd();
	ssize_t n;

	CU_ASSERT_FATAL(fd > 2);
	n = read(fd, got, sizeof(got));
	CU_ASSERT_EQUAL(n, (ssize_t)(prog_len * sizeof(prog[0])));
	CU_ASSERT(n > 0 && !memcmp(got, prog, (size_t)n));
	CU_ASSERT_EQUAL(read(fd, got, sizeof(got)), 0); /* then EOF */
	close(fd);
}

static CU_TestInfo tests[] = {
	{ "a small, complete program", test_shape },
	{ "foreign system call ABIs are killed", test_foreign_abi_killed },
	{ "netlink, packet and raw sockets: EPERM", test_sockets },
	{ "TIOCSTI and TIOCLINUX: EPERM", test_ioctls },
	{ "keyrings, perf, io_uring: ENOSYS; syslog: EPERM",
	  test_other_calls },
	{ "the descriptor for bwrap --seccomp", test_descriptor },
	CU_TEST_INFO_NULL,
};
#else
static void test_no_filter(void)
{
	/* Elsewhere there is no filter, and bwrap is reported unusable. */
	CU_ASSERT_EQUAL(prog_len, 0);
	CU_ASSERT_EQUAL(local_seccomp_fd(), -ENOSYS);
}

static CU_TestInfo tests[] = {
	{ "no filter on this architecture", test_no_filter },
	CU_TEST_INFO_NULL,
};
#endif

CU_MAIN_SUITE("security: the seccomp filter", suite_init, NULL, tests)
