/*
 * plugins/sandbox-local/agent/main.c - wsp-local-agent: choose the role
 * (agent.h). Started only by the local sandbox provider; not a user
 * command.
 */
#include "agent.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "serve"))
		return agent_serve();
	if (argc >= 6 && !strcmp(argv[1], "run") && !strcmp(argv[4], "--"))
		return agent_run(argv[2], argv[3], argv + 5);
	if (argc >= 4 && !strcmp(argv[1], "hold"))
		return agent_hold(argv[2], argv + 3);
	fprintf(stderr, "usage: wsp-local-agent serve\n"
			"       wsp-local-agent run ENV_DIR CWD -- PROGRAM "
			"[ARG...]\n"
			"       wsp-local-agent hold ENV_DIR BWRAP [ARG...]\n"
			"(started by the local sandbox provider of wsp)\n");
	return 2;
}
