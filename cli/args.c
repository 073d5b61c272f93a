/*
 * cli/args.c - argument helpers every command shares: "--opt VALUE" /
 * "--opt=VALUE". (Durations and sizes: the core's wsp_parse_duration_ms()
 * and wsp_parse_size(), the grammar of the configuration.)
 */
#include "cli.h"

#include <string.h>

const char *cli_option_value(int argc, char **argv, int *i, const char *opt,
			     int *missing)
{
	size_t n = strlen(opt);

	if (strncmp(argv[*i], opt, n))
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n])
		return NULL;
	if (*i + 1 >= argc) {
		*missing = 1;
		return NULL;
	}
	return argv[++*i];
}
