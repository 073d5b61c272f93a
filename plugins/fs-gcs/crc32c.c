/*
 * plugins/fs-gcs/crc32c.c - CRC-32C (Castagnoli, reflected polynomial
 * 0x82F63B78), the checksum GCS keeps for every object.
 *
 * On x86-64 the SSE4.2 crc32 instruction computes it 8 bytes at a time;
 * whether the CPU has it is asked once at run time, so one build runs
 * everywhere. Elsewhere a slicing-by-8 table does (about 1 byte/cycle).
 */
#include "gcs.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define GCS_HAVE_SSE42 1
#include <nmmintrin.h>
#endif

static uint32_t table[8][256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void table_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
		table[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			table[t][i] = (table[t - 1][i] >> 8) ^
				      table[0][table[t - 1][i] & 0xff];
}

uint32_t gcs_crc32c_sw(uint32_t crc, const void *data, size_t len)
{
	const unsigned char *p = data;

	pthread_once(&table_once, table_init);
	crc = ~crc;
	while (len && ((uintptr_t)p & 7)) {
		crc = (crc >> 8) ^ table[0][(crc ^ *p++) & 0xff];
		len--;
	}
	while (len >= 8) {
		uint32_t lo, hi;

		memcpy(&lo, p, 4);
		memcpy(&hi, p + 4, 4);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		lo = __builtin_bswap32(lo);
		hi = __builtin_bswap32(hi);
#endif
		lo ^= crc;
		crc = table[7][lo & 0xff] ^ table[6][(lo >> 8) & 0xff] ^
		      table[5][(lo >> 16) & 0xff] ^ table[4][lo >> 24] ^
		      table[3][hi & 0xff] ^ table[2][(hi >> 8) & 0xff] ^
		      table[1][(hi >> 16) & 0xff] ^ table[0][hi >> 24];
		p += 8;
		len -= 8;
	}
	while (len--)
		crc = (crc >> 8) ^ table[0][(crc ^ *p++) & 0xff];
	return ~crc;
}

#ifdef GCS_HAVE_SSE42
__attribute__((target("sse4.2"))) static uint32_t
hw_update(uint32_t crc, const unsigned char *p, size_t len)
{
	uint64_t c = ~crc;

	while (len && ((uintptr_t)p & 7)) {
		c = _mm_crc32_u8((uint32_t)c, *p++);
		len--;
	}
	while (len >= 8) {
		uint64_t v;

		memcpy(&v, p, 8);
		c = _mm_crc32_u64(c, v);
		p += 8;
		len -= 8;
	}
	while (len--)
		c = _mm_crc32_u8((uint32_t)c, *p++);
	return ~(uint32_t)c;
}

static int hw_state; /* 0 unknown, 1 yes, -1 no; a benign race */

bool gcs_crc32c_hw_available(void)
{
	if (!hw_state) {
		__builtin_cpu_init();
		hw_state = __builtin_cpu_supports("sse4.2") ? 1 : -1;
	}
	return hw_state > 0;
}

uint32_t gcs_crc32c_hw(uint32_t crc, const void *data, size_t len)
{
	return hw_update(crc, data, len);
}
#else
bool gcs_crc32c_hw_available(void)
{
	return false;
}

uint32_t gcs_crc32c_hw(uint32_t crc, const void *data, size_t len)
{
	return gcs_crc32c_sw(crc, data, len);
}
#endif

uint32_t gcs_crc32c(uint32_t crc, const void *data, size_t len)
{
	if (gcs_crc32c_hw_available())
		return gcs_crc32c_hw(crc, data, len);
	return gcs_crc32c_sw(crc, data, len);
}

void gcs_crc32c_b64(char out[9], uint32_t crc)
{
	unsigned char be[4] = {(unsigned char)(crc >> 24),
			       (unsigned char)(crc >> 16),
			       (unsigned char)(crc >> 8), (unsigned char)crc};

	EVP_EncodeBlock((unsigned char *)out, be, 4);
}

int gcs_crc32c_from_b64(uint32_t *out, const char *b64)
{
	unsigned char buf[8];

	/* 4 bytes are exactly "XXXXXX==" */
	if (strlen(b64) != 8 || b64[6] != '=' || b64[7] != '=' ||
	    strchr(b64, '=') != b64 + 6)
		return -1;
	if (EVP_DecodeBlock(buf, (const unsigned char *)b64, 8) != 6)
		return -1;
	*out = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 |
	       (uint32_t)buf[2] << 8 | buf[3];
	/* a canonical encoding only: the unused bits are zero */
	{
		char back[9];

		gcs_crc32c_b64(back, *out);
		if (strcmp(back, b64))
			return -1;
	}
	return 0;
}
