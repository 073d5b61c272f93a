/* cli/cmd_version.c - `wsp version`. */
#include "cli.h"

#include <stdio.h>

int cmd_version(struct wsp_cli *cli, int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		printf("usage: wsp version\n\n"
		       "Print the version of wsp and of the plugin ABI it "
		       "loads providers for.\n");
		return WSP_EXIT_OK;
	}
	if (argc > 1)
		return cli_usage("version", "unexpected argument '%s'", argv[1]);
	if (cli->json)
		printf("{\"version\":\"%s\",\"plugin_abi\":\"%d.%d\"}\n",
		       wsp_version_string(), WSP_PLUGIN_ABI_MAJOR,
		       WSP_PLUGIN_ABI_MINOR);
	else
		printf("wsp %s (plugin ABI %d.%d)\n", wsp_version_string(),
		       WSP_PLUGIN_ABI_MAJOR, WSP_PLUGIN_ABI_MINOR);
	return WSP_EXIT_OK;
}
