/*
 * tests/common/fs_error_codes.h - one check that `wsp fs` under --json
 * gives the same stable error code for the same condition whichever
 * provider serves the path (issue 13): each case runs under a remote
 * mount and under a local one of the same workspace, both compared with
 * the code POSIX gives.
 *
 * Not among the cases: `put -n` over a file (the npm S3 server ignores
 * If-None-Match; the fault server's S3 checks it) and a path below a
 * file, which an object store, having no directories to check, calls
 * missing (ENOENT) where POSIX says ENOTDIR (docs/cli.md).
 */
#ifndef WSP_TEST_FS_ERROR_CODES_H
#define WSP_TEST_FS_ERROR_CODES_H

#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* args with each '@' replaced by root. */
static inline void fs_codes_args(char *dst, size_t cap, const char *args,
				 const char *root)
{
	size_t n = 0, k = strlen(root);

	for (; *args && n + 1 < cap; args++) {
		if (*args != '@') {
			dst[n++] = *args;
			continue;
		}
		if (n + k + 1 >= cap)
			break;
		memcpy(dst + n, root, k);
		n += k;
	}
	dst[n] = '\0';
}

/*
 * run(ARGS) runs `wsp --config CFG ARGS` in dir and leaves its stdout and
 * stderr in out, returning the exit status. The roots are mount paths
 * ("/data", "/local"); dir/codes.txt is made and removed here.
 */
static inline void fs_check_same_codes(int (*run)(const char *args),
				       const char *out, const char *dir,
				       const char *remote, const char *local)
{
	static const struct {
		const char *args, *code;
	} cases[] = {
		{"fs cat @/none.txt", "ENOENT"},
		{"fs ls @/none", "ENOENT"},
		{"fs rm @/none.txt", "ENOENT"},
		{"fs rmdir @/none", "ENOENT"},
		{"fs cp @/none.txt @/b.txt", "ENOENT"},
		{"fs mkdir @/dir", "EEXIST"},
		{"fs cp -n @/dir/f.txt @/dir/g.txt", "EEXIST"},
		{"fs cat @/dir", "EISDIR"},
		{"fs rm @/dir", "EISDIR"},
		{"fs cp @/dir @/dir2", "EISDIR"},
		{"fs rmdir @/dir", "ENOTEMPTY"},
		{"fs rmdir @/dir/f.txt", "ENOTDIR"},
		{"fs cat ../../@/x", "EACCES"},
	};
	const char *roots[2] = {remote, local};
	char args[512], file[600], code[32];
	size_t i, r;
	FILE *f;

	snprintf(file, sizeof(file), "%s/codes.txt", dir);
	f = fopen(file, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("codes\n", f);
	fclose(f);
	for (r = 0; r < 2; r++) {
		fs_codes_args(args, sizeof(args),
			      "fs put codes.txt @/dir/f.txt", roots[r]);
		CU_ASSERT_EQUAL_FATAL(run(args), 0);
		fs_codes_args(args, sizeof(args),
			      "fs put codes.txt @/dir/g.txt", roots[r]);
		CU_ASSERT_EQUAL_FATAL(run(args), 0);
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (r = 0; r < 2; r++) {
			const char *p;

			memcpy(args, "--json ", 7);
			fs_codes_args(args + 7, sizeof(args) - 7,
				      cases[i].args, roots[r]);
			code[0] = '\0';
			if (run(args) == 1 &&
			    (p = strstr(out, "\"code\":\"")) != NULL)
				snprintf(code, sizeof(code), "%.*s",
					 (int)strcspn(p + 8, "\""), p + 8);
			if (strcmp(code, cases[i].code))
				printf("\n  wsp %s: code '%s', want '%s' (%s)",
				       args, code, cases[i].code, out);
			CU_ASSERT_STRING_EQUAL(code, cases[i].code);
		}
	}
	unlink(file);
}

#endif
