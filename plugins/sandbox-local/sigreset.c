/*
 * plugins/sandbox-local/sigreset.c - every signal back to its default
 * action, none blocked (sigreset.h).
 */
#include "sigreset.h"

#include <signal.h>
#include <string.h>

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
