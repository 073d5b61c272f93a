/*
 * tests/fuzz/fuzz_s3xml.c - the S3 provider's XML reader on arbitrary
 * bytes: it must end every walk (element, end or error) without reading
 * out of bounds, and s3xml_find must agree with it.
 *
 * The reader lives in the plugin, which links nothing of the core, so its
 * one source file is compiled in here.
 */
#include "../../plugins/fs-s3/s3xml.c"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct s3xml x;
	int rc, n = 0;

	s3xml_init(&x, (const char *)data, size);
	while ((rc = s3xml_next(&x)) > 0) {
		/* reported text is NUL-terminated and within bounds */
		if (strlen(x.text) != x.text_len || strlen(x.path) >= 256)
			__builtin_trap();
		if (++n > 1 << 20)
			__builtin_trap(); /* progress is guaranteed */
	}
	s3xml_free(&x);
	free(s3xml_find((const char *)data, size,
			"ListBucketResult/Contents/Key"));
	return 0;
}
