/*
 * tests/sandbox-local-procs/procs_util.h - what the background-process
 * tests share: a main() that reaps orphaned monitors, output collection,
 * and counting descriptors and zombies.
 */
#ifndef WSP_TEST_PROCS_UTIL_H
#define WSP_TEST_PROCS_UTIL_H

#include "test_proc.h"

#include <CUnit/Basic.h>
#include <wsp/plugin.h>

#include <stddef.h>
#include <sys/types.h>

/*
 * Run the suite in a child process while this one stays a child
 * subreaper: monitors are nobody's children by design, so the orphans a
 * test leaves behind (monitors, grandchildren) come here and are reaped,
 * instead of piling up as zombies under an init that may not reap. The
 * tests' own process (the child) thus sees only its own children.
 */
int procs_main(const char *suite, CU_TestInfo *tests);

/* Everything read_output sent, per stream (NUL-terminated). */
struct collected {
	char *data[3]; /* indexed by WSP_STDOUT, WSP_STDERR */
	size_t len[3];
	int chunks;
	int bad_stream; /* a chunk came with an unknown stream tag */
};

int collect_sink(uint32_t stream, const void *data, size_t len, void *payload);
void collected_free(struct collected *c);

/* Spawn a shell string with defaults (stdin mode as given). */
int spawn_sh(const wsp_plugin_desc *d, void *self, char id[WSP_PROC_ID_MAX],
	     const char *sh, uint32_t stdin_mode, wsp_error *err);

/* Read all output of id (after waiting up to wait_ms) into c. */
int read_all(const wsp_plugin_desc *d, void *self, const char *id,
	     int64_t wait_ms, struct collected *c, wsp_proc_status *st);

/* Open descriptors of this process. */
int count_fds(void);
/* Zombie children of this process. */
int count_zombie_children(void);
/* True once pid no longer exists (or is a zombie), waiting up to ms. */
int pid_gone_within(pid_t pid, int ms);
/* the parent of a pid: test_proc_parent (tests/common/test_proc.h) */

#endif
