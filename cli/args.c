/*
 * cli/args.c - argument helpers every command shares: "--opt VALUE" /
 * "--opt=VALUE" and the duration syntax of the configuration.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
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

int64_t cli_parse_duration(const char *s)
{
	static const struct {
		const char *unit;
		double ms;
	} units[] = { { "ms", 1 },     { "", 1000 },	  { "s", 1000 },
		      { "m", 60000 }, { "h", 3600000 }, { "d", 86400000 } };
	char *end;
	double v;
	size_t i;

	errno = 0;
	v = strtod(s, &end);
	/* NaN fails the range test; no double out of int64_t's range is
	 * ever converted (that is undefined behaviour): 1e12d is refused */
	if (errno || end == s || !(v >= 0 && v <= 1e12))
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(end, units[i].unit))
			return v * units[i].ms < 0x1p63
				       ? (int64_t)(v * units[i].ms)
				       : -1;
	return -1;
}
