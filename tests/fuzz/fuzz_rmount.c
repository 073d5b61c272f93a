/*
 * tests/fuzz/fuzz_rmount.c - how a remote sandbox's mount reads what its
 * script printed (plugins/shared/remote_mount.c, compiled in with
 * remote.c): the last "wsp-mount:WORD" of stdout and the last line of
 * stderr, both written by whatever runs in the sandbox.
 *
 * First byte even: the rest is stdout; odd: stderr. Checked besides
 * crashes and UB: the word is lower-case letters only and terminated
 * within its buffer, and the complaint is printable and terminated
 * within its buffer, with no line break.
 */
#include "../../plugins/shared/remote.c"
#include "../../plugins/shared/rclone_conf.c"
#include "../../plugins/shared/remote_mount.c"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail_if(int bad)
{
	if (bad)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct said s;
	char *copy;
	size_t n;

	if (size < 1)
		return 0;
	/* exactly the bytes, no terminator: the reader must not need one */
	copy = malloc(size - 1 ? size - 1 : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, size - 1);
	memset(&s, 0, sizeof(s));
	if (data[0] & 1)
		last_line(s.why, sizeof(s.why), copy, size - 1);
	else
		take_word(&s, copy, size - 1);
	n = strnlen(s.word, sizeof(s.word));
	fail_if(n >= sizeof(s.word));
	for (size_t i = 0; i < n; i++)
		fail_if(s.word[i] < 'a' || s.word[i] > 'z');
	n = strnlen(s.why, sizeof(s.why));
	fail_if(n >= sizeof(s.why));
	for (size_t i = 0; i < n; i++)
		fail_if(s.why[i] < 0x20 || s.why[i] >= 0x7f);
	free(copy);
	return 0;
}
