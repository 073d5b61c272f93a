/*
 * cli/opts.h - the one option parser of the CLI (getopt_long under a
 * table), and the --help it prints from the same table.
 *
 * Every command declares its options once, as a table of struct cli_opt;
 * that table is what the parser accepts, what the command's --help lists
 * under "options:" (so the shell completion, which reads --help, and the
 * man pages, generated from --help, name the same options) and what the
 * tests walk. Each command reads its options the same way: --opt=VALUE
 * and --opt VALUE, the short form where one exists (-f, -s KILL), "--"
 * ending the options, the global options (--config, --json, -v...)
 * anywhere among them, and one message naming the command for an
 * unknown option, a missing value or a value given to a flag.
 */
#ifndef WSP_CLI_OPTS_H
#define WSP_CLI_OPTS_H

#include <getopt.h>
#include <stdio.h>

struct wsp_cli;

/* Keys at or above this are long-only options; below, a short letter. */
#define CLI_LONG 256
/*
 * The global options' keys (cli/opts.c handles them; a command never
 * sees them). A command may list CLI_G_JSON in its own table to say in
 * its --help what --json prints for it; it stays the global option.
 */
enum {
	CLI_G_CONFIG = 1000,
	CLI_G_PLUGIN_PATH,
	CLI_G_JSON,
	CLI_G_LOG_FILE,
	CLI_G_VERBOSE = 'v',
	CLI_G_HELP = 'h'
};

/* One option; a table ends with an entry whose key is 0. */
struct cli_opt {
	int key;	  /* a short letter (-f), or CLI_LONG + n */
	const char *name; /* long name without "--"; NULL: short only */
	const char *arg;  /* its value's placeholder ("DIR"); NULL: a flag */
	const char *help; /* --help text; '\n' starts an indented line */
};

/* A command as the parser and its --help see it. */
struct cli_cmd {
	const char *name;	    /* "exec", "fs ls"; NULL: wsp itself */
	const char *usage;	    /* usage lines and what it does */
	const struct cli_opt *opts; /* NULL: none of its own */
	const char *more;	    /* text after the options, or NULL */
	unsigned flags;
	/* Prints the help instead of cli_help() (wsp's own, with the
	 * command list), or NULL. */
	void (*help)(FILE *f);
};

/*
 * Options end at the first operand: the program (exec, sh, spawn), tool
 * or provider operation (ext) named there owns every later word. Other
 * commands take options before, between and after their operands.
 */
#define CLI_IN_ORDER 1u

#define CLI_MAX_OPTS 24

/* What cli_parse_next returns besides an option's key. */
enum {
	CLI_END = 0,   /* options done: operands in p->operands */
	CLI_HELP = -1, /* -h/--help: the command's help went to stdout */
	CLI_BAD = -2   /* a usage error, already printed */
};

struct cli_parse {
	struct wsp_cli *cli;
	const struct cli_cmd *cmd;
	int argc;
	char **argv;
	const char *value;  /* the value of the option just returned */
	char **operands;    /* at CLI_END: the words that are not options */
	int n_operands;
	int help;	    /* -h or --help before the operands' end */
	int n_opts, n_longs;
	const struct cli_opt *by_index[CLI_MAX_OPTS * 2];
	struct option longs[CLI_MAX_OPTS * 2 + 1];
	char shorts[CLI_MAX_OPTS * 4];
};

/*
 * Start reading argv (argv[0] the command's own word) for cmd. The
 * array's slots are reused to hold the operands in order.
 */
void cli_parse_begin(struct cli_parse *p, struct wsp_cli *cli,
		     const struct cli_cmd *cmd, int argc, char **argv);

/*
 * The next option's key (its value in p->value), or CLI_END, CLI_HELP,
 * CLI_BAD. Global options are applied to the struct wsp_cli on the way.
 */
int cli_parse_next(struct cli_parse *p);

/*
 * Parse a command that has no options of its own: CLI_END with the
 * operands set, or CLI_HELP / CLI_BAD.
 */
int cli_parse_all(struct cli_parse *p, struct wsp_cli *cli,
		  const struct cli_cmd *cmd, int argc, char **argv);

/*
 * The exit status of a parse that stopped before its operands (k is
 * CLI_HELP or CLI_BAD): the help asked for is success, anything else a
 * usage error, already reported.
 */
int cli_parse_exit(int k);

/* cmd's --help: its usage text, "options:" from its table, the rest. */
void cli_help(FILE *f, const struct cli_cmd *cmd);

/* The option lines of a table, as cli_help prints them. */
void cli_help_options(FILE *f, const struct cli_opt *opts);

/* The global options (wsp --help lists them). */
extern const struct cli_opt cli_global_opts[];

/*
 * Apply global option key (a CLI_G_* or 'v') with its value, found on the
 * line of command cmd (NULL: before any): 0, or -1 after a message
 * (a log file that cannot be opened). cli/main.c has it: the parser only
 * reads, the program acts.
 */
int cli_global_option(struct wsp_cli *cli, const char *cmd, int key,
		      const char *value);

#endif /* WSP_CLI_OPTS_H */
