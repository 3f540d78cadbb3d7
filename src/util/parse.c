/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The values a person types: durations ("500ms", "1.5s", "2m"), sizes
 * ("64M", "1.5GiB"), whole numbers and plain decimal numbers. Every option
 * and config key that takes one of these goes through here, so they all
 * accept the same forms and refuse in the same words. Parsing is exact:
 * "0.1s" is 100000000 ns, not whatever a double rounds it to.
 */
#include "config.h"

#include "flametop/util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NS_PER_SEC UINT64_C(1000000000)

struct unit {
	const char *name; /* matched case-insensitively; "" is the unit of a bare number */
	uint64_t scale;
};

static const struct unit duration_units[] = {
	{ "", NS_PER_SEC },
	{ "ns", 1 },
	{ "us", 1000 },
	{ "ms", 1000000 },
	{ "s", NS_PER_SEC },
	{ "m", 60 * NS_PER_SEC },
	{ "min", 60 * NS_PER_SEC },
	{ "h", 3600 * NS_PER_SEC },
	{ "d", 86400 * NS_PER_SEC },
};

static const struct unit size_units[] = {
	{ "", 1 },
	{ "b", 1 },
	{ "k", UINT64_C(1) << 10 },
	{ "kb", UINT64_C(1) << 10 },
	{ "kib", UINT64_C(1) << 10 },
	{ "m", UINT64_C(1) << 20 },
	{ "mb", UINT64_C(1) << 20 },
	{ "mib", UINT64_C(1) << 20 },
	{ "g", UINT64_C(1) << 30 },
	{ "gb", UINT64_C(1) << 30 },
	{ "gib", UINT64_C(1) << 30 },
	{ "t", UINT64_C(1) << 40 },
	{ "tb", UINT64_C(1) << 40 },
	{ "tib", UINT64_C(1) << 40 },
};

/* How a value of each kind is named in messages, with examples. */
#define DURATION_KIND "a duration (30, 500ms, 1.5s, 2m, 1h)"
#define SIZE_KIND "a size (65536, 512K, 64M, 1.5G)"
#define INTEGER_KIND "a whole number"
#define NUMBER_KIND "a number (0.5, 1, 10)"

/*
 * Reads "12", "1.5" or ".25" at *s: the integer part into *ip, the
 * fraction as *frac / *fscale (digits beyond 18 are dropped: below any
 * unit's resolution). Advances *s past the digits. 0, -EINVAL without a
 * digit, -ERANGE when the integer part does not fit.
 */
static int scan_decimal(const char **s, uint64_t *ip, uint64_t *frac, uint64_t *fscale)
{
	const char *p = *s;
	bool digits = false, overflow = false;

	*ip = 0;
	*frac = 0;
	*fscale = 1;
	for (; *p >= '0' && *p <= '9'; p++) {
		uint64_t d = (uint64_t)(*p - '0');

		if (*ip > UINT64_MAX / 10 || (*ip == UINT64_MAX / 10 && d > UINT64_MAX % 10))
			overflow = true;
		else
			*ip = *ip * 10 + d;
		digits = true;
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (*fscale <= UINT64_MAX / 100) {
				*frac = *frac * 10 + (uint64_t)(*p - '0');
				*fscale *= 10;
			}
			digits = true;
		}
	}
	*s = p;
	if (!digits)
		return -EINVAL;
	return overflow ? -ERANGE : 0;
}

/* A decimal number with a unit from `units`, in the unit's scale, exactly
 * (the fraction is scaled in integers, rounded down). 0, -EINVAL, -ERANGE. */
static int parse_scaled(const char *s, const struct unit *units, size_t nunits, uint64_t *out)
{
	uint64_t ip, frac, fscale, scale, v, part;
	size_t i;
	int ret;

	if (!s)
		return -EINVAL;
	ret = scan_decimal(&s, &ip, &frac, &fscale);
	if (ret == -EINVAL)
		return ret;
	for (i = 0; i < nunits; i++)
		if (strcasecmp(s, units[i].name) == 0)
			break;
	if (i == nunits)
		return -EINVAL;
	if (ret < 0)
		return ret;
	scale = units[i].scale;
	if (ip && scale > UINT64_MAX / ip)
		return -ERANGE;
	v = ip * scale;
	part = (uint64_t)((unsigned __int128)frac * scale / fscale);
	if (v > UINT64_MAX - part)
		return -ERANGE;
	*out = v + part;
	return 0;
}

/* `v` in the largest unit of `units` (as listed, last first) that divides
 * it, e.g. "1ms", "64M", "90s". */
static void format_scaled(char *buf, size_t size, uint64_t v, const struct unit *units,
			  size_t nunits, const char *const *names)
{
	size_t i;

	for (i = nunits; i-- > 0;)
		if (names[i] && v && v % units[i].scale == 0) {
			snprintf(buf, size, "%" PRIu64 "%s", v / units[i].scale, names[i]);
			return;
		}
	snprintf(buf, size, "%" PRIu64 "%s", v, names[0] ? names[0] : "");
}

static void format_duration(char *buf, size_t size, uint64_t ns)
{
	/* The units worth printing, by duration_units' index; NULL: skip. */
	static const char *const names[ARRAY_SIZE(duration_units)] = {
		NULL, "ns", "us", "ms", "s", "m", NULL, "h", "d",
	};

	format_scaled(buf, size, ns, duration_units, ARRAY_SIZE(duration_units), names);
}

static void format_size(char *buf, size_t size, uint64_t bytes)
{
	static const char *const names[ARRAY_SIZE(size_units)] = {
		"", NULL, "K", NULL, NULL, "M", NULL, NULL, "G", NULL, NULL, "T", NULL, NULL,
	};

	format_scaled(buf, size, bytes, size_units, ARRAY_SIZE(size_units), names);
}

static void format_integer(char *buf, size_t size, uint64_t v)
{
	snprintf(buf, size, "%" PRIu64, v);
}

/*
 * The one wording of a refusal: "'ARG' is not KIND" for a malformed value,
 * "'ARG' is out of range (MIN to MAX)" for one outside the bounds (only the
 * bound that exists, "at least MIN" or "at most MAX"). Returns `ret`.
 */
static int refuse(int ret, const char *s, const char *kind, uint64_t min, uint64_t max,
		  void (*format)(char *buf, size_t size, uint64_t v), struct ft_error *err)
{
	char lo[32], hi[32];

	if (ret == -EINVAL) {
		error_set(err, "'%s' is not %s", s ? s : "", kind);
		return ret;
	}
	format(lo, sizeof(lo), min);
	format(hi, sizeof(hi), max);
	if (min && max != UINT64_MAX)
		error_set(err, "'%s' is out of range (%s to %s)", s, lo, hi);
	else if (min)
		error_set(err, "'%s' is out of range (at least %s)", s, lo);
	else if (max != UINT64_MAX)
		error_set(err, "'%s' is out of range (at most %s)", s, hi);
	else
		error_set(err, "'%s' is too large", s);
	return ret;
}

static int parse_bounded(const char *s, const struct unit *units, size_t nunits, uint64_t min,
			 uint64_t max, uint64_t *out, const char *kind,
			 void (*format)(char *buf, size_t size, uint64_t v), struct ft_error *err)
{
	uint64_t v = 0;
	int ret = parse_scaled(s, units, nunits, &v);

	if (ret == 0 && (v < min || v > max))
		ret = -ERANGE;
	if (ret < 0)
		return refuse(ret, s, kind, min, max, format, err);
	*out = v;
	return 0;
}

int util_parse_duration(const char *s, uint64_t min_ns, uint64_t max_ns, uint64_t *ns,
			struct ft_error *err)
{
	return parse_bounded(s, duration_units, ARRAY_SIZE(duration_units), min_ns, max_ns, ns,
			     DURATION_KIND, format_duration, err);
}

int util_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *bytes,
		    struct ft_error *err)
{
	return parse_bounded(s, size_units, ARRAY_SIZE(size_units), min, max, bytes, SIZE_KIND,
			     format_size, err);
}

int util_parse_integer(const char *s, uint64_t min, uint64_t max, uint64_t *out,
		       struct ft_error *err)
{
	static const struct unit none[] = { { "", 1 } };

	/* Digits only: no fraction, where parse_scaled would take one. */
	if (s && strchr(s, '.'))
		return refuse(-EINVAL, s, INTEGER_KIND, min, max, format_integer, err);
	return parse_bounded(s, none, ARRAY_SIZE(none), min, max, out, INTEGER_KIND,
			     format_integer, err);
}

int util_parse_number(const char *s, double min, double max, double *out, struct ft_error *err)
{
	uint64_t ip, frac, fscale;
	const char *p = s;
	double v;
	int ret;

	ret = p ? scan_decimal(&p, &ip, &frac, &fscale) : -EINVAL;
	if (ret == -EINVAL || *p) {
		error_set(err, "'%s' is not %s", s ? s : "", NUMBER_KIND);
		return -EINVAL;
	}
	/* The digits are checked; strtod gives the nearest double. */
	v = strtod(s, NULL);
	if (ret < 0 || v < min || v > max) {
		error_set(err, "'%s' is out of range (%g to %g)", s, min, max);
		return -ERANGE;
	}
	*out = v;
	return 0;
}
