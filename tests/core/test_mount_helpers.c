/*
 * tests/core/test_mount_helpers.c - the header-only helpers of
 * <wsp/mount.h> a filesystem provider fills a mount source with:
 * wsp_mount_source_put (bounded, terminated, "did not fit" reported) and
 * wsp_mount_source_add_credential (pairs appended in order, empty values
 * skipped, a full table or an oversized key or value refused), read
 * back through wsp_mount_source_credential.
 */
#include "testutil.h"

#include <wsp/mount.h>

#include <string.h>

static void test_put(void)
{
	char field[6];

	memset(field, 'x', sizeof(field));
	CU_ASSERT_EQUAL(wsp_mount_source_put(field, sizeof(field), "gcs"), 0);
	CU_ASSERT_STRING_EQUAL(field, "gcs");
	/* Exactly cap - 1 characters fit. */
	CU_ASSERT_EQUAL(wsp_mount_source_put(field, sizeof(field), "abcde"), 0);
	CU_ASSERT_STRING_EQUAL(field, "abcde");
	/* One more does not: reported, and the field still ends in it. */
	CU_ASSERT_EQUAL(wsp_mount_source_put(field, sizeof(field), "abcdef"),
			1);
	CU_ASSERT_EQUAL(field[sizeof(field) - 1], '\0');
	CU_ASSERT_EQUAL(wsp_mount_source_put(field, sizeof(field), NULL), 0);
	CU_ASSERT_STRING_EQUAL(field, "");
	CU_ASSERT_EQUAL(wsp_mount_source_put(field, 0, "a"), 1);
}

static void test_add_credential(void)
{
	static wsp_mount_source src;
	char big[WSP_MOUNT_CRED_VALUE_MAX + 1];
	int i;

	memset(&src, 0, sizeof(src));
	src.struct_size = sizeof(src);
	CU_ASSERT_EQUAL(wsp_mount_source_add_credential(&src, "access_key_id",
							"AKIDEXAMPLE"),
			0);
	/* Nothing for an absent or empty value. */
	CU_ASSERT_EQUAL(wsp_mount_source_add_credential(&src, "session_token",
							NULL),
			0);
	CU_ASSERT_EQUAL(wsp_mount_source_add_credential(&src, "session_token",
							""),
			0);
	CU_ASSERT_EQUAL(src.n_credentials, 1);
	CU_ASSERT_STRING_EQUAL(
		wsp_mount_source_credential(&src, "access_key_id"),
		"AKIDEXAMPLE");
	CU_ASSERT_PTR_NULL(wsp_mount_source_credential(&src, "session_token"));
	/* A value that does not fit is refused, the count unchanged. */
	memset(big, 'k', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CU_ASSERT_EQUAL(
		wsp_mount_source_add_credential(&src, "credentials_json", big),
		1);
	CU_ASSERT_EQUAL(src.n_credentials, 1);
	/* The table holds WSP_MOUNT_CRED_MAX pairs and no more. */
	for (i = 1; i < WSP_MOUNT_CRED_MAX; i++)
		CU_ASSERT_EQUAL(wsp_mount_source_add_credential(&src, "k", "v"),
				0);
	CU_ASSERT_EQUAL(src.n_credentials, WSP_MOUNT_CRED_MAX);
	CU_ASSERT_EQUAL(wsp_mount_source_add_credential(&src, "k", "v"), 1);
	CU_ASSERT_EQUAL(src.n_credentials, WSP_MOUNT_CRED_MAX);
	wsp_mount_source_wipe(&src);
}

static const CU_TestInfo tests[] = {
	{ "put: bounded and terminated", test_put },
	{ "add_credential: pairs, skips, limits", test_add_credential },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	return tu_main("core_mount_helpers", tests);
}
