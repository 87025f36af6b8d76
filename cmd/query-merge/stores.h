/*
 * stores: the endpoints query-merge reads from.  --store specs are
 * resolved (net/endpoint) and every resulting URL is asked what it is,
 * as Thanos' querier asks each store for its info:
 *   a store-serve (GET /api/v1/blocks): its blocks' external label sets
 *     and time range;
 *   a query-merge (GET /api/v1/stores): the union of its stores';
 *   a Prometheus (GET /api/v1/status/config): its external labels, and
 *     data from its lowest timestamp (/metrics) to forever.
 * A refresh thread repeats both every --store.sd-dns-interval.  A query
 * takes a snapshot of the stores whose range and label sets can hold
 * data for it.
 */
#ifndef QM_STORES_H
#define QM_STORES_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "base/labels.h"
#include "net/endpoint.h"
#include "tsdb/matcher.h"

enum store_kind { STORE_UNKNOWN, STORE_PROMETHEUS, STORE_STORE, STORE_QUERY };

/* One label set, owning its strings. */
struct lset {
	struct labels	 l;
	char		*mem;
};

struct store {
	char		*url;		/* base URL, no trailing '/' */
	enum store_kind	 kind;
	struct lset	*lsets;
	size_t		 nlsets;
	int64_t		 mint, maxt;	/* ms, closed */
	int64_t		 last_check;	/* ms since the epoch, 0: never */
	char		 last_error[ERR_MAX];	/* "" when none */
};

struct stores {
	pthread_mutex_t		 mu;
	struct endpoint_spec	*specs;
	size_t			 nspecs;
	char			*dns_server;	/* NULL: resolv.conf */
	int64_t			 interval_ms;
	long			 timeout_ms;	/* per info request */
	struct store		*v;		/* sorted by url */
	size_t			 n;
	char			 dns_error[ERR_MAX];
	int			 refreshed;	/* at least once */
};

/* A query's copy: URLs of the stores to ask. */
struct store_pick {
	char	**url;
	size_t	  n;
};

int	stores_init(struct stores *s, const char *const *specs, size_t n,
	    const char *dns_server, int64_t interval_ms, long timeout_ms,
	    char *err);
/* Resolve and ask every store once (blocking). */
void	stores_refresh(struct stores *s);
/* The stores that can hold series matching m in [mint, maxt]. */
int	stores_pick(struct stores *s, struct matcher *const *m,
	    const size_t *nm, size_t nsel, int64_t mint, int64_t maxt,
	    struct store_pick *out);
void	store_pick_release(struct store_pick *p);
/* /api/v1/stores' data, Thanos' shape: {"store":[...], "sidecar":...}. */
int	stores_json(struct stores *s, struct buf *out);
/* Every label set and the overall time range (for our own stores
 * answer, when another query-merge asks). */
void	stores_release(struct stores *s);

#endif
