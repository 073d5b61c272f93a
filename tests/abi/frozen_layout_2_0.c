/*
 * tests/abi/frozen_layout_2_0.c - the numbers in layout_2_0.inc are those
 * of the frozen ABI 2.0 headers (compiled with -I sdk-2.0, exact sizes).
 * test_layout.c holds the current headers to the same numbers.
 */
#include <wsp/plugin.h>

#include <stddef.h>
#include <stdint.h>

#if UINTPTR_MAX == UINT64_MAX
#define AT(t, m, off) _Static_assert(offsetof(t, m) == (off), #t "." #m)
#define SIZE(t, n) _Static_assert(sizeof(t) == (n), "sizeof " #t)
#include "layout_2_0.inc"
#endif

int wsp_frozen_layout_2_0_checked(void);
int wsp_frozen_layout_2_0_checked(void)
{
	return 1;
}
