/*
 * tests/fuzz/fuzz_cliopts.c - the CLI's option parser (cli/opts.c,
 * compiled in): getopt_long under a command's table, the global options
 * among the command's own, "--", the help scan, the operands gathered in
 * order.
 *
 * First byte: bit 0 picks the command (options end at the first operand,
 * or go anywhere); the rest is the command line, words split at NUL bytes
 * (at most 63). Checked besides crashes and UB: every key handed back is
 * one of the command's own, with a value exactly when it takes one, that
 * value inside one of the words; the parse hands back at most one key a
 * byte of the line; the operands are words of the line, each once, in their order
 * (for an in-order command, the line's last words unchanged), and end in
 * NULL.
 */
#include "../../cli/opts.c"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_WORDS 64

static void fail_if(int bad)
{
	if (bad)
		__builtin_trap();
}

/* The parser's messages and the effects of global options: counted only. */
int cli_json_errors;
static int n_usage, n_globals;

int cli_usage(const char *cmd, const char *fmt, ...)
{
	(void)cmd;
	(void)fmt;
	n_usage++;
	return 2;
}

int cli_global_option(struct wsp_cli *cli, const char *cmd, int key,
		      const char *value)
{
	(void)cli;
	(void)cmd;
	fail_if(!is_global(key));
	fail_if((key == CLI_G_CONFIG || key == CLI_G_PLUGIN_PATH ||
		 key == CLI_G_LOG_FILE) != (value != NULL));
	n_globals++;
	return 0;
}

static void no_help(FILE *f)
{
	(void)f;
}

static const struct cli_opt opts[] = {
	{'c', "sh", "STRING", "a valued option with a short form"},
	{'f', "follow", NULL, "a flag with a short form"},
	{'l', NULL, NULL, "a short flag only"},
	{'k', NULL, "N", "a short valued option only"},
	{CLI_LONG, "stdin", NULL, "two flags sharing a prefix"},
	{CLI_LONG + 1, "stream", NULL, "two flags sharing a prefix"},
	{CLI_LONG + 2, "timeout", "DUR", "a long valued option"},
	{CLI_G_JSON, "json", NULL, "a global the command describes"},
	{0, NULL, NULL, NULL},
};

static const struct cli_cmd cmds[2] = {
	{"ordered", "usage\n", opts, NULL, CLI_IN_ORDER, no_help},
	{"anywhere", "usage\n", opts, NULL, 0, no_help},
};

static const struct cli_opt *own(int key)
{
	const struct cli_opt *o;

	for (o = opts; o->key; o++)
		if (o->key == key && key != CLI_G_JSON)
			return o;
	return NULL;
}

/* Index of the word s is inside (pointer into it), or -1. */
static int word_of(char *const *words, const size_t *len, int n,
		   const char *s)
{
	int i;

	for (i = 0; i < n; i++)
		if (s >= words[i] && s <= words[i] + len[i])
			return i;
	return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAX_WORDS + 1], *orig[MAX_WORDS];
	size_t len[MAX_WORDS], at = 1;
	const struct cli_cmd *cmd;
	const struct cli_opt *o;
	struct cli_parse p;
	int argc = 1, k, steps = 0, i, last = 0;
	size_t bound = 0;

	if (size < 1)
		return 0;
	cmd = &cmds[data[0] & 1];
	argv[0] = orig[0] = strdup("cmd");
	len[0] = 3;
	while (at <= size && argc < MAX_WORDS) {
		const uint8_t *end = at < size ? memchr(data + at, 0, size - at)
					       : NULL;
		size_t n = end ? (size_t)(end - (data + at)) : size - at;

		if (at == size)
			break;
		orig[argc] = malloc(n + 1);
		if (!orig[argc])
			break;
		memcpy(orig[argc], data + at, n);
		orig[argc][n] = '\0';
		len[argc] = n;
		argv[argc] = orig[argc];
		argc++;
		at += n + 1;
	}
	argv[argc] = NULL;
	n_usage = n_globals = 0;
	for (i = 0; i < argc; i++)
		bound += len[i] + 1;

	cli_parse_begin(&p, NULL, cmd, argc, argv);
	while ((k = cli_parse_next(&p)) > 0) {
		/* each key is a word, or a letter of a cluster (-lR) */
		fail_if((size_t)++steps > bound);
		o = own(k);
		fail_if(!o);
		fail_if(!o->arg != !p.value);
		fail_if(p.value && word_of(orig, len, argc, p.value) < 1);
	}
	fail_if((k == CLI_BAD) != (n_usage == 1));
	if (k == CLI_END) {
		fail_if(p.n_operands < 0 || p.n_operands > argc - 1);
		fail_if(p.operands[p.n_operands] != NULL);
		for (i = 0; i < p.n_operands; i++) {
			int w = word_of(orig, len, argc, p.operands[i]);

			/* whole words, each once, in the line's order */
			fail_if(w < 1 || p.operands[i] != orig[w] || w <= last);
			last = w;
			if (cmd->flags & CLI_IN_ORDER)
				fail_if(w != argc - p.n_operands + i);
		}
	}
	for (i = 0; i < argc; i++)
		free(orig[i]);
	return 0;
}
