/*
 * matcher: Prometheus label matchers (=, !=, =~, !~) and the series
 * selector syntax that writes them: up{job=~"api|node",env!=""}.
 *
 * Regexes follow Prometheus 2.42: RE2 syntax, fully anchored, and '.'
 * does not match a newline unless the pattern says (?s).  PCRE2 runs them
 * (it accepts RE2's syntax), anchored at both ends by match options (so a
 * pattern is never rewritten), with '$' matching only at the very end, in
 * UTF-8 mode that tolerates invalid UTF-8 in label values.  A label that
 * a series lacks matches as the empty string.  A matcher holds PCRE2 match
 * data, so one matcher must not be used by two threads at once.
 */
#ifndef TSDB_MATCHER_H
#define TSDB_MATCHER_H

#include <stddef.h>

#include "base/labels.h"

enum matcher_type { MATCHER_EQ, MATCHER_NEQ, MATCHER_RE, MATCHER_NRE };

struct matcher {
	enum matcher_type	 type;
	char			*name;		/* owned, NUL-terminated */
	char			*value;		/* owned; vlen bytes + NUL */
	size_t			 vlen;
	void			*re;		/* pcre2_code, for RE/NRE */
	void			*md;		/* pcre2_match_data */
};

/* Build a matcher; the strings are copied.  A bad regex is -1 with the
 * PCRE2 message and position in err. */
int	matcher_init(struct matcher *m, enum matcher_type type,
	    const char *name, const char *value, size_t vlen, char *err);
void	matcher_release(struct matcher *m);

/* 1 if value (n bytes) satisfies m, else 0. */
int	matcher_matches(struct matcher *m, const char *value, size_t n);
/* 1 if m is satisfied by a series without the label (value ""). */
int	matcher_matches_empty(struct matcher *m);
/* Does a label set satisfy m?  An absent label counts as "". */
int	matcher_matches_labels(struct matcher *m, const struct labels *l);

/* "=", "!=", "=~" or "!~". */
const char *matcher_op(enum matcher_type t);

/*
 * Parse one series selector (PromQL's ParseMetricSelector): an optional
 * metric name and an optional {...} list, strings in "", '' or `` with
 * Go's escapes.  Like ParseMetricSelector (and promtool), it accepts
 * selectors whose matchers all match the empty string ({a=""}); PromQL
 * expressions forbid those, and that check belongs to the PromQL parser.
 * On success *out is a new array of *n matchers (free: matchers_free).
 */
int	matcher_parse_selector(const char *s, struct matcher **out, size_t *n,
	    char *err);
void	matchers_free(struct matcher *m, size_t n);

#endif
