/*
 * tests/security/test_isolation_kernel.c - what a command under
 * `isolation: bwrap` holds of the kernel: no capability, no device it
 * could make, no mount, read-only kernel settings (/proc/sys,
 * sysrq-trigger, kcore), no host process, no /sys, no nested user
 * namespace (findings 1 and 2 of the security review). Each check runs the
 * probe through `wsp exec`, as root and again as an unprivileged user.
 */
#include "cu_main.h"
#include "isolation_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct iso t;

static int suite_init(void)
{
	return iso_setup(&t, "bwrap", NULL);
}

static int suite_clean(void)
{
	iso_teardown(&t);
	return 0;
}

#define ASSERT_REFUSED(name)                                             \
	do {                                                             \
		const char *v_ = iso_get(&t, name);                      \
		if (!v_[0] || !strcmp(v_, "ok"))                         \
			fprintf(stderr, "\n%s=%s (want a refusal)\n",    \
				name, v_[0] ? v_ : "<missing>");          \
		CU_ASSERT(v_[0] && strcmp(v_, "ok") != 0);               \
	} while (0)

#define ASSERT_VALUE(name, want)                                         \
	do {                                                             \
		const char *v_ = iso_get(&t, name);                      \
		if (strcmp(v_, want))                                    \
			fprintf(stderr, "\n%s=%s (want %s)\n", name, v_, \
				want);                                   \
		CU_ASSERT_STRING_EQUAL(v_, want);                        \
	} while (0)

static void test_no_capabilities(void)
{
	struct iso host;

	CU_ASSERT_EQUAL_FATAL(iso_probe(&t, "caps", NULL, NULL), 0);
	ASSERT_VALUE("CapInh", "0000000000000000");
	ASSERT_VALUE("CapPrm", "0000000000000000");
	ASSERT_VALUE("CapEff", "0000000000000000");
	ASSERT_VALUE("CapBnd", "0000000000000000");
	ASSERT_VALUE("CapAmb", "0000000000000000");
	/* The probe reads them right: unisolated, root holds them all. */
	if (!iso_root())
		return;
	CU_ASSERT_EQUAL_FATAL(iso_setup(&host, "none", NULL), 0);
	CU_ASSERT_EQUAL(iso_probe(&host, "caps", NULL, NULL), 0);
	CU_ASSERT_STRING_NOT_EQUAL(iso_get(&host, "CapEff"),
				   "0000000000000000");
	CU_ASSERT_NOT_EQUAL(iso_get(&host, "CapEff")[0], '\0');
	iso_teardown(&host);
}

/* /dev holds bwrap's few nodes and symlinks, no disk. */
static void test_devices(void)
{
	static const char *const allowed[] = {
		"console", "core", "fd",     "full",   "null",	"ptmx",
		"pts",	   "random", "shm", "stderr", "stdin", "stdout",
		"tty",	   "urandom", "zero", NULL
	};
	const char *p;
	int entries = 0, i;

	CU_ASSERT_EQUAL_FATAL(iso_probe(&t, "devices", NULL, NULL), 0);
	ASSERT_REFUSED("mknod_block");
	ASSERT_REFUSED("mknod_char");
	CU_ASSERT_PTR_NULL(strstr(t.out, "dev_block="));
	for (p = strstr(t.out, "dev_entry="); p;
	     p = strstr(p + 1, "dev_entry=")) {
		size_t n = strcspn(p + 10, "\n");

		entries++;
		for (i = 0; allowed[i]; i++)
			if (strlen(allowed[i]) == n &&
			    !strncmp(p + 10, allowed[i], n))
				break;
		if (!allowed[i])
			fprintf(stderr, "\nunexpected /dev entry '%.*s'\n",
				(int)n, p + 10);
		CU_ASSERT_PTR_NOT_NULL(allowed[i]);
	}
	CU_ASSERT(strstr(t.out, "dev_entry=null\n") != NULL);
	CU_ASSERT(entries >= 5);
}

static void test_mounts(void)
{
	CU_ASSERT_EQUAL_FATAL(iso_probe(&t, "mounts", NULL, NULL), 0);
	ASSERT_REFUSED("mount_tmpfs_dev");
	ASSERT_REFUSED("remount_root_rw");
	ASSERT_REFUSED("remount_root_bind_rw");
	ASSERT_REFUSED("bind_usr");
	ASSERT_REFUSED("umount_proc");
}

static void test_proc_read_only(void)
{
	CU_ASSERT_EQUAL_FATAL(iso_probe(&t, "proc", NULL, NULL), 0);
	/* Readable (programs read settings), never writable. */
	ASSERT_VALUE("core_pattern_read", "ok");
	ASSERT_REFUSED("core_pattern_write");
	ASSERT_REFUSED("sysctl_vm_open_write");
	ASSERT_REFUSED("sysrq_trigger_write");
	ASSERT_REFUSED("kcore_read");
	ASSERT_REFUSED("kcore_write");
	ASSERT_REFUSED("dev_core_read");
	ASSERT_REFUSED("dev_core_write");
}

static void test_kernel_settings(void)
{
	CU_ASSERT_EQUAL_FATAL(iso_probe(&t, "kernel", NULL, NULL), 0);
	ASSERT_REFUSED("sethostname");
	ASSERT_REFUSED("hostname_sysctl");
	ASSERT_REFUSED("settimeofday");
	ASSERT_REFUSED("ip_forward");
}

/* A PID namespace: only the sandbox's own processes are visible. */
static void test_no_host_pids(void)
{
	int count;

	CU_ASSERT_EQUAL_FATAL(iso_probe(&t, "pids", NULL, NULL), 0);
	count = atoi(iso_get(&t, "pid_count"));
	if (count < 1 || count > 5)
		fprintf(stderr, "\n%s", t.out);
	/*
	 * the sandbox's environment (bwrap's init, the agent, the probe's
	 * shim and the next command's, forked ahead) and the probe itself
	 */
	CU_ASSERT(count >= 1 && count <= 5);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.out, " probe\n"));
	/* not this test, nor the wsp that runs the probe */
	CU_ASSERT_PTR_NULL(strstr(t.out, " test_security_i"));
	CU_ASSERT_PTR_NULL(strstr(t.out, " wsp\n"));
}

static void test_no_sys(void)
{
	const char *entries;

	CU_ASSERT_EQUAL_FATAL(iso_probe(&t, "sys", NULL, NULL), 0);
	entries = iso_get(&t, "sys_entries");
	if (entries[0]) {
		CU_ASSERT_STRING_EQUAL(entries, "0");
	} else {
		ASSERT_VALUE("sys", "ENOENT");
	}
}

static void test_no_nested_user_namespace(void)
{
	CU_ASSERT_EQUAL_FATAL(iso_probe(&t, "userns", NULL, NULL), 0);
	ASSERT_REFUSED("unshare_user");
	/* and through the tool an agent would use */
	CU_ASSERT_NOT_EQUAL(
		iso_wsp(&t, (const char *const[]){ "sh", "unshare -U true",
						   NULL }),
		0);
	CU_ASSERT_NOT_EQUAL(
		iso_wsp(&t, (const char *const[]){ "sh", "unshare -r true",
						   NULL }),
		0);
}

/*
 * The calls the seccomp filter answers itself. Unisolated they reach the
 * kernel (whatever it answers, not ENOSYS), so the probe is sound.
 */
static void test_filtered_calls(void)
{
	static const char *const enosys[] = { "keyctl", "add_key",
					       "request_key", "perf_event_open",
					       "io_uring_setup", NULL };
	struct iso host;
	int i, int80;

	CU_ASSERT_EQUAL_FATAL(iso_setup(&host, "none", NULL), 0);
	CU_ASSERT_EQUAL(iso_probe(&host, "syscalls", NULL, NULL), 0);
	for (i = 0; enosys[i]; i++) {
		CU_ASSERT_NOT_EQUAL(iso_get(&host, enosys[i])[0], '\0');
		CU_ASSERT_STRING_NOT_EQUAL(iso_get(&host, enosys[i]),
					   "ENOSYS");
	}
	/* Some kernels have no 32-bit entry at all (int 0x80 faults). */
	CU_ASSERT_EQUAL(iso_probe(&host, "abi", NULL, NULL), 0);
	int80 = !strcmp(iso_get(&host, "int80"), "ok");
	iso_teardown(&host);

	CU_ASSERT_EQUAL_FATAL(iso_probe(&t, "syscalls", NULL, NULL), 0);
	for (i = 0; enosys[i]; i++)
		ASSERT_VALUE(enosys[i], "ENOSYS");
	ASSERT_VALUE("syslog", "EPERM");
	if (!int80) {
		fprintf(stderr, "\n(this kernel has no 32-bit system call "
				"entry: the foreign-ABI check cannot run)\n");
		return;
	}
	CU_ASSERT_EQUAL_FATAL(iso_probe(&t, "abi", NULL, NULL), 0);
	ASSERT_VALUE("int80", "SIGSYS");
}

static CU_TestInfo tests[] = {
	{ "no capabilities", test_no_capabilities },
	{ "no device nodes, a minimal /dev", test_devices },
	{ "no mounts, no remounts", test_mounts },
	{ "/proc/sys, sysrq-trigger, kcore: read-only or absent",
	  test_proc_read_only },
	{ "kernel settings cannot be changed", test_kernel_settings },
	{ "no host processes visible", test_no_host_pids },
	{ "no /sys", test_no_sys },
	{ "no nested user namespace", test_no_nested_user_namespace },
	{ "keyrings, perf, io_uring, syslog, foreign ABIs: filtered",
	  test_filtered_calls },
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("security: kernel surface under bwrap", suite_init,
	      suite_clean, tests)
