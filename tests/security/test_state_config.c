/*
 * tests/security/test_state_config.c - the state directory cannot lie
 * where the sandbox writes (finding 5 of the security review): inside the
 * working directory or a `read_write_paths` entry, or around one, also
 * when a symlink or ".." hides it. Each refusal says why; a state
 * directory beside the working directory still works. As root and as an
 * unprivileged user, through the real CLI.
 */
#include "cu_main.h"
#include "isolation_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct iso t;

static int suite_init(void)
{
	char path[400];

	if (iso_setup(&t, "none", NULL))
		return -1;
	snprintf(path, sizeof(path), "%s/shared", t.dir);
	if (mkdir(path, 0755) < 0)
		return -1;
	/* a link into the working directory, from outside it */
	snprintf(path, sizeof(path), "%s/to-ws", t.dir);
	return symlink("ws", path);
}

static int suite_clean(void)
{
	iso_teardown(&t);
	return 0;
}

/* Rewrite the configuration with this state_dir (relative to t.dir). */
static void configure(const char *state_dir)
{
	FILE *f = fopen(t.config, "w");

	CU_ASSERT_FATAL(f != NULL);
	fprintf(f,
		"sandbox:\n"
		"  provider: local\n"
		"  id: state-%d\n"
		"  options:\n"
		"    isolation: none\n"
		"    working_dir: ./ws\n"
		"    read_write_paths: [./shared]\n"
		"    state_dir: %s\n",
		(int)getpid(), state_dir);
	CU_ASSERT_FATAL(fclose(f) == 0);
}

static int exists(const char *rel)
{
	char path[600];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", t.dir, rel);
	return lstat(path, &st) == 0;
}

/*
 * `wsp sandbox start` with this state_dir fails with a message holding
 * each of the words, and makes nothing at made (relative to t.dir,
 * when not NULL).
 */
static void refused(const char *state_dir, const char *made,
		    const char *word1, const char *word2)
{
	configure(state_dir);
	CU_ASSERT_NOT_EQUAL(
		iso_wsp(&t, (const char *const[]){ "sandbox", "start", NULL }),
		0);
	if (!strstr(t.err, word1) || !strstr(t.err, word2))
		fprintf(stderr, "\nwant '%s' and '%s' in: %s\n", word1, word2,
			t.err);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.err, word1));
	CU_ASSERT_PTR_NOT_NULL(strstr(t.err, word2));
	CU_ASSERT_PTR_NOT_NULL(strstr(t.err, "forge"));
	CU_ASSERT_FALSE(made && exists(made));
	/* any command reads the configuration the same way */
	CU_ASSERT_NOT_EQUAL(
		iso_wsp(&t, (const char *const[]){ "ps", NULL }), 0);
	CU_ASSERT_FALSE(made && exists(made));
}

static void test_inside_workdir(void)
{
	refused("./ws/.wsp-state", "ws/.wsp-state", "is inside",
		"the working directory");
}

static void test_workdir_itself(void)
{
	refused("./ws", NULL, "is inside", "the working directory");
}

static void test_through_symlink(void)
{
	refused("./to-ws/state", "ws/state", "is inside",
		"the working directory");
}

/* ".." after a directory that does not exist yet: mkdir -p's path. */
static void test_through_dotdot(void)
{
	refused("./not-yet/../ws/state", "ws/state", "is inside",
		"the working directory");
	refused("./ws/x/y/../../.", "ws/x", "is inside",
		"the working directory");
}

static void test_through_symlink_and_dotdot(void)
{
	/* to-ws/sub/../.. is t.dir: the parent of the link's target */
	refused("./to-ws/sub/../../ws/s", "ws/s", "is inside",
		"the working directory");
}

static void test_contains_workdir(void)
{
	refused(".", NULL, "contains", "the working directory");
}

static void test_inside_read_write_path(void)
{
	refused("./shared/state", "shared/state", "is inside",
		"a read_write_paths entry");
}

/*
 * No state_dir: the default ($XDG_STATE_HOME/wsp/sandboxes/<id>) inside
 * the working directory is refused the same, and the message says it is
 * the default.
 */
static void test_default_inside_workdir(void)
{
	char xdg[400], *saved = getenv("XDG_STATE_HOME");
	FILE *f;

	saved = saved ? strdup(saved) : NULL;
	snprintf(xdg, sizeof(xdg), "%s/ws/.state", t.dir);
	setenv("XDG_STATE_HOME", xdg, 1);
	f = fopen(t.config, "w");
	CU_ASSERT_FATAL(f != NULL);
	fprintf(f, "sandbox:\n  provider: local\n  options:\n"
		   "    isolation: none\n    working_dir: ./ws\n");
	CU_ASSERT_FATAL(fclose(f) == 0);
	CU_ASSERT_NOT_EQUAL(
		iso_wsp(&t, (const char *const[]){ "sandbox", "start", NULL }),
		0);
	CU_ASSERT_PTR_NOT_NULL(strstr(
		t.err, "the default state directory is inside the working "
		       "directory"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t.err, "set the option 'state_dir'"));
	/* the core makes $XDG_STATE_HOME/wsp; the sandbox makes nothing */
	CU_ASSERT_FALSE(exists("ws/.state/wsp/sandboxes"));
	if (saved)
		setenv("XDG_STATE_HOME", saved, 1);
	else
		unsetenv("XDG_STATE_HOME");
	free(saved);
}

/* The control: beside the working directory it is fine. */
static void test_outside_accepted(void)
{
	configure("./state-ok");
	CU_ASSERT_EQUAL(
		iso_wsp(&t, (const char *const[]){ "sandbox", "start", NULL }),
		0);
	CU_ASSERT_TRUE(exists("state-ok"));
	CU_ASSERT_EQUAL(iso_wsp(&t, (const char *const[]){ "ps", NULL }), 0);
}

static CU_TestInfo tests[] = {
	{ "state_dir inside the working directory is refused",
	  test_inside_workdir },
	{ "state_dir equal to the working directory is refused",
	  test_workdir_itself },
	{ "state_dir reaching the working directory through a symlink is "
	  "refused",
	  test_through_symlink },
	{ "state_dir reaching it through '..' is refused",
	  test_through_dotdot },
	{ "state_dir through a symlink and '..' is refused",
	  test_through_symlink_and_dotdot },
	{ "state_dir containing the working directory is refused",
	  test_contains_workdir },
	{ "state_dir inside a read_write_paths entry is refused",
	  test_inside_read_write_path },
	{ "the default state directory inside the working directory is "
	  "refused",
	  test_default_inside_workdir },
	{ "state_dir beside the working directory works",
	  test_outside_accepted },
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("security: where the state directory may be", suite_init,
	      suite_clean, tests)
