/*
 * tests/abi/test_layout.c - what no ABI 2.x minor may move, and
 * wsp_error's fixed size.
 *
 * Every member of every plugin-ABI struct sits where it sat when 2.0 was
 * frozen: layout_2_0.inc, measured from the frozen headers in sdk-2.0/
 * by tools/abi-layout.sh (frozen_layout_2_0.c proves the file holds
 * exactly those headers' numbers), is asserted here against the current
 * headers, offsets exactly and sizes as a lower bound (a minor appends).
 * The two structs without struct_size, wsp_error and wsp_http_header, are
 * caller-allocated arrays of bytes to both sides and keep their size
 * exactly. The descriptor's frozen header (magic, major, minor, struct
 * size) sits where it sat in 1.0 (frozen_layout.c proves layout_1_0.inc
 * holds 1.0's numbers), the minor a plugin requires right after it at
 * offset 12 (where every 2.x core reads it). The checks are static
 * assertions: a moved member fails the build. At run time the test also
 * checks the descriptor header through the public validator, reading a
 * descriptor image byte by byte.
 */
#include <wsp/wsp.h>

#include <CUnit/Basic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cu_main.h"

#if UINTPTR_MAX == UINT64_MAX
#define AT(t, m, off) \
	_Static_assert(offsetof(t, m) == (off), #t "." #m " moved since 2.0")
#define SIZE(t, n) \
	_Static_assert(sizeof(t) >= (n), "sizeof " #t " shrank since 2.0")
#include "layout_2_0.inc"
#undef AT
#undef SIZE
#endif
_Static_assert(sizeof(wsp_http_header) == 16, "wsp_http_header's size is ABI");
_Static_assert(sizeof(wsp_error) == 344, "wsp_error's size is ABI");
_Static_assert(offsetof(wsp_error, code) == 0, "wsp_error.code");
_Static_assert(offsetof(wsp_error, os_errno) == 4, "wsp_error.os_errno");
_Static_assert(offsetof(wsp_error, http_status) == 8, "http_status");
_Static_assert(offsetof(wsp_error, flags) == 12, "wsp_error.flags");
_Static_assert(offsetof(wsp_error, retry_after_ms) == 16, "retry_after_ms");
_Static_assert(offsetof(wsp_error, service_code) == 24, "service_code");
_Static_assert(offsetof(wsp_error, message) == 88, "wsp_error.message");
_Static_assert(WSP_ERROR_MSG_MAX == 256, "wsp_error message size is ABI");
_Static_assert(WSP_ERROR_CODE_MAX == 64, "service code size is ABI");
/* The frozen descriptor header: magic, major, minor, struct_size. */
_Static_assert(offsetof(wsp_plugin_desc, magic) == 0, "magic");
_Static_assert(offsetof(wsp_plugin_desc, abi_major) == 4, "abi_major");
_Static_assert(offsetof(wsp_plugin_desc, abi_minor) == 6, "abi_minor");
_Static_assert(offsetof(wsp_plugin_desc, struct_size) == 8, "struct_size");
_Static_assert(WSP_PLUGIN_MAGIC == 0x57535050, "magic value");
/* First of the 2.0 body: every 2.x core reads it before anything else. */
_Static_assert(offsetof(wsp_plugin_desc, abi_minor_required) == 12,
	       "abi_minor_required");
_Static_assert(sizeof(((wsp_plugin_desc *)0)->abi_minor_required) == 2,
	       "abi_minor_required is 16 bits");
_Static_assert(offsetof(wsp_plugin_desc, reserved) == 14, "reserved");
/* Unless a provider lowers it, it needs the minor it was built against. */
_Static_assert(WSP_PLUGIN_MINOR_REQUIRED == WSP_PLUGIN_ABI_MINOR,
	       "WSP_PLUGIN_MINOR_REQUIRED defaults to the SDK's minor");

int wsp_frozen_layout_checked(void);
int wsp_frozen_layout_2_0_checked(void);

static void test_frozen_numbers_compiled(void)
{
	/* frozen_layout*.c only link if their assertions held. */
	CU_ASSERT_EQUAL(wsp_frozen_layout_checked(), 1);
	CU_ASSERT_EQUAL(wsp_frozen_layout_2_0_checked(), 1);
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

/*
 * A 2.x descriptor as bytes: the minor it needs is read at offset 12. One
 * newer than this core is refused; the minor it was built against is not
 * what decides.
 */
static void test_required_minor_read_from_bytes(void)
{
	unsigned char image[sizeof(wsp_plugin_desc)];
	wsp_plugin_desc d;
	wsp_error err;
	uint32_t magic = WSP_PLUGIN_MAGIC, size = sizeof(wsp_plugin_desc);
	uint16_t major = WSP_PLUGIN_ABI_MAJOR, minor = 7;
	uint16_t required = WSP_PLUGIN_ABI_MINOR + 1;
	char want[96];

	memset(image, 0, sizeof(image));
	memcpy(image + 0, &magic, 4);
	memcpy(image + 4, &major, 2);
	memcpy(image + 6, &minor, 2);
	memcpy(image + 8, &size, 4);
	memcpy(image + 12, &required, 2);
	memcpy(&d, image, sizeof(d));
	CU_ASSERT_EQUAL(wsp_plugin_validate(&d, 0, &err), WSP_EABI);
	snprintf(want, sizeof(want), "needs wsp plugin ABI %d.%d or newer",
		 WSP_PLUGIN_ABI_MAJOR, WSP_PLUGIN_ABI_MINOR + 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, want));
	/* Needing this core's minor passes the version check. */
	required = WSP_PLUGIN_ABI_MINOR;
	memcpy(image + 12, &required, 2);
	memcpy(&d, image, sizeof(d));
	CU_ASSERT_EQUAL(wsp_plugin_validate(&d, 0, &err), WSP_EABI);
	CU_ASSERT_PTR_NULL(strstr(err.message, "plugin ABI"));
}

/* A plain failure after a detailed one keeps none of the old detail. */
static void test_error_set_clears_detail(void)
{
	wsp_error err;

	memset(&err, 0x5a, sizeof(err));
	err.http_status = 503;
	err.flags = WSP_ERROR_RETRYABLE | WSP_ERROR_HAS_RETRY_AFTER;
	err.retry_after_ms = 2000;
	snprintf(err.service_code, sizeof(err.service_code), "SlowDown");
	CU_ASSERT_EQUAL(wsp_error_set(&err, WSP_EIO, "disk '%s' failed", "d1"),
			WSP_EIO);
	CU_ASSERT_EQUAL(err.code, WSP_EIO);
	CU_ASSERT_EQUAL(err.os_errno, 0);
	CU_ASSERT_EQUAL(err.http_status, 0);
	CU_ASSERT_EQUAL(err.flags, 0);
	CU_ASSERT_EQUAL(err.retry_after_ms, 0);
	CU_ASSERT_STRING_EQUAL(err.service_code, "");
	CU_ASSERT_STRING_EQUAL(err.message, "disk 'd1' failed");
	CU_ASSERT_EQUAL(wsp_error_set_os(&err, WSP_EIO, 5, "again"), WSP_EIO);
	CU_ASSERT_EQUAL(err.os_errno, 5);
}

static CU_TestInfo tests[] = {
	{"frozen 1.0 and 2.0 numbers", test_frozen_numbers_compiled},
	{"header read from bytes", test_header_read_from_bytes},
	{"required minor read from bytes", test_required_minor_read_from_bytes},
	{"wsp_error_set clears the detail", test_error_set_clears_detail},
	CU_TEST_INFO_NULL,
};

CU_MAIN("abi_layout", tests)
