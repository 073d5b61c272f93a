/*
 * tests/common/subreaper.h - run a program's work in a child while the
 * parent collects the orphans it leaves. The local sandbox's monitors are
 * nobody's children once the slot that started them returns: as a
 * subreaper (PR_SET_CHILD_SUBREAPER) the parent reaps them, so no zombie
 * outlives a test or a benchmark. The process manager's suites and its
 * benchmark share this.
 *
 *   pid_t runner = subreaper_fork();
 *   if (runner < 0) return 2;
 *   if (runner == 0) _exit(do_the_work());
 *   return subreaper_wait(runner, 3);
 */
#ifndef WSP_TEST_SUBREAPER_H
#define WSP_TEST_SUBREAPER_H

#include <errno.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* Become the subreaper and fork: 0 in the child, its pid in the parent,
 * -1 (with a message) when either fails. */
static inline pid_t subreaper_fork(void)
{
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		perror("prctl(PR_SET_CHILD_SUBREAPER)");
		return -1;
	}
	fflush(NULL);
	return fork();
}

/*
 * Wait for runner, then for up to five seconds for the orphans still
 * finishing (a released monitor lingers a moment). The runner's exit
 * status, or `crashed` when a signal ended it.
 */
static inline int subreaper_wait(pid_t runner, int crashed)
{
	int status, rc = crashed, tries;
	pid_t r;

	for (;;) {
		r = waitpid(-1, &status, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		if (r == runner) {
			rc = WIFEXITED(status) ? WEXITSTATUS(status) : crashed;
			break;
		}
	}
	for (tries = 0; tries < 100; tries++) {
		r = waitpid(-1, &status, WNOHANG);
		if (r < 0)
			break;
		if (r == 0)
			usleep(50000);
	}
	return rc;
}

#endif
