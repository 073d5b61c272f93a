/*
 * tests/abi/frozen_layout.c - the numbers in layout_1_0.inc are those of
 * the frozen ABI 1.0 headers (compiled with -I sdk-1.0, exact sizes).
 */
#include <wsp/plugin.h>

#include <stdint.h>

#if UINTPTR_MAX == UINT64_MAX
#define AT(t, m, off) _Static_assert(offsetof(t, m) == (off), #t "." #m)
#define SIZE(t, n) _Static_assert(sizeof(t) == (n), "sizeof " #t)
#include "layout_1_0.inc"
#endif

int wsp_frozen_layout_checked(void);
int wsp_frozen_layout_checked(void)
{
	return 1;
}
