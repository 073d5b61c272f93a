/*
 * tests/fuzz/fuzz_blevent.c - the Blaxel provider's reader of a streamed
 * exec's NDJSON events (plugins/sandbox-blaxel/ndjson.c, compiled in: the
 * plugin links nothing of the core). The core cuts the stream into lines
 * (fuzz_frames); each line then reaches this code.
 *
 * The input is one line. Checked besides crashes, leaks and UB: the kind
 * is a known one; output and error text only with their kinds, of the
 * length stated and NUL-terminated; a result only with an object parsed,
 * its exit code -1..255, a signal only for killed (9) or stopped (15)
 * with exit code -1; the log keepalive never passes as output.
 */
#include "../../plugins/sandbox-blaxel/ndjson.c"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail_if(int bad)
{
	if (bad)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bl_event ev;
	enum bl_ev_kind k = bl_event_parse(&ev, (const char *)data, size);

	fail_if(k != ev.kind || k > BL_EV_OTHER);
	if (k == BL_EV_STDOUT || k == BL_EV_STDERR || k == BL_EV_ERROR)
		fail_if(ev.data ? strlen(ev.data) != ev.data_len
				: ev.data_len != 0);
	else
		fail_if(ev.data || ev.data_len);
	fail_if(k == BL_EV_STDOUT && ev.data &&
		!strcmp(ev.data, "[keepalive]\n"));
	fail_if((k == BL_EV_RESULT) != cJSON_IsObject(ev.result));
	fail_if(k != BL_EV_RESULT &&
		(ev.status || ev.out || ev.err || ev.term_signal ||
		 ev.exit_code != -1));
	fail_if(ev.exit_code < -1 || ev.exit_code > 255);
	fail_if(ev.term_signal &&
		(ev.exit_code != -1 ||
		 (ev.term_signal != 9 && ev.term_signal != 15)));
	fail_if(ev.term_signal == 9 && strcmp(ev.status, "killed"));
	fail_if(ev.term_signal == 15 && strcmp(ev.status, "stopped"));
	if (ev.out)
		fail_if(strlen(ev.out) > size);
	bl_event_free(&ev);
	return 0;
}
