/*
 * fetch: one remote read to every picked store at once (net/fanout),
 * STREAMED_XOR_CHUNKS asked first and SAMPLES accepted, each answer
 * decoded into series with their samples in the asked range.  A store
 * that fails, times out or answers garbage becomes a warning naming it;
 * the rest is kept (partial response), and the caller decides whether a
 * warning is an error.
 */
#ifndef QM_FETCH_H
#define QM_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "base/labels.h"
#include "tsdb/matcher.h"
#include "stores.h"

struct fseries {
	struct labels	 labels;	/* sorted; strings in mem */
	char		*mem;
	int64_t		*t;
	double		*v;
	size_t		 n;
	unsigned	 store;		/* index in the pick */
	unsigned	 query;		/* which selector */
};

struct fetch {
	struct fseries	*s;
	size_t		 n, cap;
	char		**warn;		/* one line each */
	size_t		 nwarn;
};

/* One selector of a fetch: its matchers (borrowed) and range. */
struct fetch_sel {
	struct matcher	*m;
	size_t		 nm;
	int64_t		 mint, maxt;
	int		 counter;	/* read by rate() and kin: see
					   series/counter.h */
};

/* Ask every store in p for every selector.  -1 only on ENOMEM (err). */
int	fetch_run(struct fetch *f, const struct store_pick *p,
	    const struct fetch_sel *sel, size_t nsel, long timeout_ms,
	    char *err);
void	fetch_release(struct fetch *f);
int	fetch_warn(struct fetch *f, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
