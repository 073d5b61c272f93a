/*
 * cli/interrupt.c - ^C, SIGTERM and SIGHUP as a cancel token: a command
 * that waits on the sandbox passes the token in its call, so a signal
 * ends the wait the way the API ends any canceled call (WSP_ECANCELED),
 * and the command still cleans up and reports.
 */
#include "cli.h"

#include <signal.h>
#include <string.h>

static wsp_cancel *interrupt_token;

static void on_interrupt(int sig)
{
	(void)sig;
	if (interrupt_token)
		wsp_cancel_fire(interrupt_token); /* async-signal-safe */
}

wsp_cancel *cli_interrupt_begin(wsp_error *err)
{
	struct sigaction sa;

	if (wsp_cancel_new(&interrupt_token, err) < 0)
		return NULL;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_interrupt;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* A closed terminal or pipe must not kill wsp mid-command. */
	signal(SIGPIPE, SIG_IGN);
	return interrupt_token;
}

void cli_interrupt_end(void)
{
	wsp_cancel *t = interrupt_token;

	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	interrupt_token = NULL;
	wsp_cancel_free(t);
}
