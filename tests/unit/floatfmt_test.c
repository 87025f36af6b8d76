#include <math.h>
#include <string.h>

#include "base/floatfmt.h"
#include "unit.h"

static const char *
g(double v)
{
	static char out[FLOATFMT_MAX];

	return floatfmt_g(v, out);
}

static const char *
f(double v)
{
	static char out[FLOATFMT_F_MAX];

	return floatfmt_f(v, out);
}

int
main(void)
{
	/* promtool tsdb dump's own outputs (prometheus-formats 9.3, F3). */
	CHECK_STR(g(1000000), "1e+06");
	CHECK_STR(g(999999), "999999");
	CHECK_STR(g(123456.5), "123456.5");
	CHECK_STR(g(1234567.5), "1.2345675e+06");
	CHECK_STR(g(0.0001), "0.0001");
	CHECK_STR(g(0.00001), "1e-05");
	CHECK_STR(g(-0.0), "-0");
	CHECK_STR(g(0.0), "0");
	CHECK_STR(g(1e21), "1e+21");
	CHECK_STR(g(2.5e-5), "2.5e-05");
	CHECK_STR(g(5e-324), "5e-324");
	CHECK_STR(g(0.1), "0.1");
	CHECK_STR(g(NAN), "NaN");
	CHECK_STR(g(INFINITY), "+Inf");
	CHECK_STR(g(-INFINITY), "-Inf");
	CHECK_STR(g(123456789012345678.0), "1.2345678901234568e+17");
	CHECK_STR(g(1.7976931348623157e308), "1.7976931348623157e+308");
	CHECK_STR(g(1), "1");
	CHECK_STR(g(-1.5), "-1.5");
	CHECK_STR(g(100), "100");
	CHECK_STR(g(9.5), "9.5");
	CHECK_STR(g(2.2250738585072014e-308), "2.2250738585072014e-308");
	CHECK_STR(g(9007199254740993.0), "9.007199254740992e+15");
	/* The HTTP API's form never uses an exponent. */
	CHECK_STR(f(1e21), "1000000000000000000000");
	CHECK_STR(f(1), "1");
	CHECK_STR(f(0.1), "0.1");
	CHECK_STR(f(1.5e-7), "0.00000015");
	CHECK_STR(f(-0.0), "-0");
	CHECK_STR(f(123456.5), "123456.5");
	CHECK_STR(f(NAN), "NaN");
	CHECK(strlen(f(5e-324)) == 2 + 323 + 1);
	return unit_done();
}
