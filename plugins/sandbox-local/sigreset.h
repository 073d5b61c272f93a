/*
 * plugins/sandbox-local/sigreset.h - a command starts with every signal's
 * action at its default and none blocked, whatever its starter had (wsp's
 * threads block some, the monitor and the agent watch theirs through a
 * signalfd, made here too). libc only: the monitor and the agent link it
 * too.
 */
#ifndef WSP_SANDBOX_LOCAL_SIGRESET_H
#define WSP_SANDBOX_LOCAL_SIGRESET_H

/* In a child about to exec. Async-signal-safe. */
void local_signals_default(void);

/*
 * A supervisor's signals (SIGCHLD, SIGTERM, SIGINT, SIGHUP) blocked and
 * read from the signalfd returned (flags: SFD_*), as the monitor and
 * the agent's hold watch them; -1 with errno when there is none.
 */
int local_signals_watch(int flags);

#endif /* WSP_SANDBOX_LOCAL_SIGRESET_H */
