/*
 * gomath: the few functions of Go's math package whose results PromQL
 * users can see and that glibc rounds differently: Pow (whose integer
 * powers Go computes by repeated squaring on Frexp/Ldexp, exactly
 * reproducible), Ldexp, and Max/Min with Go's NaN and zero rules.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "promql/eval.h"

double
ev_go_max(double a, double b)
{
	if (isinf(a) && a > 0)
		return a;
	if (isinf(b) && b > 0)
		return b;
	if (isnan(a) || isnan(b))
		return NAN;
	if (a == 0 && a == b)
		return signbit(a) ? b : a;
	return a > b ? a : b;
}

double
ev_go_min(double a, double b)
{
	if (isinf(a) && a < 0)
		return a;
	if (isinf(b) && b < 0)
		return b;
	if (isnan(a) || isnan(b))
		return NAN;
	if (a == 0 && a == b)
		return signbit(a) ? a : b;
	return a < b ? a : b;
}

/* Go's Ldexp: one rounding at the end, and 0 below 2^-1075. */
static double
go_ldexp(double frac, int exp)
{
	uint64_t x;
	double m = 1;
	int e;

	if (frac == 0 || isinf(frac) || isnan(frac))
		return frac;
	frac = frexp(frac, &e);
	exp += e;
	/* frexp's fraction has the exponent bits of 2^-1. */
	memcpy(&x, &frac, sizeof(x));
	exp += (int)((x >> 52) & 0x7ff) - 1023;
	if (exp < -1075)
		return copysign(0, frac);
	if (exp > 1023)
		return frac < 0 ? -INFINITY : INFINITY;
	if (exp < -1022) {
		exp += 53;
		m = 1.0 / 9007199254740992.0;
	}
	x &= ~((uint64_t)0x7ff << 52);
	x |= (uint64_t)(exp + 1023) << 52;
	memcpy(&frac, &x, sizeof(frac));
	return m * frac;
}

static int
is_odd_int(double x)
{
	double xi, xf;

	if (fabs(x) >= 9007199254740992.0)
		return 0;
	xf = modf(x, &xi);
	return xf == 0 && ((int64_t)xi & 1) == 1;
}

double
ev_go_pow(double x, double y)
{
	double yi, yf, a1 = 1, x1;
	int ae = 0, xe;

	if (y == 0 || x == 1)
		return 1;
	if (y == 1)
		return x;
	if (isnan(x) || isnan(y))
		return NAN;
	if (x == 0) {
		if (y < 0)
			return signbit(x) && is_odd_int(y) ? -INFINITY :
			    INFINITY;
		return signbit(x) && is_odd_int(y) ? x : 0;
	}
	if (isinf(y)) {
		if (x == -1)
			return 1;
		return (fabs(x) < 1) == (y > 0) ? 0 : INFINITY;
	}
	if (isinf(x)) {
		if (x < 0)
			return ev_go_pow(1 / x, -y);	/* Pow(-0, -y) */
		return y < 0 ? 0 : INFINITY;
	}
	if (y == 0.5)
		return sqrt(x);
	if (y == -0.5)
		return 1 / sqrt(x);
	yf = modf(fabs(y), &yi);
	if (yf != 0 && x < 0)
		return NAN;
	if (yi >= 9223372036854775808.0) {
		/* A huge even power: overflow or underflow, but of -1. */
		if (x == -1)
			return 1;
		return (fabs(x) < 1) == (y > 0) ? 0 : INFINITY;
	}
	if (yf != 0) {
		if (yf > 0.5) {
			yf--;
			yi++;
		}
		/* Go's amd64 Exp and Log may differ from glibc's in the
		 * last bit here; integer powers below are exact. */
		a1 = exp(yf * log(x));
	}
	x1 = frexp(x, &xe);
	for (int64_t i = (int64_t)yi; i != 0; i >>= 1) {
		if (xe < -(1 << 12) || (1 << 12) < xe) {
			/* Catastrophic overflow, as Go guards it. */
			ae += xe;
			break;
		}
		if (i & 1) {
			a1 *= x1;
			ae += xe;
		}
		x1 *= x1;
		xe *= 2;
		if (x1 < .5) {
			x1 += x1;
			xe--;
		}
	}
	if (y < 0) {
		a1 = 1 / a1;
		ae = -ae;
	}
	return go_ldexp(a1, ae);
}

/*
 * Go's math.Log on amd64: the classic fdlibm reduction and polynomial,
 * with the exponent and fraction taken straight from the bits, so that a
 * subnormal x is read as 2^-1022 * (0.5 + fraction) (Prometheus returns
 * log10(5e-324) = -307.95, not -323.3; glibc gives the latter).
 */
double
ev_go_log(double x)
{
	static const double ln2hi = 6.93147180369123816490e-01;
	static const double ln2lo = 1.90821492927058770002e-10;
	static const double l1 = 6.666666666666735130e-01;
	static const double l2 = 3.999999999940941908e-01;
	static const double l3 = 2.857142874366239149e-01;
	static const double l4 = 2.222219843214978396e-01;
	static const double l5 = 1.818357216161805012e-01;
	static const double l6 = 1.531383769920937332e-01;
	static const double l7 = 1.479819860511658591e-01;
	double f1, f, k, s, s2, s4, t1, t2, r, hfsq;
	uint64_t bits;
	int ki;

	if (isnan(x) || (isinf(x) && x > 0))
		return x;
	if (x < 0)
		return NAN;
	if (x == 0)
		return -INFINITY;
	memcpy(&bits, &x, sizeof(bits));
	ki = (int)((bits >> 52) & 0x7ff) - 0x3fe;
	bits = (bits & 0x000fffffffffffffULL) | 0x3fe0000000000000ULL;
	memcpy(&f1, &bits, sizeof(f1));
	if (f1 < M_SQRT2 / 2) {
		f1 *= 2;
		ki--;
	}
	f = f1 - 1;
	k = ki;
	s = f / (2 + f);
	s2 = s * s;
	s4 = s2 * s2;
	t1 = s2 * (l1 + s4 * (l3 + s4 * (l5 + s4 * l7)));
	t2 = s4 * (l2 + s4 * (l4 + s4 * l6));
	r = t1 + t2;
	hfsq = 0.5 * f * f;
	return k * ln2hi - ((hfsq - (s * (hfsq + r) + k * ln2lo)) - f);
}

/* Go's Log10: Log(x) * (1/Ln10), the constant rounded once. */
double
ev_go_log10(double x)
{
	return ev_go_log(x) * 0.43429448190325182765112891891660508;
}

/* Go's Log2: exact for powers of two, else Log(frac)/Ln2 + exp. */
double
ev_go_log2(double x)
{
	double frac;
	int exp;

	if (x == 0 || isinf(x) || isnan(x))
		return ev_go_log(x) * 1.44269504088896340735992468100189214;
	frac = frexp(x, &exp);
	if (frac == 0.5)
		return exp - 1;
	return ev_go_log(frac) * 1.44269504088896340735992468100189214 + exp;
}

/*
 * Go's math.Sin and math.Cos (pure Go on amd64, from Cephes): octant
 * reduction with Pi/4 in three parts and two degree-6 polynomials.
 * Arguments past 2^29, where Go switches to Payne-Hanek reduction, go
 * to glibc.
 */
static const double go_sin_c[] = {
	1.58962301576546568060e-10, -2.50507477628578072866e-8,
	2.75573136213857245213e-6, -1.98412698295895385996e-4,
	8.33333333332211858878e-3, -1.66666666666666307295e-1,
};
static const double go_cos_c[] = {
	-1.13585365213876817300e-11, 2.08757008419747316778e-9,
	-2.75573141792967388112e-7, 2.48015872888517045348e-5,
	-1.38888888888730564116e-3, 4.16666666666665929218e-2,
};

static double
go_trig(double x, int cosine)
{
	static const double pi4a = 7.85398125648498535156e-1;
	static const double pi4b = 3.77489470793079817668e-8;
	static const double pi4c = 2.69515142907905952645e-15;
	double y, z, zz;
	uint64_t j;
	int sign = 0;

	if (x < 0) {
		x = -x;
		sign = !cosine;
	}
	j = (uint64_t)(x * (4 / M_PI));
	y = (double)j;
	if (j & 1) {
		j++;
		y++;
	}
	j &= 7;
	z = ((x - y * pi4a) - y * pi4b) - y * pi4c;
	if (j > 3) {
		j -= 4;
		sign = !sign;
	}
	if (cosine && j > 1)
		sign = !sign;
	zz = z * z;
	if ((!cosine && (j == 1 || j == 2)) || (cosine && (j == 0 || j == 3)))
		y = 1.0 - 0.5 * zz + zz * zz * ((((((go_cos_c[0] * zz) +
		    go_cos_c[1]) * zz + go_cos_c[2]) * zz + go_cos_c[3]) * zz +
		    go_cos_c[4]) * zz + go_cos_c[5]);
	else
		y = z + z * zz * ((((((go_sin_c[0] * zz) + go_sin_c[1]) * zz +
		    go_sin_c[2]) * zz + go_sin_c[3]) * zz + go_sin_c[4]) * zz +
		    go_sin_c[5]);
	return sign ? -y : y;
}

double
ev_go_sin(double x)
{
	if (x == 0 || isnan(x))
		return x;
	if (isinf(x))
		return NAN;
	if (fabs(x) >= 536870912.0)
		return sin(x);
	return go_trig(x, 0);
}

double
ev_go_cos(double x)
{
	if (isnan(x) || isinf(x))
		return NAN;
	if (fabs(x) >= 536870912.0)
		return cos(x);
	return go_trig(x, 1);
}
