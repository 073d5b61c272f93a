/*
 * tests/sandbox-blaxel/test_fs_bound.c - a large file through the
 * sandbox's disk as a filesystem costs the client a fixed amount of
 * memory (issue 16): 48 MiB of pseudo-random bytes written (streamed
 * from a source, chunked) and read back (streamed to a sink) against the
 * Blaxel fake, their SHA-256 checked three times: of what the source
 * gave, of what `sha256sum` says in the sandbox, and of what the read
 * gave. Meanwhile this process's peak resident memory (VmHWM) grows by
 * far less than the file, and not at all for a file twice as large. Its
 * own process: VmHWM is this test's alone.
 */
#include "bl_env.h"
#include "cu_main.h"

#include <openssl/evp.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SMALL_MIB 24
#define BIG_MIB 48
#define GROWTH_LIMIT_KIB (16 * 1024)
#define SIZE_SLACK_KIB 4096

static struct box bx;

/* Bytes of a xorshift generator, hashed as they go. */
struct gen {
	uint64_t state, left;
	EVP_MD_CTX *md;
};

static int give(void *buf, size_t cap, size_t *out_n, void *payload)
{
	struct gen *g = payload;
	unsigned char *p = buf;
	size_t n = cap < g->left ? cap : (size_t)g->left;

	if (n > 256 * 1024)
		n = 256 * 1024;
	for (size_t i = 0; i < n; i++) {
		g->state ^= g->state << 13;
		g->state ^= g->state >> 7;
		g->state ^= g->state << 17;
		p[i] = (unsigned char)(g->state >> 32);
	}
	EVP_DigestUpdate(g->md, p, n);
	g->left -= n;
	*out_n = n;
	return 0;
}

struct hashing {
	uint64_t got;
	EVP_MD_CTX *md;
};

static int take(const void *data, size_t len, void *payload)
{
	struct hashing *h = payload;

	EVP_DigestUpdate(h->md, data, len);
	h->got += len;
	return 0;
}

static void hex_of(char *out, EVP_MD_CTX *md)
{
	unsigned char d[32];
	unsigned n = 0;

	EVP_DigestFinal_ex(md, d, &n);
	for (unsigned i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* Up and down mib MiB; this process's VmHWM after it. */
static long round_trip(unsigned mib)
{
	const wsp_fs_vtable *fs = bx.d->sandbox_fs;
	struct gen g = {0x9e3779b97f4a7c15ull ^ mib, (uint64_t)mib << 20,
			EVP_MD_CTX_new()};
	struct hashing h = {0, EVP_MD_CTX_new()};
	wsp_fs_write_opts wo = WSP_FS_WRITE_OPTS_INIT;
	/* length: what the core makes of 0 (to the end) */
	wsp_fs_read_opts ro = {.struct_size = sizeof(ro), .length = UINT64_MAX};
	wsp_fs_stat st = {.struct_size = sizeof(st)};
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result r = {.struct_size = sizeof(r)};
	const wsp_host *host = wsp_fakehost_host(bx.fh);
	char sent[65], inside[65] = "", back[65];
	wsp_error err = {0};
	int rc;

	EVP_DigestInit_ex(g.md, EVP_sha256(), NULL);
	EVP_DigestInit_ex(h.md, EVP_sha256(), NULL);
	rc = fs->write(&st, bx.self, box_call(&bx, 300000), "large.bin", &wo,
		       give, &g, &err);
	if (rc)
		fprintf(stderr, "write: %s\n", err.message);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(st.size, (uint64_t)mib << 20);
	hex_of(sent, g.md);
	/* what the sandbox holds */
	o.shell = "sha256sum large.bin";
	CU_ASSERT_EQUAL_FATAL(bx.d->sandbox->exec(&r, bx.self,
						  box_call(&bx, 60000), &o,
						  &err),
			      0);
	if (r.stdout_data && r.stdout_len >= 64)
		snprintf(inside, sizeof(inside), "%.64s", r.stdout_data);
	host->free(host, r.stdout_data);
	host->free(host, r.stderr_data);
	CU_ASSERT_STRING_EQUAL(inside, sent);
	rc = fs->read(bx.self, box_call(&bx, 300000), "large.bin", &ro, take,
		      &h, &err);
	if (rc)
		fprintf(stderr, "read: %s\n", err.message);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(h.got, (uint64_t)mib << 20);
	hex_of(back, h.md);
	CU_ASSERT_STRING_EQUAL(back, sent);
	EVP_MD_CTX_free(g.md);
	EVP_MD_CTX_free(h.md);
	CU_ASSERT_EQUAL(fs->remove(bx.self, box_call(&bx, 30000), "large.bin",
				   0, &err),
			0);
	return vm_hwm_kib();
}

static void test_fixed_memory(void)
{
	long before = vm_hwm_kib(), small, big;

	CU_ASSERT_FATAL(before > 0);
	small = round_trip(SMALL_MIB);
	big = round_trip(BIG_MIB);
	fprintf(stderr, "VmHWM %ld KiB before, %ld after %d MiB each way, "
			"%ld after %d MiB\n",
		before, small, SMALL_MIB, big, BIG_MIB);
	CU_ASSERT(small - before < GROWTH_LIMIT_KIB);
	CU_ASSERT(big - small < SIZE_SLACK_KIB);
}

static int suite_init(void)
{
	wsp_error err = {0};

	if (fake_start())
		return -1;
	return box_open(&bx, "fs-bound-box", NULL, 0, &err);
}

static int suite_clean(void)
{
	box_destroy(&bx);
	fake_env_stop();
	return 0;
}

static CU_TestInfo tests[] = {
	{"24 and 48 MiB both ways in the same fixed memory", test_fixed_memory},
	CU_TEST_INFO_NULL,
};

CU_MAIN_SUITE("sandbox-blaxel files bound", suite_init, suite_clean, tests)
