/*
 * core/json_num.c - JSON numbers made C integers without undefined
 * behaviour (json_num.h says why).
 */
#include "json_num.h"

int wsp__num_to_int(double d, int64_t lo, int64_t hi, int64_t *out)
{
	int64_t i;

	/*
	 * -2^63 and 2^63 are exact doubles, and every double in between,
	 * truncated, is an int64_t; NaN fails both comparisons.
	 */
	if (!(d >= -0x1p63 && d < 0x1p63))
		return -1;
	i = (int64_t)d;
	if (i < lo || i > hi)
		return -1;
	*out = i;
	return 0;
}
