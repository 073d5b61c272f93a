/*
 * core/json_num.h - JSON numbers made C integers, range checked first.
 *
 * cJSON keeps every number as a double, and JSON sets no bound ("1e400"
 * parses to infinity). Converting a double that is NaN, infinite or
 * outside the integer type's range is undefined behaviour (C11 6.3.1.4),
 * and these numbers come from MCP clients and agents. So every place the
 * core makes a JSON number an integer goes through wsp__num_to_int(),
 * which compares the double with the bounds before converting it.
 */
#ifndef WSP_CORE_JSON_NUM_H
#define WSP_CORE_JSON_NUM_H

#include "internal.h"

#include <stdint.h>

/*
 * The integers a tool argument may be: round (every JSON printer writes
 * it as it is), and below 2^53, so that each one is exact as a double.
 */
#define WSP__JSON_INT_MAX INT64_C(9000000000000000)

/*
 * d with its fraction dropped (toward zero, as a C cast does) into *out
 * when that is within [lo, hi]: 0. Else -1 and *out untouched: d is NaN,
 * infinite or out of range. A caller that wants an exact integer also
 * checks (double)*out == d.
 */
WSP_INTERNAL int wsp__num_to_int(double d, int64_t lo, int64_t hi,
				 int64_t *out);

#endif
