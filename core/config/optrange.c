/*
 * core/config/optrange.c - the min_value/max_value bounds of INT, DURATION and
 * SIZE options (ABI 2.1).
 *
 * Bounds are written in the option's own text form ("5MiB", "1s"), so they
 * read like the values and defaults beside them and `wsp plugins info`
 * shows them as declared. The loader checks them once (each parses, the
 * lowest is not above the highest, only numeric options have them); every
 * value, default and override is then compared here before a provider
 * sees it.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

static int numeric(uint32_t type)
{
	return type == WSP_OPT_INT || type == WSP_OPT_DURATION ||
	       type == WSP_OPT_SIZE;
}

/* a < b, as values of type (SIZE is unsigned, the others signed). */
static int below(const struct wsp__optval *a, const struct wsp__optval *b,
		 uint32_t type)
{
	return type == WSP_OPT_SIZE ? a->u < b->u : a->i < b->i;
}

int wsp__option_bounds_check(const wsp_option_spec *s, char *why, size_t cap)
{
	struct wsp__optval lo = { 0 }, hi = { 0 };
	char reason[WSP_ERROR_MSG_MAX];

	if (!s->min_value && !s->max_value)
		return 0;
	if (!numeric(s->type)) {
		snprintf(why, cap,
			 "option '%s' has a min_value or max_value but is a "
			 "%s option; only int, duration and size options "
			 "have bounds",
			 s->name, wsp__option_type_name(s->type));
		return WSP_EINVAL;
	}
	if ((s->min_value && wsp__optvalue_parse(&lo, s->type, s->min_value,
						 reason, sizeof(reason))) ||
	    (s->max_value && wsp__optvalue_parse(&hi, s->type, s->max_value,
						 reason, sizeof(reason)))) {
		snprintf(why, cap, "option '%s' has a bad bound: %s", s->name,
			 reason);
		return WSP_EINVAL;
	}
	if (s->min_value && s->max_value && below(&hi, &lo, s->type)) {
		snprintf(why, cap,
			 "option '%s' has min_value %.32s above max_value "
			 "%.32s",
			 s->name, s->min_value, s->max_value);
		return WSP_EINVAL;
	}
	return 0;
}

int wsp__option_in_range(const struct wsp__optval *v,
			 const wsp_option_spec *s, const char *text, char *why,
			 size_t cap)
{
	struct wsp__optval lo = { 0 }, hi = { 0 };
	char unused[8];
	int low, high;

	if (!numeric(s->type) || (!s->min_value && !s->max_value))
		return 0;
	/* the loader parsed both already (wsp__option_bounds_check) */
	low = s->min_value &&
	      !wsp__optvalue_parse(&lo, s->type, s->min_value, unused,
				   sizeof(unused)) &&
	      below(v, &lo, s->type);
	high = s->max_value &&
	       !wsp__optvalue_parse(&hi, s->type, s->max_value, unused,
				    sizeof(unused)) &&
	       below(&hi, v, s->type);
	if (!low && !high)
		return 0;
	if (s->min_value && s->max_value)
		snprintf(why, cap, "option '%s' is %.64s; it must be %s to %s",
			 s->name, text, s->min_value, s->max_value);
	else if (s->min_value)
		snprintf(why, cap,
			 "option '%s' is %.64s; it must be at least %s",
			 s->name, text, s->min_value);
	else
		snprintf(why, cap, "option '%s' is %.64s; it must be at most %s",
			 s->name, text, s->max_value);
	return WSP_EINVAL;
}
