/*
 * sdk/fakehost/fakehost_impl.h - what the fake host's files share.
 *
 * fakehost.c       scratch directory, harness, options, init
 * fakehost_log.c   the recorded log and secret detection
 * fakehost_call.c  call contexts a test cancels or expires
 */
#ifndef WSP_FAKEHOST_IMPL_H
#define WSP_FAKEHOST_IMPL_H

#include <wsp/fakehost.h>

#include <pthread.h>

struct fh_line {
	int level;
	char *text;
};

struct fh_call {
	wsp_call call; /* first: tests get &call */
	wsp_cancel *cancel;
	struct fh_call *next;
};

struct wsp_fakehost {
	const wsp_plugin_desc *desc;
	wsp_host_harness *harness;
	char dir[4096];
	int options_set;

	pthread_mutex_t lock; /* guards everything below */
	struct fh_line *lines;
	size_t n_lines, cap_lines;
	char **secrets;       /* declared by the test, NULL-ended */
	size_t n_secrets;
	size_t leaks;
	wsp_fakehost_leak_fn on_leak;
	void *leak_payload;
	int echo;

	struct fh_call *calls;
};

/* The harness's log function (payload = the fake host). */
void wsp__fakehost_log(int level, const char *line, void *payload);
void wsp__fakehost_log_fini(wsp_fakehost *fh);
void wsp__fakehost_calls_fini(wsp_fakehost *fh);

#endif /* WSP_FAKEHOST_IMPL_H */
