/* cli/cmd_version.c - `wsp version`. */
#include "cli.h"

#include <stdio.h>

static const struct cli_cmd version_cmd = {
	"version",
	"usage: wsp version\n\n"
	"Print the version of wsp and of the plugin ABI it loads providers\n"
	"for.\n",
	NULL, NULL, 0, NULL};

int cmd_version(struct wsp_cli *cli, int argc, char **argv)
{
	struct cli_parse p;
	int k = cli_parse_all(&p, cli, &version_cmd, argc, argv);

	if (k != CLI_END)
		return cli_parse_exit(k);
	if (p.n_operands)
		return cli_usage("version", "unexpected argument '%s'",
				 p.operands[0]);
	if (cli->json)
		printf("{\"version\":\"%s\",\"plugin_abi\":\"%d.%d\"}\n",
		       wsp_version_string(), WSP_PLUGIN_ABI_MAJOR,
		       WSP_PLUGIN_ABI_MINOR);
	else
		printf("wsp %s (plugin ABI %d.%d)\n", wsp_version_string(),
		       WSP_PLUGIN_ABI_MAJOR, WSP_PLUGIN_ABI_MINOR);
	return WSP_EXIT_OK;
}
