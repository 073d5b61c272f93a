/*
 * plugins/sandbox-local/sigreset.c - every signal back to its default
 * action, none blocked; a supervisor's signals as a descriptor
 * (sigreset.h).
 */
#include "sigreset.h"

#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>

void local_signals_default(void)
{
	struct sigaction dfl;
	sigset_t none;
	int sig;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

int local_signals_watch(int flags)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	return signalfd(-1, &set, flags);
}
