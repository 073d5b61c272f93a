/*
 * util/utf8seq.h - the one reader of UTF-8 sequences wsp checks text with:
 * the core's cleaning of what goes back to an MCP client or into an
 * embedding request (core/utf8.c), the CLI's JSON output of command bytes
 * (cli/json_bytes.c), GCS's object name check (plugins/fs-gcs/gcstext.c)
 * and the file tools' binary test (toolkit/tool_files.c). Fuzzed by
 * tests/fuzz/fuzz_utf8.c, tested by tests/shared/test_utf8.c. Named
 * utf8seq.h, not utf8.h: the core's own core/utf8.h (the cleaning built
 * on this) is found by the same quoted includes.
 */
#ifndef WSP_UTIL_UTF8SEQ_H
#define WSP_UTIL_UTF8SEQ_H

#include <stddef.h>

/*
 * Length, 1 to 4, of the valid UTF-8 sequence at s, of which n bytes
 * may be read; 0 when no valid sequence starts there (n == 0 too). Only
 * the bytes of that one sequence are read.
 *
 * Valid, and nothing else (RFC 3629 section 4):
 *   00..7F                      U+0000..U+007F
 *   C2..DF 80..BF               U+0080..U+07FF
 *   E0 A0..BF 80..BF            U+0800..U+0FFF
 *   E1..EC 80..BF 80..BF        U+1000..U+CFFF
 *   ED 80..9F 80..BF            U+D000..U+D7FF
 *   EE..EF 80..BF 80..BF        U+E000..U+FFFF
 *   F0 90..BF 80..BF 80..BF     U+10000..U+3FFFF
 *   F1..F3 80..BF 80..BF 80..BF U+40000..U+FFFFF
 *   F4 80..8F 80..BF 80..BF     U+100000..U+10FFFF
 * so refused: a lone continuation byte (80..BF), the leads C0, C1 and
 * F5..FF, overlong forms (E0 80..9F, F0 80..8F), the surrogates
 * U+D800..U+DFFF (ED A0..BF), anything past U+10FFFF (F4 90..BF), and a
 * sequence that n cuts short.
 *
 * NUL (00) is valid UTF-8, a sequence of 1: a caller for which it ends
 * or spoils the text (a C string, a file name) checks for it itself.
 */
size_t utf8_seq_len(const unsigned char *s, size_t n);

/*
 * The length, 1 to 4, a sequence starting with byte c has if it is
 * valid: 1 for 00..7F, 2 for C2..DF, 3 for E0..EF, 4 for F0..F4; 0 for a
 * byte that starts none (a continuation byte, C0, C1, F5..FF). Only c
 * is looked at, so a sequence with this lead may still be invalid
 * (utf8_seq_len() says): this is for finding where a character that is
 * still arriving ends.
 */
size_t utf8_lead_len(unsigned char c);

/* Whether c is a continuation byte (80..BF), never the first of a sequence. */
static inline int utf8_is_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

#endif
