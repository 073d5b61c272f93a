/*
 * core/utf8.h - UTF-8 checked and cleaned (never installed).
 */
#ifndef WSP_CORE_UTF8_H
#define WSP_CORE_UTF8_H

#include "internal.h"

#include <stddef.h>

/*
 * Copy of s (len bytes) as valid UTF-8: each invalid byte becomes U+FFFD,
 * NUL bytes too (so the text survives as a C string). malloc'd.
 */
WSP_INTERNAL char *wsp__utf8_clean(const char *s, size_t len);

/* 1 when the C string s is valid UTF-8 (what is echoed must be). */
WSP_INTERNAL int wsp__utf8_valid(const char *s);

#endif /* WSP_CORE_UTF8_H */
