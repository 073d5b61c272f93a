/*
 * tests/security/isolation_probe.c - what a command inside the sandbox
 * tries, one check per argument, each printing "name=result" lines the
 * isolation tests compare. A result is "ok" when the attempt succeeded,
 * else the errno's name (EPERM, EROFS, ...). The tests copy this program
 * into the working directory and run it through `wsp exec`, so it runs
 * exactly as an agent's command would; it is built without sanitizers,
 * which could not run under the memory limit.
 *
 *   probe caps              CapInh/CapPrm/CapEff/CapBnd/CapAmb
 *   probe devices           mknod of a block and a char device; /dev
 *   probe mounts            tmpfs (with -o dev), remount / rw, bind
 *   probe proc              /proc/sys, sysrq-trigger, kcore, /dev/core
 *   probe kernel            hostname, clock, a sysctl
 *   probe pids              what /proc shows of processes
 *   probe sys               what /sys shows
 *   probe userns            unshare of a user namespace
 *   probe syscalls          keyrings, perf_event_open, io_uring, syslog
 *   probe abi               a call through the 32-bit x86 entry
 *   probe sockets           netlink, packet, raw and plain sockets
 *   probe tcp PORT | udp PORT | unix PATH | abstract NAME
 *   probe listen PORT       serve TCP on 127.0.0.1:PORT until killed
 *   probe fds               the descriptors the probe was given
 *   probe tiocsti           TIOCSTI on stdio, /dev/tty and an own pty
 *   probe write PATH        create and write a file
 *   probe alloc MIB         allocate and touch MIB mebibytes
 *   probe spin              burn CPU until stopped
 *   probe fill PATH MIB     write MIB mebibytes to a file
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/perf_event.h>
#include <signal.h>

static const char *ename(int e)
{
	static char other[24];
	static const struct {
		int e;
		const char *name;
	} names[] = {
		{ EPERM, "EPERM" },	      { ENOENT, "ENOENT" },
		{ EACCES, "EACCES" },	      { EROFS, "EROFS" },
		{ ENOSPC, "ENOSPC" },	      { EINVAL, "EINVAL" },
		{ ENOSYS, "ENOSYS" },	      { ENXIO, "ENXIO" },
		{ EIO, "EIO" },		      { ENOTTY, "ENOTTY" },
		{ ECONNREFUSED, "ECONNREFUSED" },
		{ ENETUNREACH, "ENETUNREACH" }, { EAFNOSUPPORT, "EAFNOSUPPORT" },
		{ EBADF, "EBADF" },	      { ENOMEM, "ENOMEM" },
		{ EUSERS, "EUSERS" },	      { EFBIG, "EFBIG" },
		{ EEXIST, "EEXIST" },	      { ENOTDIR, "ENOTDIR" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == e)
			return names[i].name;
	snprintf(other, sizeof(other), "errno%d", e);
	return other;
}

/* "name=ok" when rc >= 0, else "name=<errno>". */
static void result(const char *name, int rc)
{
	printf("%s=%s\n", name, rc >= 0 ? "ok" : ename(errno));
}

static void caps(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];

	if (!f) {
		result("status", -1);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char name[32], value[64];

		if (strncmp(line, "Cap", 3) ||
		    sscanf(line, "%31[^:]:%63s", name, value) != 2)
			continue;
		printf("%s=%s\n", name, value);
	}
	fclose(f);
}

static void devices(void)
{
	DIR *d;
	struct dirent *e;
	struct stat st;
	char path[300];

	/* The host's first disk, and /dev/null's numbers. */
	result("mknod_block", mknod("/tmp/disk", S_IFBLK | 0600,
				    makedev(8, 0)));
	result("mknod_char", mknod("/tmp/null", S_IFCHR | 0666,
				   makedev(1, 3)));
	d = opendir("/dev");
	if (!d) {
		result("dev", -1);
		return;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/dev/%s", e->d_name);
		if (lstat(path, &st) == 0 && S_ISBLK(st.st_mode))
			printf("dev_block=%s\n", e->d_name);
		printf("dev_entry=%s\n", e->d_name);
	}
	closedir(d);
}

static void mounts(void)
{
	mkdir("/tmp/m", 0700);
	result("mount_tmpfs_dev", mount("none", "/tmp/m", "tmpfs", 0,
					"mode=755"));
	result("remount_root_rw", mount(NULL, "/", NULL, MS_REMOUNT, NULL));
	result("remount_root_bind_rw", mount(NULL, "/", NULL,
					     MS_REMOUNT | MS_BIND, NULL));
	result("bind_usr", mount("/usr", "/tmp/m", NULL, MS_BIND, NULL));
	result("umount_proc", umount2("/proc/sys", MNT_DETACH));
}

/* Open path with flags: "name=ok" or the errno. */
static void try_open(const char *name, const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	result(name, fd);
	if (fd >= 0)
		close(fd);
}

/* Write text to path: "name=ok" only if every byte went in. */
static void try_write(const char *name, const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n = -1;

	if (fd >= 0) {
		n = write(fd, text, strlen(text));
		close(fd);
	}
	result(name, n == (ssize_t)strlen(text) ? 0 : -1);
}

static void proc(void)
{
	char value[512] = "";
	int fd = open("/proc/sys/kernel/core_pattern", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, value, sizeof(value) - 1) : -1;

	if (fd >= 0)
		close(fd);
	result("core_pattern_read", n > 0 ? 0 : -1);
	/* Writing back what it holds: harmless if it went through. */
	value[n > 0 ? n : 0] = '\0';
	try_write("core_pattern_write", "/proc/sys/kernel/core_pattern",
		  n > 0 ? value : "core\n");
	try_open("sysctl_vm_open_write", "/proc/sys/vm/drop_caches",
		 O_WRONLY);
	try_open("sysrq_trigger_write", "/proc/sysrq-trigger", O_WRONLY);
	try_open("kcore_read", "/proc/kcore", O_RDONLY);
	try_open("kcore_write", "/proc/kcore", O_WRONLY);
	try_open("dev_core_read", "/dev/core", O_RDONLY);
	try_open("dev_core_write", "/dev/core", O_WRONLY);
}

static void kernel(void)
{
	struct timeval tv;

	result("sethostname", sethostname("probe", 5));
	try_write("hostname_sysctl", "/proc/sys/kernel/hostname", "probe\n");
	gettimeofday(&tv, NULL);
	result("settimeofday", settimeofday(&tv, NULL));
	try_write("ip_forward", "/proc/sys/net/ipv4/ip_forward", "1\n");
}

static void pids(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int count = 0;

	if (!d) {
		result("proc", -1);
		return;
	}
	while ((e = readdir(d))) {
		char path[300], comm[64] = "";
		int fd;
		ssize_t n;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		count++;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		n = fd >= 0 ? read(fd, comm, sizeof(comm) - 1) : 0;
		if (fd >= 0)
			close(fd);
		comm[n > 0 ? n : 0] = '\0';
		comm[strcspn(comm, "\n")] = '\0';
		printf("pid=%s %s\n", e->d_name, comm);
	}
	closedir(d);
	printf("pid_count=%d\n", count);
}

static void sys(void)
{
	DIR *d = opendir("/sys");
	struct dirent *e;
	int count = 0;

	if (!d) {
		result("sys", -1);
		return;
	}
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			count++;
	closedir(d);
	printf("sys_entries=%d\n", count);
}

static void sockets(void)
{
	struct {
		const char *name;
		int domain, type, protocol;
	} s[] = {
		{ "netlink_route", AF_NETLINK, SOCK_RAW, NETLINK_ROUTE },
		{ "netlink_dgram", AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
		  NETLINK_ROUTE },
		{ "netlink_audit", AF_NETLINK, SOCK_RAW, NETLINK_AUDIT },
		{ "packet", AF_PACKET, SOCK_RAW, 0 },
		{ "packet_dgram", AF_PACKET, SOCK_DGRAM, 0 },
		{ "raw_icmp", AF_INET, SOCK_RAW, IPPROTO_ICMP },
		{ "raw_nonblock", AF_INET, SOCK_RAW | SOCK_NONBLOCK,
		  IPPROTO_RAW },
		{ "raw_ipv6", AF_INET6, SOCK_RAW, IPPROTO_ICMPV6 },
		{ "tcp", AF_INET, SOCK_STREAM, 0 },
		{ "unix", AF_UNIX, SOCK_STREAM, 0 },
	};
	int sv[2];
	size_t i;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		int fd = socket(s[i].domain, s[i].type, s[i].protocol);

		result(s[i].name, fd);
		if (fd >= 0)
			close(fd);
	}
	/* High bits above the 32 the kernel reads must not help. */
	{
		long fd = syscall(SYS_socket, 0x100000000L | AF_NETLINK,
				  (long)SOCK_RAW, (long)NETLINK_ROUTE);

		result("netlink_high_bits", (int)fd);
		if (fd >= 0)
			close((int)fd);
	}
	result("socketpair_unix", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
}

static void connect_to(const char *name, int domain, int type,
		       const struct sockaddr *sa, socklen_t len)
{
	int fd = socket(domain, type | SOCK_CLOEXEC, 0), rc = -1;

	if (fd >= 0) {
		if (type == SOCK_DGRAM)
			rc = (int)sendto(fd, "probe", 5, 0, sa, len);
		else
			rc = connect(fd, sa, len);
		if (rc < 0) {
			int e = errno;

			close(fd);
			errno = e;
		} else {
			close(fd);
		}
	}
	result(name, fd < 0 ? fd : rc);
}

static void inet(const char *name, int type, const char *port)
{
	struct sockaddr_in sa = { 0 };

	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)atoi(port));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	connect_to(name, AF_INET, type, (struct sockaddr *)&sa, sizeof(sa));
}

static void unix_socket(const char *name, const char *path, int abstract)
{
	struct sockaddr_un sa = { 0 };
	size_t n = strlen(path);

	sa.sun_family = AF_UNIX;
	if (n + 2 > sizeof(sa.sun_path))
		n = sizeof(sa.sun_path) - 2;
	memcpy(sa.sun_path + (abstract ? 1 : 0), path, n);
	connect_to(name, AF_UNIX, SOCK_STREAM, (struct sockaddr *)&sa,
		   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
			       (abstract ? 1 : 0)));
}

/* A TCP server on 127.0.0.1:port that answers "hello" and hangs up. */
static int listen_on(const char *port)
{
	struct sockaddr_in sa = { 0 };
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1, c;

	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)atoi(port));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(s, 16) < 0) {
		result("listen", -1);
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	while ((c = accept(s, NULL, NULL)) >= 0) {
		if (write(c, "hello\n", 6) < 0)
			perror("write");
		close(c);
	}
	return 0;
}

static void fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d) {
		result("fds", -1);
		return;
	}
	printf("fds=");
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d))
			printf("%s ", e->d_name);
	printf("\n");
	closedir(d);
}

static void tiocsti(void)
{
	char c = '!';
	int fd, master, slave;

	result("tiocsti_stdin", ioctl(0, TIOCSTI, &c));
	result("tiocsti_stdout", ioctl(1, TIOCSTI, &c));
	result("tiocsti_stderr", ioctl(2, TIOCSTI, &c));
	fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	result("dev_tty", fd);
	if (fd >= 0) {
		result("tiocsti_dev_tty", ioctl(fd, TIOCSTI, &c));
		close(fd);
	}
	/* A terminal of its own, made its controlling one: where TIOCSTI
	 * works for anyone unless something refuses the request itself. */
	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	result("openpt", master);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
		return;
	if (fork() == 0) {
		setsid();
		slave = open(ptsname(master), O_RDWR | O_CLOEXEC);
		if (slave < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
			_exit(2);
		_exit(ioctl(slave, TIOCSTI, &c) == 0 ? 0
			      : errno == EPERM	      ? 1
						      : 3);
	} else {
		int st = -1;

		wait(&st);
		printf("tiocsti_own_pty=%s\n",
		       WIFEXITED(st) && WEXITSTATUS(st) == 0	? "ok"
		       : WIFEXITED(st) && WEXITSTATUS(st) == 1 ? "EPERM"
							       : "other");
	}
	close(master);
}

/* The calls the seccomp filter answers with an errno of its own. */
static void syscalls(void)
{
	struct perf_event_attr pe;
	long params[16] = { 0 }; /* struct io_uring_params, zeroed */
	long fd;

	result("keyctl", (int)syscall(SYS_keyctl, 0 /* GET_KEYRING_ID */,
				      -3 /* the session keyring */, 0));
	result("add_key", (int)syscall(SYS_add_key, "user", "probe", "x", 1,
				       -3));
	result("request_key", (int)syscall(SYS_request_key, "user", "probe",
					   NULL, 0));
	memset(&pe, 0, sizeof(pe));
	pe.type = PERF_TYPE_SOFTWARE;
	pe.size = sizeof(pe);
	pe.config = PERF_COUNT_SW_TASK_CLOCK;
	pe.exclude_kernel = 1;
	pe.exclude_hv = 1;
	fd = syscall(SYS_perf_event_open, &pe, 0, -1, -1, 0);
	result("perf_event_open", (int)fd);
	if (fd >= 0)
		close((int)fd);
	fd = syscall(SYS_io_uring_setup, 1, params);
	result("io_uring_setup", (int)fd);
	if (fd >= 0)
		close((int)fd);
	result("syslog", (int)syscall(SYS_syslog, 10 /* SIZE_BUFFER */, NULL,
				      0));
}

/*
 * A system call through the 32-bit x86 entry of a 64-bit process: the
 * filter kills it (SIGSYS), since its numbers are not the ones checked.
 */
static void foreign_abi(void)
{
#if defined(__x86_64__)
	pid_t pid = fork();
	int st = 0;

	if (pid == 0) {
		long ret;

		/* 20 is getpid in the i386 table */
		__asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
		_exit(ret > 0 ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	printf("int80=%s\n", WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS
				     ? "SIGSYS"
			     : WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "ok"
								     : "other");
#else
	printf("int80=SIGSYS\n"); /* no such entry here */
#endif
}

static void write_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n = fd >= 0 ? write(fd, "probe\n", 6) : -1;

	if (fd >= 0)
		close(fd);
	result("write", fd < 0 ? -1 : n == 6 ? 0 : -1);
}

static int alloc(const char *mib)
{
	size_t n = (size_t)atoi(mib) << 20;
	char *p = malloc(n);

	if (!p) {
		/* What the limit classifier reads on stderr. */
		fprintf(stderr, "probe: Cannot allocate memory\n");
		printf("alloc=ENOMEM\n");
		return 3;
	}
	memset(p, 1, n);
	printf("alloc=ok %d\n", p[n - 1]);
	free(p);
	return 0;
}

static int spin(void)
{
	volatile unsigned long x = 0;

	for (;;)
		x++;
	return 0;
}

static int fill(const char *path, const char *mib)
{
	static char block[65536];
	long left = (long)atoi(mib) << 20;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0) {
		result("fill", -1);
		return 3;
	}
	while (left > 0) {
		ssize_t n = write(fd, block, sizeof(block));

		if (n < 0) {
			result("fill", -1);
			close(fd);
			return 4;
		}
		left -= n;
	}
	close(fd);
	printf("fill=ok\n");
	return 0;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(what, "caps"))
		caps();
	else if (!strcmp(what, "devices"))
		devices();
	else if (!strcmp(what, "mounts"))
		mounts();
	else if (!strcmp(what, "proc"))
		proc();
	else if (!strcmp(what, "kernel"))
		kernel();
	else if (!strcmp(what, "pids"))
		pids();
	else if (!strcmp(what, "sys"))
		sys();
	else if (!strcmp(what, "syscalls"))
		syscalls();
	else if (!strcmp(what, "abi"))
		foreign_abi();
	else if (!strcmp(what, "userns"))
		result("unshare_user", unshare(CLONE_NEWUSER));
	else if (!strcmp(what, "sockets"))
		sockets();
	else if (!strcmp(what, "tcp") && argc > 2)
		inet("tcp", SOCK_STREAM, argv[2]);
	else if (!strcmp(what, "udp") && argc > 2)
		inet("udp", SOCK_DGRAM, argv[2]);
	else if (!strcmp(what, "unix") && argc > 2)
		unix_socket("unix", argv[2], 0);
	else if (!strcmp(what, "abstract") && argc > 2)
		unix_socket("abstract", argv[2], 1);
	else if (!strcmp(what, "listen") && argc > 2)
		return listen_on(argv[2]);
	else if (!strcmp(what, "fds"))
		fds();
	else if (!strcmp(what, "tiocsti"))
		tiocsti();
	else if (!strcmp(what, "write") && argc > 2)
		write_file(argv[2]);
	else if (!strcmp(what, "alloc") && argc > 2)
		return alloc(argv[2]);
	else if (!strcmp(what, "spin"))
		return spin();
	else if (!strcmp(what, "fill") && argc > 3)
		return fill(argv[2], argv[3]);
	else {
		fprintf(stderr, "probe: unknown check '%s'\n", what);
		return 2;
	}
	return 0;
}
