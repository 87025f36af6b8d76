/*
 * unit.h: the whole C unit-test harness.  A test file is a main() that
 * calls CHECK* and ends with "return unit_done();", which prints one TAP-ish
 * summary line and returns non-zero if anything failed.  Run under ASan and
 * UBSan by "make asan".
 */
#ifndef UNIT_H
#define UNIT_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int unit_checks, unit_failed;

#define CHECK(cond) do {						\
	unit_checks++;							\
	if (!(cond)) {							\
		unit_failed++;						\
		fprintf(stderr, "%s:%d: check failed: %s\n",		\
		    __FILE__, __LINE__, #cond);				\
	}								\
} while (0)

#define CHECK_STR(got, want) do {					\
	const char *g_ = (got), *w_ = (want);				\
	unit_checks++;							\
	if (g_ == NULL || strcmp(g_, w_) != 0) {			\
		unit_failed++;						\
		fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n",	\
		    __FILE__, __LINE__, g_ ? g_ : "(null)", w_);	\
	}								\
} while (0)

#define CHECK_INT(got, want) do {					\
	long long g_ = (long long)(got), w_ = (long long)(want);	\
	unit_checks++;							\
	if (g_ != w_) {							\
		unit_failed++;						\
		fprintf(stderr, "%s:%d: %s = %lld, want %lld\n",	\
		    __FILE__, __LINE__, #got, g_, w_);			\
	}								\
} while (0)

static inline int
unit_done(void)
{
	fprintf(stderr, "%s: %d checks, %d failed\n",
	    program_invocation_short_name, unit_checks,
	    unit_failed);
	return unit_failed != 0;
}

#endif
