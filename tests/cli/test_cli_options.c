/*
 * tests/cli/test_cli_options.c - every command reads its options the same
 * way (issue 19, item 2): the test walks every command `wsp --help` lists
 * (and every `wsp fs` subcommand), takes each option from the command's
 * own --help, as the completion and the man pages do, and checks the
 * one grammar on all of them: a missing value, a value given to a flag,
 * an unknown option and a global option after the command each give one
 * message naming the command and the usage status; --help and -h agree.
 * Then the forms a value may take (--opt=VALUE, --opt VALUE, -x VALUE,
 * -xVALUE) are checked to mean the same on each command that has one,
 * and "--" to end the options.
 */
#include "cli_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NAMES 64

/* Words split out of a help text; the strings point into a copy. */
struct names {
	char text[1 << 16];
	const char *v[MAX_NAMES];
	int n;
};

/* The commands of `wsp --help`, then "fs SUB" for each fs subcommand. */
static void commands(struct names *c)
{
	char *line, *save = NULL;
	int in = 0;

	c->n = 0;
	CU_ASSERT_EQUAL_FATAL(cli_run("--help"), 0);
	snprintf(c->text, sizeof(c->text), "%s", cli_out);
	for (line = strtok_r(c->text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strcmp(line, "commands:")) {
			in = 1;
		} else if (in && !strncmp(line, "  ", 2) && line[2] != ' ' &&
			   c->n < MAX_NAMES) {
			line[2 + strcspn(line + 2, " ")] = '\0';
			c->v[c->n++] = line + 2;
		} else if (in && strncmp(line, "  ", 2)) {
			in = 0;
		}
	}
}

/* One option as a command's --help defines it ("  -s, --signal SIG"). */
struct opt {
	char shrt;	/* 0: none */
	char name[40];	/* "" : short only */
	int valued;
};

/* The options of `wsp CMD --help`: the lines under "options:". */
static int options_of(const char *cmd, struct opt *o, int cap)
{
	static char help[sizeof(cli_out)];
	char *line, *save = NULL, *p;
	int n = 0, in = 0;

	if (cli_run("%s --help", cmd) != 0)
		return -1;
	snprintf(help, sizeof(help), "%s", cli_out);
	for (line = strtok_r(help, "\n", &save); line && n < cap;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strcmp(line, "options:")) {
			in = 1;
			continue;
		}
		if (!in || strncmp(line, "  -", 3)) {
			in = in && !strncmp(line, "  ", 2);
			continue;
		}
		memset(&o[n], 0, sizeof(o[n]));
		p = line + 2;
		if (p[1] != '-') {
			o[n].shrt = p[1];
			p += 2;
			if (!strncmp(p, ", ", 2))
				p += 2;
		}
		if (!strncmp(p, "--", 2)) {
			size_t k = strcspn(p + 2, " ");

			snprintf(o[n].name, sizeof(o[n].name), "%.*s", (int)k,
				 p + 2);
			p += 2 + k;
		}
		/* a placeholder (one space, then capitals) follows a valued one */
		o[n].valued = p[0] == ' ' && p[1] != ' ';
		n++;
	}
	return n;
}

/* exec and sh keep 125 for their own failures (as env(1)); others 2. */
static int usage_status(const char *cmd)
{
	return !strcmp(cmd, "exec") || !strcmp(cmd, "sh") ? 125 : 2;
}

/* stderr names the command: "wsp CMD: <what>". */
static void expect_usage(const char *cmd, int rc, const char *what)
{
	char want[256];

	snprintf(want, sizeof(want), "wsp %s: %s", cmd, what);
	CU_ASSERT_EQUAL(rc, usage_status(cmd));
	if (!strstr(cli_err, want)) {
		fprintf(stderr, "\n  `wsp %s`: wanted \"%s\", got: %s", cmd,
			want, cli_err);
		CU_FAIL("the usage error does not say it");
	}
}

static void check_command(const char *cmd)
{
	struct opt o[32];
	char what[128], help[sizeof(cli_out)];
	int n, i, rc;

	n = options_of(cmd, o, 32);
	CU_ASSERT_FATAL(n >= 0);
	snprintf(help, sizeof(help), "%s", cli_out);
	/* -h is --help */
	CU_ASSERT_EQUAL(cli_run("%s -h", cmd), 0);
	CU_ASSERT_STRING_EQUAL(cli_out, help);

	rc = cli_run("%s --no-such-option", cmd);
	expect_usage(cmd, rc, "unknown option '--no-such-option'");
	/* a global option after the command: the same grammar */
	rc = cli_run("%s --config", cmd);
	expect_usage(cmd, rc, "option '--config' needs a value");

	for (i = 0; i < n; i++) {
		if (o[i].valued && o[i].name[0]) {
			rc = cli_run("%s --%s", cmd, o[i].name);
			snprintf(what, sizeof(what),
				 "option '--%s' needs a value", o[i].name);
			expect_usage(cmd, rc, what);
		}
		if (o[i].valued && o[i].shrt) {
			rc = cli_run("%s -%c", cmd, o[i].shrt);
			snprintf(what, sizeof(what),
				 "option '-%c' needs a value", o[i].shrt);
			expect_usage(cmd, rc, what);
		}
		if (!o[i].valued && o[i].name[0]) {
			rc = cli_run("%s --%s=1", cmd, o[i].name);
			snprintf(what, sizeof(what),
				 "option '--%s' takes no value", o[i].name);
			expect_usage(cmd, rc, what);
		}
	}
}

static void test_every_command(void)
{
	static struct names c;
	int i, n_fs = 0;

	commands(&c);
	CU_ASSERT_FATAL(c.n >= 19);
	for (i = 0; i < c.n; i++)
		check_command(c.v[i]);
	/* fs: each subcommand has options of its own */
	{
		static const char *const subs[] = {
			"fs ls", "fs cat", "fs put", "fs append", "fs get",
			"fs rm", "fs rmdir", "fs mkdir", "fs stat", "fs cp",
			"fs mv"};
		size_t k;

		for (k = 0; k < sizeof(subs) / sizeof(subs[0]); k++, n_fs++)
			check_command(subs[k]);
	}
	CU_ASSERT_EQUAL(n_fs, 11);
}

/*
 * A value in each form it may take, per command: the command's own check
 * of the value answers the same whichever form carried it.
 */
static const struct form {
	const char *cmd;
	const char *forms[4]; /* NULL-ended; each followed by the value */
	const char *bad;
	const char *error;
} forms[] = {
	{"exec", {"--timeout=", "--timeout ", NULL}, "soon",
	 "invalid duration 'soon'"},
	{"sh", {"--isolation=", "--isolation ", NULL}, "docker",
	 "unknown isolation 'docker'"},
	{"spawn", {"--log-limit=", "--log-limit ", NULL}, "0",
	 "invalid size '0'"},
	{"spawn", {"--env=", "--env ", NULL}, "NOEQUALS",
	 "'--env NOEQUALS' is not NAME=VALUE"},
	{"logs", {"--tail=", "--tail ", NULL}, "many",
	 "invalid line count 'many'"},
	{"kill", {"--signal=", "--signal ", "-s ", "-s"}, "FROB",
	 "unknown signal 'FROB'"},
	{"search", {"--top-k=", "--top-k ", "-k ", "-k"}, "0",
	 "-k wants a number from 1 to 100, not '0'"},
	{"search", {"--mode=", "--mode ", NULL}, "fuzzy",
	 "--mode wants bm25, vector or hybrid, not 'fuzzy'"},
	{"fs ls", {"--ext=", "--ext ", NULL}, "''",
	 "--ext needs an extension"},
};

static void test_value_forms(void)
{
	char opt[64];
	size_t i, k;
	int rc;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		for (k = 0; k < 4 && forms[i].forms[k]; k++) {
			snprintf(opt, sizeof(opt), "%s%s", forms[i].forms[k],
				 forms[i].bad);
			/* before and after an operand alike (exec: before) */
			rc = cli_run("%s %s x", forms[i].cmd, opt);
			expect_usage(forms[i].cmd, rc, forms[i].error);
		}
	}
	/* and a good value means the same in each form */
	CU_ASSERT_EQUAL(cli_run("fs mkdir -p sub/deeper"), 0);
	CU_ASSERT_EQUAL(cli_run("exec -- mkdir -p sub"), 0);
	CU_ASSERT_EQUAL(cli_run("exec --cwd=sub -- pwd"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_out, "/sub\n"));
	CU_ASSERT_EQUAL(cli_run("exec --cwd sub -- pwd"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_out, "/sub\n"));
	CU_ASSERT_EQUAL(cli_run("sh --env=A=1 --env B=2 'echo $A$B'"), 0);
	CU_ASSERT_STRING_EQUAL(cli_out, "12\n");
	/* the global options too, either form, after the command */
	CU_ASSERT_EQUAL(cli_run("version --config=missing.yaml"), 0);
	CU_ASSERT_EQUAL(cli_run("fs ls --config=missing.yaml /"), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_err, "missing.yaml"));
	CU_ASSERT_EQUAL(cli_run("fs ls --config missing.yaml /"), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_err, "missing.yaml"));
}

static void test_options_anywhere(void)
{
	/* between and after the operands of a command that runs nothing */
	CU_ASSERT_EQUAL(cli_run("fs ls sub -R --json"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_out, "\"path\":\"deeper\""));
	CU_ASSERT_EQUAL(cli_run("fs ls -lR sub"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_out, " deeper/\n"));
	/* "--" ends them: what follows is an operand, even with a '-' */
	CU_ASSERT_EQUAL(cli_run("fs stat -- -R"), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_err, "-R"));
	CU_ASSERT_EQUAL(cli_run("ps -- --json"), 1);
	CU_ASSERT_EQUAL(cli_run("kill -- --frob"), 1);
	/* a program's words stay its own, options or not */
	/* a unique prefix is the option, as getopt_long has it */
	CU_ASSERT_EQUAL(cli_run("exec --cw=sub -- pwd"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_out, "/sub\n"));
	CU_ASSERT_EQUAL(cli_run("exec --st -- true"), 125);
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_err, "wsp exec: option '--st' is "
					       "ambiguous"));
	CU_ASSERT_EQUAL(cli_run("exec -- echo --cwd=x -k"), 0);
	CU_ASSERT_STRING_EQUAL(cli_out, "--cwd=x -k\n");
	CU_ASSERT_EQUAL(cli_run("exec echo x --help"), 0);
	CU_ASSERT_STRING_EQUAL(cli_out, "x --help\n");
	/* an unknown short option, a flag given a value: named as typed */
	expect_usage("fs rm", cli_run("fs rm -rZ x"), "unknown option '-Z'");
	expect_usage("spawn", cli_run("spawn -Z x"), "unknown option '-Z'");
	expect_usage("ps", cli_run("ps --verbose=2"),
		     "option '--verbose' takes no value");
	/* help wins over what else is wrong, before the operands end */
	CU_ASSERT_EQUAL(cli_run("fs rm -z -h"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_out, "usage: wsp fs rm"));
	CU_ASSERT_EQUAL(cli_run("kill --frob --help"), 0);
}

static CU_TestInfo tests[] = {
	{"every command, one option grammar", test_every_command},
	{"--opt=VALUE, --opt VALUE, -x VALUE, -xVALUE", test_value_forms},
	{"options anywhere, '--' ends them", test_options_anywhere},
	CU_TEST_INFO_NULL,
};

int main(void)
{
	return cli_main("wsp options: one grammar for every command", tests);
}
