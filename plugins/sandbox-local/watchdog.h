/*
 * plugins/sandbox-local/watchdog.h - an unisolated command never outlives
 * the program that runs it (watchdog.c).
 */
#ifndef WSP_LOCAL_WATCHDOG_H
#define WSP_LOCAL_WATCHDOG_H

#include <sys/types.h>

struct local_watchdog {
	pid_t pid; /* the watchdog, or -1 */
	int fd;    /* our end of its socket, or -1 */
};

#define LOCAL_WATCHDOG_INIT { -1, -1 }

/*
 * Fork the watchdog, before the command is started; 0 or an errno value
 * (then w stays unarmed, and the caller may run the command without).
 */
int local_watchdog_start(struct local_watchdog *w);

/* Tell it the command's process group (its leader's pid), once started. */
void local_watchdog_arm(struct local_watchdog *w, pid_t pgid);

/* The command has been dealt with: let the watchdog go, and reap it. */
void local_watchdog_stop(struct local_watchdog *w);

#endif
