/*
 * cli/cmd_complete.c - `wsp __complete WORD... CURRENT`: the candidates
 * for the word being typed, one a line, for the shell completions in
 * completions/ (bash, zsh, fish), which only pass the words and show the
 * answer: one place knows what completes where.
 *
 * Commands come from the command table, options and subcommands from
 * each command's own --help (run as a child of this wsp), and values
 * from the workspace as `--json` prints them: process ids (`ps`),
 * provider names (`plugins`) and workspace paths (`fs ls`). A last line
 * `:files` asks the shell to complete file names of its own (after
 * --config, `fs put LOCAL`, ...). Nothing here writes or starts
 * anything: a sandbox that is not running has no processes to list.
 */
#include "cli.h"

#include <cjson/cJSON.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>


/* Commands whose first argument is a background process id. */
static const char *const id_commands[] = {"logs", "send", "kill", "release",
					  "ps", NULL};
/* fs subcommands whose arguments are workspace paths (put: LOCAL first). */
static const char *const fs_path_subs[] = {"ls", "cat", "rm", "mkdir",
					   "stat", "cp", "mv", "rmdir",
					   "append", NULL};

struct words {
	char **argv; /* the user's words after "wsp", the current one last */
	int argc;
	const char *globals[12]; /* --config X / --plugin-path X to pass on */
	int n_globals;
	int cmd;      /* index of the command word, or -1 */
	int sub;      /* index of the word after the command, or -1 */
	const char *prev; /* the word before the current one, or NULL */
};

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return 1;
	return 0;
}

static void put_if_prefix(const char *cand, const char *cur)
{
	if (!strncmp(cand, cur, strlen(cur)))
		printf("%s\n", cand);
}

/* Whether w is a global option taking a value (cli_global_opts). */
static int global_valued(const char *w)
{
	const struct cli_opt *o;

	for (o = cli_global_opts; o->key; o++)
		if (o->arg && !strncmp(w, "--", 2) && !strcmp(w + 2, o->name))
			return 1;
	return 0;
}

/* The global options, valued ones first, as cur begins. */
static void put_globals(const char *cur)
{
	const struct cli_opt *o;
	char opt[64];
	int valued;

	for (valued = 1; valued >= 0; valued--)
		for (o = cli_global_opts; o->key; o++) {
			if (!o->arg != !valued)
				continue;
			if (o->key < CLI_LONG) {
				snprintf(opt, sizeof(opt), "-%c", o->key);
				put_if_prefix(opt, cur);
			}
			snprintf(opt, sizeof(opt), "--%s", o->name);
			put_if_prefix(opt, cur);
		}
}

/*
 * The output of this wsp run with the global options the user gave and
 * args (NULL-ended), at most cap-1 bytes; stderr dropped. NULL if it
 * could not run.
 */
static char *run_self(const struct words *w, const char *const *args,
		      size_t cap)
{
	const char *argv[24];
	char *buf;
	size_t len = 0;
	ssize_t n;
	int p[2], n_arg = 0, i, status;
	pid_t pid;

	argv[n_arg++] = "wsp";
	for (i = 0; i < w->n_globals && n_arg < 16; i++)
		argv[n_arg++] = w->globals[i];
	for (; *args && n_arg < 23; args++)
		argv[n_arg++] = *args;
	argv[n_arg] = NULL;
	buf = malloc(cap);
	if (!buf || pipe(p)) {
		free(buf);
		return NULL;
	}
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(p[1], 1);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 2);
		}
		close(p[0]);
		close(p[1]);
		execv("/proc/self/exe", (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	while (pid > 0 && len < cap - 1 &&
	       (n = read(p[0], buf + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	close(p[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	buf[len] = '\0';
	return buf;
}

/*
 * The options a command's --help defines: the words starting with '-'
 * at the head of an indented line ("  --cwd DIR", "  -r, --recursive"),
 * once each. Options only mentioned in prose are not offered.
 */
/* Each "[-x]" / "[--long]" of a usage line; seen/cap as put_options. */
static void put_bracketed(const char *line, const char *cur, char *seen,
			  size_t cap)
{
	const char *p = line;
	char opt[66];

	while ((p = strstr(p, "[-"))) {
		size_t n = strspn(p + 1, "-abcdefghijklmnopqrstuvwxyz"
					 "ABCDEFGHIJKLMNOPQRSTUVWXYZ");

		p++;
		if (n < 2 || n > 63 || (n == 2 && p[1] == '-'))
			continue;
		snprintf(opt, sizeof(opt), "%.*s ", (int)n, p);
		if (!strstr(seen, opt) && strlen(seen) + n + 2 < cap) {
			strcat(seen, opt);
			opt[n] = '\0';
			put_if_prefix(opt, cur);
		}
	}
}

static void put_options(const struct words *w, const char *cmd,
			const char *sub, const char *cur)
{
	const char *args[] = {cmd, "--help", NULL};
	char *help = run_self(w, args, 65536), *line, *save = NULL;
	char seen[8192] = " ", opt[66], pat[128];
	int sub_line = 0;

	/*
	 * A subcommand's own usage line ("wsp fs rm [-r] [-f] PATH") names
	 * its options: then only those. Else the option lines below.
	 */
	snprintf(pat, sizeof(pat), "wsp %s %s ", cmd, sub ? sub : "");
	for (line = help; sub && line && *line;) {
		char *end = line + strcspn(line, "\n"), *br = strstr(line, "[-");

		if ((!strncmp(line, "usage: ", 7) ||
		     !strncmp(line, "   or: ", 7)) &&
		    !strncmp(line + 7, pat, strlen(pat)) && br && br < end)
			sub_line = 1;
		line = *end ? end + 1 : end;
	}
	for (line = help ? strtok_r(help, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *p = line;

		if (strstr(line, "usage:") || strstr(line, "or:")) {
			if (!sub || strstr(line, pat))
				put_bracketed(line, cur, seen, sizeof(seen));
			continue;
		}
		if (*p != ' ' || sub_line)
			continue;
		while (*p == ' ')
			p++;
		while (*p == '-') {
			size_t n = strspn(p, "-abcdefghijklmnopqrstuvwxyz"
					     "ABCDEFGHIJKLMNOPQRSTUVWXYZ");

			if (n < 2 || n > 63 || (n == 2 && p[1] == '-'))
				break;
			snprintf(opt, sizeof(opt), "%.*s ", (int)n, p);
			if (!strstr(seen, opt) &&
			    strlen(seen) + n + 2 < sizeof(seen)) {
				strcat(seen, opt);
				opt[n] = '\0';
				put_if_prefix(opt, cur);
			}
			p += n;
			if (strncmp(p, ", ", 2))
				break;
			p += 2; /* "-r, --recursive" */
		}
	}
	free(help);
}

/* The subcommands of "usage: wsp CMD SUB ..." / "or: wsp CMD SUB" lines. */
static void put_subcommands(const struct words *w, const char *cmd,
			    const char *cur)
{
	const char *args[] = {cmd, "--help", NULL};
	char *help = run_self(w, args, 65536), *line, *save = NULL;
	char pat[64], sub[64], seen[2048] = " ";

	snprintf(pat, sizeof(pat), "wsp %s ", cmd);
	for (line = help ? strtok_r(help, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *at = strstr(line, pat), *s;
		size_t n = 0;

		if (!at || (strncmp(line, "usage:", 6) && !strstr(line, "or:")))
			continue;
		/* "pause | resume": each of the alternatives */
		for (s = at + strlen(pat);; s += n) {
			n = strspn(s, "abcdefghijklmnopqrstuvwxyz-");
			if (!n || n > sizeof(sub) - 2)
				break;
			snprintf(sub, sizeof(sub), "%.*s ", (int)n, s);
			if (!strstr(seen, sub) &&
			    strlen(seen) + n + 2 < sizeof(seen)) {
				strcat(seen, sub);
				sub[n] = '\0';
				put_if_prefix(sub, cur);
			}
			if (strncmp(s + n, " | ", 3))
				break;
			n += 3;
		}
	}
	free(help);
}

/* Each string value of key in the JSON array out (or out.key_list). */
static void put_json_names(char *out, const char *list, const char *key,
			   const char *cur)
{
	cJSON *j = out ? cJSON_Parse(out) : NULL, *arr = j, *e;

	if (list)
		arr = cJSON_GetObjectItemCaseSensitive(j, list);
	cJSON_ArrayForEach(e, arr)
	{
		const char *v = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(e, key));

		if (v)
			put_if_prefix(v, cur);
	}
	cJSON_Delete(j);
}

static void put_process_ids(const struct words *w, const char *cur)
{
	const char *args[] = {"--json", "ps", NULL};
	char *out = run_self(w, args, 1 << 20);

	put_json_names(out, NULL, "id", cur);
	free(out);
}

static void put_providers(const struct words *w, const char *cur)
{
	const char *args[] = {"--json", "plugins", NULL};
	char *out = run_self(w, args, 1 << 20);
	cJSON *j = out ? cJSON_Parse(out) : NULL, *e;

	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(j, "plugins"))
	{
		const char *k = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(e, "kind"));
		const char *n = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(e, "name"));
		char kn[160];

		if (!k || !n)
			continue;
		snprintf(kn, sizeof(kn), "%s-%s", k, n);
		put_if_prefix(kn, cur);
	}
	cJSON_Delete(j);
	free(out);
}

/* Entries of the workspace directory cur is in; directories end in '/'. */
static void put_paths(const struct words *w, const char *cur)
{
	const char *slash = strrchr(cur, '/');
	char dir[4096], cand[8192];
	const char *args[] = {"--json", "fs", "ls", dir, NULL};
	cJSON *j, *e;
	char *out;

	if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - cur + 1), cur);
	else
		snprintf(dir, sizeof(dir), "/");
	out = run_self(w, args, 4 << 20);
	j = out ? cJSON_Parse(out) : NULL;
	cJSON_ArrayForEach(e, j)
	{
		const char *name = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(e, "name"));
		const char *type = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(e, "type"));

		if (!name)
			continue;
		snprintf(cand, sizeof(cand), "%s%s%s", slash ? dir : "", name,
			 type && !strcmp(type, "directory") ? "/" : "");
		put_if_prefix(cand, cur);
	}
	cJSON_Delete(j);
	free(out);
}

/* Split the words: globals (kept to pass on), the command, what follows. */
static void read_words(struct words *w, int argc, char **argv)
{
	int i;

	memset(w, 0, sizeof(*w));
	w->argv = argv;
	w->argc = argc;
	w->cmd = w->sub = -1;
	for (i = 0; i < argc - 1; i++) {
		if (w->cmd < 0 && global_valued(argv[i])) {
			if (strcmp(argv[i], "--log-file") && i + 1 < argc - 1 &&
			    w->n_globals < 8) {
				w->globals[w->n_globals++] = argv[i];
				w->globals[w->n_globals++] = argv[i + 1];
			}
			i++;
		} else if (w->cmd < 0 && argv[i][0] == '-') {
			continue;
		} else if (w->cmd < 0) {
			w->cmd = i;
		} else if (w->sub < 0 && argv[i][0] != '-') {
			w->sub = i;
		}
	}
	w->prev = argc >= 2 ? argv[argc - 2] : NULL;
}

int cmd_complete(struct wsp_cli *cli, int argc, char **argv)
{
	const char *cur, *cmd, *sub;
	struct words w;
	size_t c;

	/* argv[0] is "__complete"; the current word is last (maybe ""). */
	if (argc < 2)
		return WSP_EXIT_USAGE;
	read_words(&w, argc - 1, argv + 1);
	/* what main() read before "__complete" goes on too */
	if (cli->config_path && w.n_globals < 11) {
		w.globals[w.n_globals++] = "--config";
		w.globals[w.n_globals++] = cli->config_path;
	}
	if (cli->plugin_path && w.n_globals < 11) {
		w.globals[w.n_globals++] = "--plugin-path";
		w.globals[w.n_globals++] = cli->plugin_path;
	}
	cur = w.argv[w.argc - 1];
	if (w.prev && global_valued(w.prev) &&
	    (w.cmd < 0 || w.cmd > w.argc - 2)) {
		puts(":files");
		return WSP_EXIT_OK;
	}
	if (w.cmd < 0) {
		if (cur[0] == '-') {
			put_globals(cur);
			return WSP_EXIT_OK;
		}
		for (c = 0; cli_command_name(c); c++)
			put_if_prefix(cli_command_name(c), cur);
		return WSP_EXIT_OK;
	}
	cmd = w.argv[w.cmd];
	sub = w.sub >= 0 ? w.argv[w.sub] : NULL;
	if (cur[0] == '-') {
		put_options(&w, cmd, sub, cur);
		return WSP_EXIT_OK;
	}
	if (in_list(cmd, id_commands) && !sub) {
		put_process_ids(&w, cur);
	} else if (!strcmp(cmd, "fs") && !sub) {
		put_subcommands(&w, cmd, cur);
	} else if (!strcmp(cmd, "fs") && in_list(sub, fs_path_subs)) {
		put_paths(&w, cur);
	} else if (!strcmp(cmd, "fs") &&
		   (!strcmp(sub, "put") || !strcmp(sub, "get"))) {
		/* put LOCAL PATH, get PATH LOCAL */
		int first = w.argc - 1 == w.sub + 1;
		int put = !strcmp(sub, "put");

		if (put == first)
			puts(":files");
		else
			put_paths(&w, cur);
	} else if ((!strcmp(cmd, "plugins") && sub && !strcmp(sub, "info"))) {
		put_providers(&w, cur);
	} else if (!sub && (!strcmp(cmd, "plugins") ||
			    !strcmp(cmd, "config") ||
			    !strcmp(cmd, "sandbox"))) {
		put_subcommands(&w, cmd, cur);
	} else if (!strcmp(cmd, "config") && sub && !strcmp(sub, "check")) {
		puts(":files");
	}
	return WSP_EXIT_OK;
}
