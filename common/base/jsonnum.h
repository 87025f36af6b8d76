/*
 * jsonnum: a JSON number read from text into a double, fast.
 *
 * The grammar is JSON's (RFC 8259): -?(0|[1-9][0-9]*)(.[0-9]+)?
 * ([eE][+-]?[0-9]+)?, nothing more (no '+', no leading zeros, no bare
 * '.', no hex, no "inf").  The value is the double nearest the decimal,
 * ties to even, exactly what strtod(3) gives and so what jansson gives;
 * a decimal that rounds to infinity is an error, as in jansson, and one
 * that rounds to zero is a signed zero.  Most numbers take one or two
 * multiplications (Clinger's exact path, or a 64 x 128 bit product with
 * floatfmt's powers of ten whose error bound decides the rounding); the
 * rare ones the bound cannot decide go to strtod on a bounded copy.
 * Nothing here allocates; the input need not be NUL-terminated.
 */
#ifndef BASE_JSONNUM_H
#define BASE_JSONNUM_H

#include <stddef.h>

#include <stdint.h>

#define JSONNUM_SYNTAX	(-1)	/* not a JSON number */
#define JSONNUM_RANGE	(-2)	/* too large for a double */
#define JSONNUM_NOTINT	(-3)	/* jsonnum_read_int: not such an integer */

/* Read the number starting at p, which ends at end at the latest: 0
 * with the value in *v and *next just past its last character, or
 * JSONNUM_SYNTAX with *next at the first character that does not fit,
 * or JSONNUM_RANGE with *next past the number.  What follows the number
 * is not looked at: "1x" reads as 1 with *next at 'x'. */
int	jsonnum_read(const char *p, const char *end, double *v,
	    const char **next);

/* The same for a number that must be a whole number of magnitude below
 * 2^53, so that the double it reads as holds it exactly ("1000", but
 * also "1e3" or "1000.0", as a double-based reader takes them): into *v,
 * or JSONNUM_NOTINT (*next past the number) if it is another number. */
int	jsonnum_read_int(const char *p, const char *end, int64_t *v,
	    const char **next);

/*
 * Runs of numbers separated by single commas, as series lines' arrays
 * have them, without a call per number: read numbers from *pp (at most
 * max) as long as each is a usual one (plain digits, a point, an
 * exponent, not too many digits, not too near end) and the next follows
 * a comma.  Returns how many; *pp is then just past the last one read
 * (left alone if none), at what follows it.  What they stop at, the
 * caller reads with jsonnum_read, which takes everything.
 */
size_t	jsonnum_read_list(const char **pp, const char *end, double *v,
	    size_t max);
size_t	jsonnum_read_int_list(const char **pp, const char *end, int64_t *v,
	    size_t max);

#endif
