#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/floatfmt.h"

/*
 * The shortest digits of v (v finite, not zero): digits[] gets nd ASCII
 * digits without a dot, *exp the decimal exponent of the first digit
 * (v = 0.d1d2... * 10^(exp+1)).
 */
static void
shortest(double v, char digits[20], int *nd, int *exp)
{
	char tmp[40], *e;
	int p;

	for (p = 1; p <= 17; p++) {
		snprintf(tmp, sizeof(tmp), "%.*e", p - 1, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	/* tmp is "[-]d[.ddd]e[+-]x" */
	e = strchr(tmp, 'e');
	*exp = atoi(e + 1);
	*nd = 0;
	for (char *c = tmp; c < e; c++)
		if (*c >= '0' && *c <= '9')
			digits[(*nd)++] = *c;
	/* %.*e keeps trailing zeros of the mantissa; Go does not. */
	while (*nd > 1 && digits[*nd - 1] == '0')
		(*nd)--;
	digits[*nd] = '\0';
}

static int
special(double v, char *out)
{
	if (isnan(v))
		strcpy(out, "NaN");
	else if (isinf(v))
		strcpy(out, v > 0 ? "+Inf" : "-Inf");
	else if (v == 0)
		strcpy(out, signbit(v) ? "-0" : "0");
	else
		return 0;
	return 1;
}

/* Plain decimal of digits with the first digit at 10^exp. */
static char *
plain(char *o, const char *digits, int nd, int exp)
{
	if (exp < 0) {
		*o++ = '0';
		*o++ = '.';
		for (int i = -1; i > exp; i--)
			*o++ = '0';
		memcpy(o, digits, (size_t)nd);
		o += nd;
	} else {
		for (int i = 0; i <= exp || i < nd; i++) {
			if (i == exp + 1)
				*o++ = '.';
			*o++ = i < nd ? digits[i] : '0';
		}
	}
	*o = '\0';
	return o;
}

char *
floatfmt_g(double v, char out[FLOATFMT_MAX])
{
	char digits[20], *o = out;
	int nd, exp;

	if (special(v, out))
		return out;
	if (v < 0)
		*o++ = '-';
	shortest(fabs(v), digits, &nd, &exp);
	/* Go decides the form by the exponent alone when it prints the
	 * shortest digits (strconv: eprec = 6), so 1e+06 but 123456. */
	if (exp < -4 || exp >= 6) {
		*o++ = digits[0];
		if (nd > 1) {
			*o++ = '.';
			memcpy(o, digits + 1, (size_t)nd - 1);
			o += nd - 1;
		}
		sprintf(o, "e%c%02d", exp < 0 ? '-' : '+', abs(exp));
		return out;
	}
	plain(o, digits, nd, exp);
	return out;
}

char *
floatfmt_f(double v, char out[FLOATFMT_F_MAX])
{
	char digits[20], *o = out;
	int nd, exp;

	if (special(v, out))
		return out;
	if (v < 0)
		*o++ = '-';
	shortest(fabs(v), digits, &nd, &exp);
	plain(o, digits, nd, exp);
	return out;
}
