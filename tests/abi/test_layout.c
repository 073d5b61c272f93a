/*
 * tests/abi/test_layout.c - the current headers keep ABI 1.0's layout.
 *
 * Every 1.0 member must sit at the offset it had in 1.0 (appending is the
 * only change allowed), structs may only grow, and wsp_error, which is
 * caller-allocated with no struct_size, never changes size. The checks are
 * static assertions: a moved member fails the build. At run time the test
 * also checks the descriptor header through the public validator, reading
 * a 1.0-sized descriptor image.
 */
#include <wsp/wsp.h>

#include <CUnit/Basic.h>
#include <stdint.h>
#include <string.h>

#if UINTPTR_MAX == UINT64_MAX
#define AT(t, m, off) _Static_assert(offsetof(t, m) == (off), #t "." #m)
#define SIZE(t, n) _Static_assert(sizeof(t) >= (n), "sizeof " #t)
#include "cu_main.h"
#include "layout_1_0.inc"
#endif

_Static_assert(sizeof(wsp_error) == 8 + WSP_ERROR_MSG_MAX,
	       "wsp_error never changes size");
_Static_assert(WSP_ERROR_MSG_MAX == 256, "wsp_error message size is ABI");
/* The frozen descriptor header: magic, major, minor, struct_size. */
_Static_assert(offsetof(wsp_plugin_desc, magic) == 0, "magic");
_Static_assert(offsetof(wsp_plugin_desc, abi_major) == 4, "abi_major");
_Static_assert(offsetof(wsp_plugin_desc, abi_minor) == 6, "abi_minor");
_Static_assert(offsetof(wsp_plugin_desc, struct_size) == 8, "struct_size");
_Static_assert(WSP_PLUGIN_MAGIC == 0x57535050, "magic value");

int wsp_frozen_layout_checked(void);

static void test_frozen_numbers_compiled(void)
{
	/* frozen_layout.c only links if its assertions held. */
	CU_ASSERT_EQUAL(wsp_frozen_layout_checked(), 1);
}

/* A descriptor laid out as bytes, as a plugin built for 1.0 would be. */
static void test_header_read_from_bytes(void)
{
	unsigned char image[sizeof(wsp_plugin_desc)];
	wsp_plugin_desc d;
	wsp_error err;
	uint32_t magic = WSP_PLUGIN_MAGIC, size = sizeof(wsp_plugin_desc);
	uint16_t major = 7, minor = 0;

	memset(image, 0, sizeof(image));
	memcpy(image + 0, &magic, 4);
	memcpy(image + 4, &major, 2);
	memcpy(image + 6, &minor, 2);
	memcpy(image + 8, &size, 4);
	memcpy(&d, image, sizeof(d));
	CU_ASSERT_EQUAL(wsp_plugin_validate(&d, 0, &err), WSP_EABI);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "plugin ABI 7.0"));
}

int main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("abi_layout", NULL, NULL);
	CU_add_test(s, "frozen numbers are 1.0's",
		    test_frozen_numbers_compiled);
	CU_add_test(s, "header read from bytes", test_header_read_from_bytes);
	return cu_run_registry();
}
