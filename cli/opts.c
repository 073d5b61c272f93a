/*
 * cli/opts.c - the CLI's option parser: each command's table of options
 * (and the global options) turned into getopt_long's, read in one loop,
 * and the --help lines printed from the same table.
 *
 * getopt_long runs in its RETURN_IN_ORDER mode ("-" first in the short
 * options), so the operands come back in order whatever POSIXLY_CORRECT
 * says: a CLI_IN_ORDER command stops at the first one, the others keep
 * collecting.
 */
#include "opts.h"

#include "cli.h"

#include <string.h>

const struct cli_opt cli_global_opts[] = {
	{CLI_G_CONFIG, "config", "FILE",
	 "use this wsp.yaml (default: $WSP_CONFIG, ./wsp.yaml,\n"
	 "$XDG_CONFIG_HOME/wsp/wsp.yaml, /etc/wsp/wsp.yaml,\n"
	 "else the embedded default)"},
	{CLI_G_PLUGIN_PATH, "plugin-path", "DIRS",
	 "colon-separated directories searched for providers\n"
	 "first (then $WSP_PLUGIN_PATH, plugin_path: in the\n"
	 "config, the install directory)"},
	{CLI_G_JSON, "json", NULL, "print data as JSON"},
	{CLI_G_VERBOSE, "verbose", NULL, "log more (repeat for debug)"},
	{CLI_G_LOG_FILE, "log-file", "FILE",
	 "append wsp's own log lines and notices to FILE\n"
	 "instead of stderr (exec, sh and logs keep them\n"
	 "out of the command's stderr anyway unless -v)"},
	{CLI_G_HELP, "help", NULL,
	 "show this help; COMMAND --help shows a command's"},
	{0, NULL, NULL, NULL},
};

static int is_short(int key)
{
	return key > 0 && key < CLI_LONG;
}

static int is_global(int key)
{
	return key >= CLI_G_CONFIG || key == CLI_G_VERBOSE ||
	       key == CLI_G_HELP;
}

/* The command's own entry for a global (its --json), else NULL. */
static const struct cli_opt *find_name(const struct cli_opt *opts,
				       const char *name)
{
	for (; opts && opts->key; opts++)
		if (opts->name && !strcmp(opts->name, name))
			return opts;
	return NULL;
}

static void add(struct cli_parse *p, const struct cli_opt *o)
{
	size_t n = strlen(p->shorts);

	if (p->n_opts == CLI_MAX_OPTS * 2)
		return; /* tables are static: a test walks them all */
	p->by_index[p->n_opts] = o;
	if (o->name) {
		struct option *l = &p->longs[p->n_longs++];

		l->name = o->name;
		l->has_arg = o->arg ? required_argument : no_argument;
		l->flag = NULL;
		l->val = o->key;
	}
	p->n_opts++;
	if (is_short(o->key) && n + 3 < sizeof(p->shorts)) {
		p->shorts[n++] = (char)o->key;
		if (o->arg)
			p->shorts[n++] = ':';
		p->shorts[n] = '\0';
	}
}

static const struct cli_opt *by_key(const struct cli_parse *p, int key)
{
	int i;

	for (i = 0; i < p->n_opts; i++)
		if (p->by_index[i]->key == key)
			return p->by_index[i];
	return NULL;
}

/* Whether -h/--help comes before the options end (help wins). */
static int wants_help(const struct cli_parse *p)
{
	const struct cli_opt *o;
	int i;

	for (i = 1; i < p->argc; i++) {
		const char *w = p->argv[i];

		if (!strcmp(w, "--"))
			return 0;
		if (w[0] != '-' || !w[1]) {
			if (p->cmd->flags & CLI_IN_ORDER)
				return 0;
			continue;
		}
		if (!strcmp(w, "--help") || !strcmp(w, "-h"))
			return 1;
		/* skip the separate value of a valued option */
		o = NULL;
		if (w[1] == '-') {
			int k;

			for (k = 0; k < p->n_opts && !strchr(w, '='); k++)
				if (p->by_index[k]->name &&
				    !strcmp(p->by_index[k]->name, w + 2))
					o = p->by_index[k];
		} else {
			const char *c;

			/* -lh asks for help; in -sKILL the rest is a value */
			for (c = w + 1; *c; c++) {
				if (*c == 'h')
					return 1;
				o = by_key(p, (unsigned char)*c);
				if (o && o->arg) {
					o = c[1] ? NULL : o;
					break;
				}
				o = NULL;
			}
		}
		if (o && o->arg)
			i++;
	}
	return 0;
}

void cli_parse_begin(struct cli_parse *p, struct wsp_cli *cli,
		     const struct cli_cmd *cmd, int argc, char **argv)
{
	const struct cli_opt *o;

	memset(p, 0, sizeof(*p));
	p->cli = cli;
	p->cmd = cmd;
	p->argc = argc;
	p->argv = argv;
	/* '-': operands come back in order; ':': a missing value is ':' */
	strcpy(p->shorts, "-:");
	for (o = cmd->opts; o && o->key; o++)
		add(p, o);
	for (o = cli_global_opts; o->key; o++)
		if (!find_name(cmd->opts, o->name))
			add(p, o);
	p->help = wants_help(p);
	optind = 0; /* glibc: start afresh (a subcommand parses again) */
	opterr = 0;
}

/* How many long options begin with the n bytes at s (getopt_long
 * takes a unique prefix; two or more are ambiguous). */
static int prefixes(const struct cli_parse *p, const char *s, int n)
{
	int i, k = 0;

	for (i = 0; i < p->n_longs; i++)
		k += !strncmp(p->longs[i].name, s, (size_t)n);
	return k;
}

/* The word an error is about: the option as typed, without "=VALUE". */
static void print_bad(const struct cli_parse *p, int c)
{
	const char *name = p->cmd->name;
	const char *w = optind > 0 && optind <= p->argc ? p->argv[optind - 1]
							 : "";
	const struct cli_opt *o;
	int n;

	n = (int)strcspn(w, "=");
	if (c == ':') {
		if (w[0] == '-' && w[1] != '-')
			cli_usage(name, "option '-%c' needs a value", optopt);
		else
			cli_usage(name, "option '%.*s' needs a value", n, w);
		return;
	}
	o = optopt ? by_key(p, optopt) : NULL;
	if (!optopt && !strncmp(w, "--", 2) && prefixes(p, w + 2, n - 2) > 1)
		cli_usage(name, "option '%.*s' is ambiguous", n, w);
	else if (o && o->name && !o->arg && !strncmp(w, "--", 2) &&
		 w[n] == '=')
		cli_usage(name, "option '--%s' takes no value", o->name);
	else if (optopt && is_short(optopt) && strncmp(w, "--", 2))
		cli_usage(name, "unknown option '-%c'", optopt);
	else
		cli_usage(name, "unknown option '%.*s'", n, w);
}

int cli_parse_next(struct cli_parse *p)
{
	int c;

	if (p->help) {
		if (p->cmd->help)
			p->cmd->help(stdout);
		else
			cli_help(stdout, p->cmd);
		return CLI_HELP;
	}
	for (;;) {
		c = getopt_long(p->argc, p->argv, p->shorts, p->longs, NULL);
		if (c == -1) {
			/* "--" or the end: what is left follows in order */
			while (optind < p->argc)
				p->argv[1 + p->n_operands++] = p->argv[optind++];
			p->argv[1 + p->n_operands] = NULL; /* argv[argc] */
			p->operands = p->argv + 1;
			return CLI_END;
		}
		if (c == 1) {
			if (p->cmd->flags & CLI_IN_ORDER) {
				/* the program's own words, untouched */
				p->operands = p->argv + optind - 1;
				p->n_operands = p->argc - optind + 1;
				return CLI_END;
			}
			/* slots already read hold the operands, in order */
			p->argv[1 + p->n_operands++] = optarg;
			continue;
		}
		if (c == '?' || c == ':') {
			print_bad(p, c);
			return CLI_BAD;
		}
		if (is_global(c)) {
			if (cli_global_option(p->cli, p->cmd->name, c, optarg))
				return CLI_BAD;
			continue;
		}
		p->value = optarg;
		return c;
	}
}

int cli_parse_all(struct cli_parse *p, struct wsp_cli *cli,
		  const struct cli_cmd *cmd, int argc, char **argv)
{
	int k;

	cli_parse_begin(p, cli, cmd, argc, argv);
	while ((k = cli_parse_next(p)) > 0)
		; /* a table without keys of its own returns none */
	return k;
}

int cli_parse_exit(int k)
{
	return k == CLI_HELP ? WSP_EXIT_OK : WSP_EXIT_USAGE;
}

void cli_help_options(FILE *f, const struct cli_opt *opts)
{
	char head[80];
	const char *h, *nl;
	int w;

	for (; opts && opts->key; opts++) {
		if (opts->name && is_short(opts->key))
			snprintf(head, sizeof(head), "-%c, --%s%s%s",
				 opts->key, opts->name, opts->arg ? " " : "",
				 opts->arg ? opts->arg : "");
		else if (opts->name)
			snprintf(head, sizeof(head), "--%s%s%s", opts->name,
				 opts->arg ? " " : "",
				 opts->arg ? opts->arg : "");
		else
			snprintf(head, sizeof(head), "-%c%s%s", opts->key,
				 opts->arg ? " " : "",
				 opts->arg ? opts->arg : "");
		/* two spaces at least before the text: help2man reads so */
		w = (int)strlen(head) + 2 > 20 ? (int)strlen(head) + 2 : 20;
		fprintf(f, "  %-*s", w, head);
		for (h = opts->help; h; h = nl ? nl + 1 : NULL) {
			nl = strchr(h, '\n');
			if (h != opts->help)
				fprintf(f, "  %-*s", w, "");
			fprintf(f, "%.*s\n", nl ? (int)(nl - h) : (int)strlen(h),
				h);
		}
	}
}

void cli_help(FILE *f, const struct cli_cmd *cmd)
{
	fputs(cmd->usage, f);
	if (cmd->opts && cmd->opts->key) {
		fputs(cmd->name ? "\noptions:\n" : "\nglobal options:\n", f);
		cli_help_options(f, cmd->opts);
	}
	if (cmd->more) {
		fputc('\n', f);
		fputs(cmd->more, f);
	}
}
