/*
 * tests/fuzz/fuzz_gcsjson.c - the GCS provider's readers of what servers
 * and credential files say, on arbitrary bytes. The first byte picks the
 * reader: 0 object resource, 1 listing page, 2 rewrite answer, 3 error
 * body, 4 token answer, 5 credentials file, 6 the crc32c base64 form,
 * 7 decimal strings; the rest is the input (RFC 3339 times, read by
 * util/rfc3339.c, linked, are fuzz_rfc3339's).
 *
 * Besides crashes, leaks and UB: whatever is accepted holds only what
 * the caller may rely on (names GCS allows, NUL-terminated bounded text,
 * printable messages, tokens that fit a header, canonical checksums).
 *
 * The readers live in the plugin, which links nothing of the core, so
 * their source files are compiled in here.
 */
#include "../../plugins/fs-gcs/crc32c.c"
#include "../../plugins/fs-gcs/gcsjson.c"
#include "../../plugins/fs-gcs/gcstext.c"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_printable(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n == cap)
		__builtin_trap();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			__builtin_trap();
}

static void check_object(const struct gcs_object *o)
{
	if (!gcs_name_ok(o->name, strlen(o->name)) || o->generation <= 0 ||
	    o->metageneration <= 0)
		__builtin_trap();
	check_printable(o->content_type, sizeof(o->content_type));
	check_printable(o->etag, sizeof(o->etag));
	if (o->md5[0] && strlen(o->md5) != 24)
		__builtin_trap();
	if (o->has_crc32c) {
		char b[9];
		uint32_t back;

		gcs_crc32c_b64(b, o->crc32c);
		if (gcs_crc32c_from_b64(&back, b) || back != o->crc32c)
			__builtin_trap();
	}
}

static int on_item(const struct gcs_object *o, const char *prefix,
		   void *payload)
{
	(void)payload;
	if (!o == !prefix)
		__builtin_trap();
	if (o)
		check_object(o);
	else if (!gcs_name_ok(prefix, strlen(prefix)))
		__builtin_trap();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data + 1;
	size_t len = size ? size - 1 : 0;
	wsp_error err = {0};
	int rc = 0;

	if (!size)
		return 0;
	switch (data[0] % 8) {
	case 0: {
		struct gcs_object o;

		if (!gcs_parse_object(&o, in, len, &err))
			check_object(&o);
		break;
	}
	case 1: {
		char *tok = NULL;

		rc = gcs_parse_list(in, len, on_item, NULL, &tok, &err);
		if (tok && (rc || !*tok))
			__builtin_trap();
		free(tok);
		break;
	}
	case 2: {
		struct gcs_rewrite r;

		rc = gcs_parse_rewrite(&r, in, len, &err);
		if (!rc && (r.done ? (check_object(&r.resource), r.token != NULL)
				   : (!r.token || !*r.token)))
			__builtin_trap();
		gcs_rewrite_free(&r);
		break;
	}
	case 3: {
		char reason[64], msg[256];

		gcs_parse_error(reason, sizeof(reason), msg, sizeof(msg), in,
				len);
		check_printable(reason, sizeof(reason));
		check_printable(msg, sizeof(msg));
		break;
	}
	case 4: {
		struct gcs_token t;

		rc = gcs_parse_token(&t, in, len, &err);
		if (!rc) {
			if (!t.access_token || !*t.access_token ||
			    t.expires_in < 1)
				__builtin_trap();
			for (const char *p = t.access_token; *p; p++)
				if (*p <= 0x20 || *p >= 0x7f)
					__builtin_trap();
		}
		if (rc)
			check_printable(err.message, sizeof(err.message));
		gcs_token_free(&t);
		break;
	}
	case 5: {
		struct gcs_key k;

		rc = gcs_parse_key(&k, in, len, "key file 'k'", &err);
		if (!rc && (!k.token_uri ||
			    (k.type == GCS_KEY_SERVICE_ACCOUNT
				     ? !k.client_email || !k.private_key
				     : !k.refresh_token || !k.client_id)))
			__builtin_trap();
		if (rc)
			check_printable(err.message, sizeof(err.message));
		gcs_key_free(&k);
		break;
	}
	case 6: {
		char s[16], b[9];
		uint32_t v;

		if (len >= sizeof(s))
			break;
		memcpy(s, in, len);
		s[len] = '\0';
		if (!gcs_crc32c_from_b64(&v, s)) {
			gcs_crc32c_b64(b, v);
			if (strcmp(b, s)) /* only canonical forms */
				__builtin_trap();
		}
		break;
	}
	default: {
		char s[64], back[32];
		uint64_t v;

		if (len >= sizeof(s))
			break;
		memcpy(s, in, len);
		s[len] = '\0';
		if (!gcs_parse_u64(&v, s)) {
			snprintf(back, sizeof(back), "%llu",
				 (unsigned long long)v);
			/* leading zeros aside, the number prints back */
			const char *t = s;
			while (*t == '0' && t[1])
				t++;
			if (strcmp(back, t))
				__builtin_trap();
		}
		break;
	}
	}
	return 0;
}
