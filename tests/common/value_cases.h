/*
 * tests/common/value_cases.h - the duration and size grammars' cases
 * (core/config/optvalue.c, wsp_parse_duration_ms() and wsp_parse_size()), one
 * table for each of their users: tests/core/test_config.c checks them
 * against the parser and a configuration's option values,
 * tests/cli/test_cli_values.c against `wsp sh --timeout` and `wsp spawn
 * --log-limit`. A case added here is checked everywhere the grammar is
 * read.
 */
#ifndef WSP_TEST_VALUE_CASES_H
#define WSP_TEST_VALUE_CASES_H

#include <stdint.h>

struct value_case {
	const char *text;
	int ok;
	uint64_t value; /* ms or bytes, when ok */
};

static const struct value_case duration_cases[] = {
	{"250ms", 1, 250},
	{"30s", 1, 30000},
	{"30", 1, 30000},
	{"5m", 1, 300000},
	{"1h", 1, 3600000},
	{"1d", 1, 86400000},
	{"0", 1, 0},
	{"0s", 1, 0},
	{"1.5s", 1, 1500},
	{"1.5h", 1, 5400000},
	{"0.25", 1, 250},
	{"2.000000001s", 1, 2001}, /* a fraction of a ms is a whole one */
	{"0.0001s", 1, 1},	   /* so nothing above 0 becomes 0 */
	{"1.5ms", 1, 2},
	{"0.000000001d", 1, 1},
	{"9223372036854775807ms", 1, INT64_MAX},
	{"106751991167d", 1, UINT64_C(9223372036828800000)},
	{"9223372036854775808ms", 0, 0}, /* beyond int64_t */
	{"106751991168d", 0, 0},
	{"99999999999999999999d", 0, 0},
	{"1e12d", 0, 0},
	{"1e3", 0, 0},
	{"nan", 0, 0},
	{"inf", 0, 0},
	{"0x10", 0, 0},
	{"-1s", 0, 0},
	{"+1s", 0, 0},
	{" 1s", 0, 0},
	{"1s ", 0, 0},
	{"1.", 0, 0},
	{".5s", 0, 0},
	{"1.5.5s", 0, 0},
	{"1.0000000001s", 0, 0}, /* more than 9 places */
	{"5 minutes", 0, 0},
	{"1S", 0, 0}, /* units are case-sensitive: M would be ambiguous */
	{"1w", 0, 0},
	{"", 0, 0},
	{"soon", 0, 0},
};

static const struct value_case size_cases[] = {
	{"512", 1, 512},
	{"512B", 1, 512},
	{"64KiB", 1, 65536},
	{"64K", 1, 65536},
	{"64kib", 1, 65536},
	{"8m", 1, UINT64_C(8388608)},
	{"512MiB", 1, UINT64_C(536870912)},
	{"4GiB", 1, UINT64_C(4294967296)},
	{"1GB", 1, UINT64_C(1000000000)},
	{"2tb", 1, UINT64_C(2000000000000)},
	{"1T", 1, UINT64_C(1099511627776)},
	{"1.5KiB", 1, 1536},
	{"0.5GB", 1, UINT64_C(500000000)},
	{"1.000000001B", 1, 2}, /* a fraction of a byte is a whole one */
	{"0.1KB", 1, 100},
	{"0", 1, 0},
	{"18446744073709551615", 1, UINT64_MAX},
	{"18446744073709551616", 0, 0},
	{"17179869184GiB", 0, 0},
	{"16777215.9999999999TiB", 0, 0},
	{"1 GiB", 0, 0},
	{"-1", 0, 0},
	{"12XB", 0, 0},
	{"1e3", 0, 0},
	{"KiB", 0, 0},
	{"1.KiB", 0, 0},
	{"", 0, 0},
};

#define VALUE_CASES_N(t) (sizeof(t) / sizeof((t)[0]))

#endif
