/*
 * tests/sandbox-e2b/e2_env.c - see e2_env.h.
 */
#include "e2_env.h"

#include <stdio.h>
#include <string.h>

const char fake_env_key[] = E2_KEY;

int e2_fake_start(void)
{
	return e2_fake_start_with(NULL);
}

int e2_fake_start_with(const char *const *extra)
{
	const char *argv[8] = {WSP_TEST_E2B_DIR "/fake-e2b.mjs"};

	for (int n = 1; extra && *extra && n < 7; n++)
		argv[n] = *extra++;
	return fake_env_start("wsp-e2b-test", argv);
}

void fake_env_options(char *out, size_t cap, const char *extra, int no_key)
{
	int port = fake_port();

	snprintf(out, cap,
		 "api_url: http://127.0.0.1:%d\n"
		 "sandbox_url: http://127.0.0.1:%d\n%s%s",
		 port, port, no_key ? "" : "api_key: " E2_KEY "\n",
		 extra ? extra : "");
}

void box_kept_id(char *out, size_t cap, struct box *bx)
{
	const wsp_host *h = wsp_fakehost_host(bx->fh);
	char *v = NULL;
	size_t len = 0;

	out[0] = '\0';
	if (!h->state_get(&v, &len, h, bx->args.state, "sandbox-id", NULL)) {
		snprintf(out, cap, "%s", v);
		h->free(h, v);
	}
}

int e2_text_into(uint32_t stream, const void *data, size_t len,
		 void *payload)
{
	struct e2_text *t = payload;
	char *b = stream == WSP_STDOUT ? t->out : t->errs;
	size_t n = strlen(b);

	snprintf(b + n, sizeof(t->out) - n, "%.*s", (int)len,
		 (const char *)data);
	return 0;
}

int e2_suite_start(struct box *bx, const char *id)
{
	wsp_error err = {0};
	uint32_t outcome;

	if (e2_fake_start() || box_open(bx, id, NULL, 0, &err) ||
	    box_vt(bx)->start(&outcome, bx->self, box_call(bx, 30000), 0,
			      &err)) {
		fprintf(stderr, "setup: %s\n", err.message);
		return -1;
	}
	return 0;
}

int e2_suite_stop(struct box *bx)
{
	box_destroy(bx);
	fake_env_stop();
	return 0;
}
