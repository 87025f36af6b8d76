#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/errbuf.h"
#include "base/parse.h"

#define QUOTE_SHOW	64	/* input bytes parse_quote shows */

static const struct durunit {
	const char	*name;
	uint64_t	 ms;
} durunits[] = {
	/* Largest first: a duration's units must come in this order. */
	{ "y",	365ULL * 24 * 60 * 60 * 1000 },
	{ "w",	7ULL * 24 * 60 * 60 * 1000 },
	{ "d",	24ULL * 60 * 60 * 1000 },
	{ "h",	60ULL * 60 * 1000 },
	{ "m",	60ULL * 1000 },
	{ "s",	1000 },
	{ "ms",	1 },
};
#define NDURUNITS	(sizeof(durunits) / sizeof(durunits[0]))

static const struct sizeunit {
	const char	*name;
	int		 shift;
} sizeunits[] = {
	{ "",	 0 },	/* ours: Thanos wants "B" */
	{ "B",	 0 },
	{ "KB",	10 }, { "KiB", 10 },
	{ "MB",	20 }, { "MiB", 20 },
	{ "GB",	30 }, { "GiB", 30 },
	{ "TB",	40 }, { "TiB", 40 },
	{ "PB",	50 }, { "PiB", 50 },
	{ "EB",	60 }, { "EiB", 60 },
};
#define NSIZEUNITS	(sizeof(sizeunits) / sizeof(sizeunits[0]))

static int
isdig(char c)
{
	return c >= '0' && c <= '9';
}

/* Read the digits at *sp into *v and move *sp past all of them.
 * Returns how many there were, or -1 if they overflow uint64. */
static int
digits(const char **sp, uint64_t *v)
{
	const char *s = *sp;
	uint64_t x = 0;
	int over = 0, n = 0;

	for (; isdig(*s); s++, n++) {
		if (x > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			over = 1;
		else
			x = x * 10 + (uint64_t)(*s - '0');
	}
	*sp = s;
	*v = x;
	return over ? -1 : n;
}

/* parse_quote for the n bytes at s, which need not end in a NUL. */
static const char *
quote_n(const char *s, size_t n, char out[PARSE_QUOTE_MAX])
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i, o = 0;

	for (i = 0; i < n && i < QUOTE_SHOW; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f) {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[p[i] >> 4];
			out[o++] = hex[p[i] & 0x0f];
		} else
			out[o++] = (char)p[i];
	}
	if (i < n) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}

const char *
parse_quote(const char *s, char out[PARSE_QUOTE_MAX])
{
	return quote_n(s, strlen(s), out);
}

int
parse_duration(const char *s, int64_t *ms, char *err)
{
	char q[PARSE_QUOTE_MAX], qu[PARSE_QUOTE_MAX];
	const char *p = s, *u;
	uint64_t v, total = 0;
	size_t i, ulen, next = 0;

	if (*s == '\0')
		return errbuf_set(err, "bad duration '': empty");
	/* Prometheus takes a bare 0, and only 0, without a unit. */
	if (strcmp(s, "0") == 0) {
		*ms = 0;
		return 0;
	}
	parse_quote(s, q);
	if (*s == '-')
		return errbuf_set(err, "bad duration '%s': negative", q);
	if (!isdig(*s))
		return errbuf_set(err, "bad duration '%s': "
		    "not a number and unit", q);
	while (*p != '\0') {
		/* Here *p is a digit: the loop below stops at one. */
		if (digits(&p, &v) == -1)
			return errbuf_set(err, "bad duration '%s': "
			    "out of range", q);
		/* As in Prometheus, the unit is everything up to the next
		 * digit, so in "5m " the unknown unit is "m ". */
		for (u = p; *p != '\0' && !isdig(*p); p++)
			;
		ulen = (size_t)(p - u);
		if (ulen == 0)
			return errbuf_set(err, "bad duration '%s': "
			    "missing unit", q);
		if (*u == '.')
			return errbuf_set(err, "bad duration '%s': "
			    "fractions are not allowed", q);
		for (i = 0; i < NDURUNITS; i++)
			if (strlen(durunits[i].name) == ulen &&
			    memcmp(u, durunits[i].name, ulen) == 0)
				break;
		if (i == NDURUNITS)
			return errbuf_set(err, "bad duration '%s': "
			    "unknown unit '%s'", q, quote_n(u, ulen, qu));
		if (i + 1 == next)
			return errbuf_set(err, "bad duration '%s': "
			    "unit '%s' repeated", q, durunits[i].name);
		if (i < next)
			return errbuf_set(err, "bad duration '%s': "
			    "unit '%s' after '%s'", q, durunits[i].name,
			    durunits[next - 1].name);
		next = i + 1;
		if (v > (uint64_t)INT64_MAX / durunits[i].ms ||
		    v * durunits[i].ms > (uint64_t)INT64_MAX - total)
			return errbuf_set(err, "bad duration '%s': "
			    "out of range", q);
		total += v * durunits[i].ms;
	}
	*ms = (int64_t)total;
	return 0;
}

int
parse_duration_format(int64_t ms, char *out, size_t n)
{
	char tmp[PARSE_DURATION_MAX];
	uint64_t left, v;
	size_t i, o = 0;

	if (ms == 0)
		o = (size_t)snprintf(tmp, sizeof(tmp), "0s");
	else {
		/* Work on the magnitude: -INT64_MIN does not fit an int64. */
		if (ms < 0) {
			tmp[o++] = '-';
			left = (uint64_t)0 - (uint64_t)ms;
		} else
			left = (uint64_t)ms;
		for (i = 0; i < NDURUNITS; i++) {
			/* y and w only when exact: "90d" reads better than
			 * "12w6d" (Prometheus does the same). */
			if (i < 2 && left % durunits[i].ms != 0)
				continue;
			if ((v = left / durunits[i].ms) == 0)
				continue;
			o += (size_t)snprintf(tmp + o, sizeof(tmp) - o,
			    "%llu%s", (unsigned long long)v,
			    durunits[i].name);
			left -= v * durunits[i].ms;
		}
	}
	if (o >= n) {
		if (n > 0)
			out[0] = '\0';
		errno = ERANGE;
		return -1;
	}
	memcpy(out, tmp, o + 1);
	return 0;
}

int
parse_uint64(const char *s, uint64_t min, uint64_t max, uint64_t *out,
    char *err)
{
	char q[PARSE_QUOTE_MAX];
	const char *p = s;
	uint64_t v;
	int n;

	parse_quote(s, q);
	if (*s == '\0')
		return errbuf_set(err, "bad number '': empty");
	n = digits(&p, &v);
	if (n == 0 || *p != '\0')
		return errbuf_set(err, "bad number '%s': "
		    "not a decimal number", q);
	if (n == -1 || v > max)
		return errbuf_set(err, "bad number '%s': too large (max %llu)",
		    q, (unsigned long long)max);
	if (v < min)
		return errbuf_set(err, "bad number '%s': too small (min %llu)",
		    q, (unsigned long long)min);
	*out = v;
	return 0;
}

int
parse_bool(const char *s, int *out, char *err)
{
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true",
	    "True" };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false",
	    "False" };
	char q[PARSE_QUOTE_MAX];
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return errbuf_set(err, "bad boolean '%s': want true or false",
	    parse_quote(s, q));
}

int
parse_size(const char *s, uint64_t *bytes, char *err)
{
	char q[PARSE_QUOTE_MAX], qu[PARSE_QUOTE_MAX];
	const char *p = s, *frac = NULL, *u;
	uint64_t whole, mult, part = 0;
	size_t i, nfrac = 0;
	int n;

	if (*s == '\0')
		return errbuf_set(err, "bad size '': empty");
	parse_quote(s, q);
	if ((n = digits(&p, &whole)) == 0)
		return errbuf_set(err, "bad size '%s': %s", q, *s == '-' ?
		    "negative" : "not a number and unit");
	if (*p == '.') {
		frac = ++p;
		while (isdig(*p))
			p++;
		if ((nfrac = (size_t)(p - frac)) == 0)
			return errbuf_set(err, "bad size '%s': "
			    "no digits after the point", q);
	}
	u = p;
	for (i = 0; i < NSIZEUNITS; i++)
		if (strcmp(u, sizeunits[i].name) == 0)
			break;
	if (i == NSIZEUNITS)
		return errbuf_set(err, "bad size '%s': unknown unit '%s' "
		    "(want B, KB, MB, GB, TB, PB, EB or KiB ... EiB)", q,
		    parse_quote(u, qu));
	if (frac != NULL && sizeunits[i].shift == 0)
		return errbuf_set(err, "bad size '%s': "
		    "fraction of a byte", q);
	mult = (uint64_t)1 << sizeunits[i].shift;
	if (n == -1 || whole > UINT64_MAX / mult)
		return errbuf_set(err, "bad size '%s': out of range", q);
	whole *= mult;
	/* The fraction's share, cut to whole bytes, without floating point:
	 * Horner's rule from the last digit, floor((d * mult + x) / 10) at
	 * each step, is exactly floor(0.d1d2...dk * mult), and 9 * mult +
	 * x < 10 * 2^60 never overflows. */
	while (nfrac > 0) {
		nfrac--;
		part = ((uint64_t)(frac[nfrac] - '0') * mult + part) / 10;
	}
	if (part > UINT64_MAX - whole)
		return errbuf_set(err, "bad size '%s': out of range", q);
	*bytes = whole + part;
	return 0;
}
