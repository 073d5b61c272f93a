/*
 * tests/fuzz/fuzz_blfs.c - the Blaxel provider's readers and writers of
 * what the sandbox-api says and is sent about the sandbox's files, on
 * arbitrary bytes: the Directory answer read into entries
 * (plugins/sandbox-blaxel/fs_json.c, with Go's time stamps read by
 * util/rfc3339.c, linked, which fuzz_rfc3339 checks), and a path put
 * into a /filesystem URL in both of the API's forms (fs_path.c), all
 * compiled in.
 *
 * First byte even: the rest is JSON, a Directory answer (or anything).
 * Checked: every entry given has a name of one path component ("" "."
 * ".." and '/' never pass), permission bits only, no size for a
 * directory. First byte odd: the rest is a path
 * (up to a NUL, '/' put first). Checked: in the escaped form the path
 * part holds nothing but [A-Za-z0-9._-] and %XX, in the raw form never
 * "%2F" (which would make the server read it the other way), and both
 * decode back to the path exactly; one too long is refused, never cut.
 */
#include "../../plugins/sandbox-blaxel/fs_json.c"
#include "../../plugins/sandbox-blaxel/json.c"
#include "../../plugins/sandbox-blaxel/fs_path.c"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail_if(int bad)
{
	if (bad)
		__builtin_trap();
}

static int check_entry(const struct bl_fs_entry *e, void *payload)
{
	(void)payload;
	fail_if(!e->name || !*e->name || strchr(e->name, '/') ||
		!strcmp(e->name, ".") || !strcmp(e->name, "..") ||
		strlen(e->name) > 255);
	fail_if(e->mode & ~07777u);
	fail_if(e->is_dir && e->size);
	return 0;
}

static int unhex(int c)
{
	return c >= '0' && c <= '9' ? c - '0'
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

static void check_url(const char *abs, enum bl_path_form form)
{
	static char url[BL_FS_URL_MAX];
	char *back = malloc(strlen(abs) + 1), *p, *b;
	wsp_error err = {0};
	const char *base = "http://h/sbx/x/filesystem/";
	int rc = bl_fs_url(url, "http://h/sbx/x", "/filesystem", abs, form,
			   NULL, &err);

	if (!back)
		return;
	if (rc) {
		fail_if(rc != WSP_ETOOBIG || 3 * strlen(abs) + 64 < BL_FS_URL_MAX);
		free(back);
		return;
	}
	fail_if(strncmp(url, base, strlen(base)));
	p = url + strlen(base);
	fail_if(form == BL_PATH_RAW && (strstr(p, "%2F") || strstr(p, "%2f")));
	for (b = back; *p; p++) {
		int hi, lo;

		if (*p != '%') {
			fail_if(form == BL_PATH_ESCAPED && *p == '/');
			fail_if(!((*p >= 'a' && *p <= 'z') ||
				  (*p >= 'A' && *p <= 'Z') ||
				  (*p >= '0' && *p <= '9') || *p == '.' ||
				  *p == '_' || *p == '-' || *p == '/'));
			*b++ = *p;
			continue;
		}
		hi = unhex(p[1]);
		lo = hi < 0 ? -1 : unhex(p[2]);
		fail_if(hi < 0 || lo < 0);
		*b++ = (char)(hi * 16 + lo);
		p += 2;
	}
	*b = '\0';
	fail_if(strcmp(back, abs));
	free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	if (!(data[0] & 1)) {
		cJSON *j = bl_parse((const char *)data + 1, size - 1);
		wsp_error err = {0};
		int rc = bl_fs_dir_each(j, check_entry, NULL, &err);

		fail_if(rc && rc != WSP_EPROTO && rc != WSP_ENOTDIR);
		cJSON_Delete(j);
		return 0;
	}
	{
		char *abs = malloc(size + 1);
		size_t n = 1;

		if (!abs)
			return 0;
		abs[0] = '/';
		while (n < size && data[n])
			abs[n] = (char)data[n], n++;
		abs[n] = '\0';
		check_url(abs, BL_PATH_ESCAPED);
		check_url(abs, BL_PATH_RAW);
		free(abs);
	}
	return 0;
}
