/*
 * tests/cli/test_cli_complete.c - shell completion (issue 18, item 5):
 * `wsp __complete` answers from the command table, the commands' own
 * --help and the workspace (process ids, providers, paths), and the
 * bash, zsh and fish scripts of completions/ show exactly its answer.
 */
#include "cli_run.h"
#include "test_files.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* path holds text (a test's own file). */
static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

/* cli_out as one line, candidates separated by '|' (easier to compare). */
static const char *joined(void)
{
	static char buf[sizeof(cli_out)];
	size_t i;

	snprintf(buf, sizeof(buf), "%s", cli_out);
	for (i = 0; buf[i]; i++)
		if (buf[i] == '\n')
			buf[i] = '|';
	return buf;
}

/* `wsp __complete ARGS` (a shell fragment); the candidates joined. */
static const char *complete(const char *args)
{
	if (cli_run("__complete %s", args) != 0)
		return "(failed)";
	return joined();
}

static void test_commands_and_globals(void)
{
	CU_ASSERT_STRING_EQUAL(complete("ex"), "exec|ext|");
	CU_ASSERT_STRING_EQUAL(complete("ver"), "version|");
	/* every command, none hidden one */
	complete("''");
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_out, "\nfs\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cli_out, "\nrelease\n"));
	CU_ASSERT_PTR_NULL(strstr(cli_out, "__complete"));
	CU_ASSERT_STRING_EQUAL(complete("--c"), "--config|");
	CU_ASSERT_STRING_EQUAL(complete("-v ex"), "exec|ext|");
	/* a global option's value is a local file */
	CU_ASSERT_STRING_EQUAL(complete("--config ''"), ":files|");
	CU_ASSERT_STRING_EQUAL(complete("nosuchcommand ''"), "");
}

static void test_options_and_subcommands(void)
{
	CU_ASSERT_STRING_EQUAL(complete("exec --t"), "--timeout|");
	/* options mentioned in prose are not offered */
	CU_ASSERT_PTR_NULL(strstr(complete("exec --"), "--log-file"));
	CU_ASSERT_PTR_NOT_NULL(strstr(joined(), "--cwd|"));
	/* a subcommand's own options, from its usage line */
	CU_ASSERT_STRING_EQUAL(complete("fs rm -"), "-r|-f|");
	CU_ASSERT_STRING_EQUAL(complete("sandbox destroy -"), "--files|");
	CU_ASSERT_STRING_EQUAL(complete("sandbox st"), "start|stop|status|");
	/* "pause | resume" gives both */
	CU_ASSERT_STRING_EQUAL(complete("sandbox re"), "resume|");
	CU_ASSERT_STRING_EQUAL(complete("config ''"), "check|show|");
	CU_ASSERT_PTR_NOT_NULL(strstr(complete("fs ''"), "rmdir|"));
}

static void test_values(void)
{
	char id[64], want[80];

	/* workspace paths, directories ending in '/', per directory */
	CU_ASSERT_FATAL(mkdir(cli_path("root/docs"), 0755) == 0);
	put_file(cli_path("root/docs/plan.md"), "x");
	put_file(cli_path("root/notes.txt"), "x");
	CU_ASSERT_STRING_EQUAL(complete("fs cat d"), "docs/|");
	CU_ASSERT_STRING_EQUAL(complete("fs cat docs/"), "docs/plan.md|");
	CU_ASSERT_STRING_EQUAL(complete("fs rm /n"), "/notes.txt|");
	/* put LOCAL PATH: first a local file, then a workspace path */
	CU_ASSERT_STRING_EQUAL(complete("fs put ''"), ":files|");
	CU_ASSERT_STRING_EQUAL(complete("fs put x.txt /d"), "/docs/|");
	CU_ASSERT_STRING_EQUAL(complete("fs get /d"), "/docs/|");
	CU_ASSERT_STRING_EQUAL(complete("fs get /notes.txt ''"), ":files|");
	/* providers, as 'plugins info' takes them */
	CU_ASSERT_STRING_EQUAL(complete("plugins info fs-l"), "fs-local|");
	/* background process ids */
	CU_ASSERT_FATAL(cli_spawn(id, sizeof(id), "--no-stdin -- sleep 30") ==
			0);
	snprintf(want, sizeof(want), "%s|", id);
	CU_ASSERT_STRING_EQUAL(complete("kill p-"), want);
	CU_ASSERT_STRING_EQUAL(complete("logs ''"), want);
	CU_ASSERT_EQUAL(cli_run("release %s", id), 0);
	CU_ASSERT_STRING_EQUAL(complete("kill ''"), "");
}

/* Run a shell script in cli_dir with WSP set; its stdout in cli_out. */
static int run_shell(const char *shell, const char *script)
{
	char cmd[8192];
	int st;

	put_file(cli_path("script"), script);
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && WSP='%s' SRC='%s' %s script >out.txt 2>err.txt",
		 cli_dir, WSP_CLI, WSP_COMPLETIONS_DIR, shell);
	st = system(cmd);
	test_read_text(cli_path("out.txt"), cli_out, sizeof(cli_out));
	test_read_text(cli_path("err.txt"), cli_err, sizeof(cli_err));
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_bash(void)
{
	CU_ASSERT_EQUAL(
		run_shell("bash",
			  "source \"$SRC/wsp.bash\"\n"
			  "show() { COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1));\n"
			  "  COMPREPLY=(); _wsp; printf '%s|' \"${COMPREPLY[@]}\";"
			  " echo; }\n"
			  "show \"$WSP\" --config wsp.yaml sandbox st\n"
			  "show \"$WSP\" --config wsp.yaml fs cat d\n"
			  "show \"$WSP\" --config ws\n"),
		0);
	CU_ASSERT_STRING_EQUAL(cli_out, "start|stop|status|\n"
					"docs/|\n"
					"wsp.yaml|\n");
}

static void test_zsh(void)
{
	/* The function's own logic, with zsh's compadd/_files recorded. */
	if (system("command -v zsh >/dev/null") != 0) {
		CU_FAIL("zsh is not installed (scripts/install-deps.sh --test)");
		return;
	}
	CU_ASSERT_EQUAL(
		run_shell("zsh",
			  "compadd() { local a; for a in \"$@\"; do\n"
			  "  [[ $a == -* || -z $a ]] || print -rn -- \"$a|\";"
			  " done }\n"
			  "_files() { print -rn -- ':files|' }\n"
			  "show() { words=(\"$@\"); CURRENT=$#;\n"
			  "  source \"$SRC/_wsp\"; print }\n"
			  "show \"$WSP\" --config wsp.yaml sandbox st\n"
			  "show \"$WSP\" --config wsp.yaml fs cat d\n"
			  "show \"$WSP\" --config ''\n"),
		0);
	CU_ASSERT_STRING_EQUAL(cli_out, "start|stop|status|\n"
					"docs/|\n"
					":files|\n");
}

static void test_fish(void)
{
	if (system("command -v fish >/dev/null") != 0) {
		CU_FAIL("fish is not installed (scripts/install-deps.sh --test)");
		return;
	}
	CU_ASSERT_EQUAL(
		run_shell("fish",
			  "source $SRC/wsp.fish\n"
			  "complete -C \"$WSP --config wsp.yaml sandbox st\"\n"
			  "complete -C \"$WSP --config wsp.yaml fs cat d\"\n"),
		0);
	CU_ASSERT_STRING_EQUAL(cli_out, "start\nstatus\nstop\ndocs/\n");
}

static CU_TestInfo tests[] = {
	{"commands and global options", test_commands_and_globals},
	{"options and subcommands from --help", test_options_and_subcommands},
	{"paths, providers and process ids", test_values},
	{"bash", test_bash},
	{"zsh", test_zsh},
	{"fish", test_fish},
	CU_TEST_INFO_NULL,
};

int main(void)
{
	return cli_main("wsp __complete and the shell completions", tests);
}
