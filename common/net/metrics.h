/*
 * metrics: a registry of counters, gauges and histograms, rendered in the
 * Prometheus text exposition format 0.0.4 for a server's /metrics.
 *
 * A family (struct metric) has a name, a help text and 0..N label names;
 * its children are picked by label values, in label-name order, and are
 * created on first use.  Families and children live until metrics_free:
 * a struct metric pointer stays valid that long and needs no lookup.
 *
 * What always holds:
 *  - names are valid: metric names match [a-zA-Z_:][a-zA-Z0-9_:]*, label
 *    names [a-zA-Z_][a-zA-Z0-9_]* and do not start with "__"; a histogram
 *    has no label "le";
 *  - a name is registered once: asking again with the same type, help,
 *    labels (and buckets) gives the same family, anything else fails;
 *  - counters never go down and are never NaN;
 *  - output is deterministic: families sorted by name, children by their
 *    label values (compared as a tuple, byte-wise), label values escaped
 *    (\\ \" \n), HELP escaped (\\ \n); numbers are +Inf, -Inf, NaN,
 *    integers up to 2^53 without exponent, anything else in the shortest
 *    form that reads back to the same double.  A labelled family without
 *    children is not written at all; one without labels always shows its
 *    single child (0 until updated);
 *  - histograms are written with cumulative _bucket{le="..."} lines, the
 *    last one le="+Inf", then _sum and _count, and a render never sees
 *    half an observation.
 *
 * Threads: every function may be called from any thread.  Each family has
 * a mutex that guards its children and their values; an update holds it
 * for a lookup (binary search) and a few additions, so updates to one
 * family serialize but never block on I/O.  A mutex rather than atomics
 * keeps a histogram's buckets, sum and count consistent with each other.
 * The registry has its own mutex for the family list, held while
 * registering and for the whole of a render.  Callbacks of the _func
 * families run during a render with that mutex held: they may update
 * other families but must not register anything (it would deadlock).
 *
 * Label values come from the caller: unbounded values (paths, user input)
 * make unbounded memory.  Map them to a small set first.
 */
#ifndef NET_METRICS_H
#define NET_METRICS_H

#include <stddef.h>

#include "base/buf.h"
#include "base/errbuf.h"

struct metrics;
struct metric;

/* Content-Type of what metrics_render writes. */
#define METRICS_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

/* An empty registry; NULL with errno ENOMEM. */
struct metrics *metrics_new(void);

/* Free the registry and every family and child in it; NULL is a no-op.
 * No other thread may be using it any more. */
void	metrics_free(struct metrics *reg);

/*
 * Register a family, or get the one registered before under the same name
 * if its type, help and label names are the same.  help (NULL = "") and
 * labelnames (a NULL-terminated list, or NULL for none) are copied.  The
 * returned family belongs to reg.  NULL with a line in err for a bad name,
 * a name already taken by something different, or ENOMEM.
 */
struct metric *metrics_counter(struct metrics *reg, const char *name,
	    const char *help, const char *const *labelnames, char *err);
struct metric *metrics_gauge(struct metrics *reg, const char *name,
	    const char *help, const char *const *labelnames, char *err);

/* Go's prometheus.DefBuckets, used when buckets is NULL. */
#define METRICS_DEFAULT_BUCKETS	\
	{ .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10 }

/*
 * Like metrics_counter for a histogram with nbuckets upper bounds (copied;
 * strictly increasing, not NaN; a last +Inf is dropped since +Inf is
 * always added).  buckets NULL means METRICS_DEFAULT_BUCKETS.  A second
 * registration must also have the same bounds.
 */
struct metric *metrics_histogram(struct metrics *reg, const char *name,
	    const char *help, const char *const *labelnames,
	    const double *buckets, size_t nbuckets, char *err);

/*
 * A label-less gauge or counter whose value fn computes at each render:
 * fn stores it in *v and returns 0, or returns -1 to leave the family out
 * of this render.  fn(arg) runs with the registry locked (see above) and
 * arg must stay valid until metrics_free.  Registering the same name with
 * the same fn, arg and help again is a no-op; -1 with a line in err for a
 * bad or taken name or ENOMEM.
 */
int	metrics_gauge_func(struct metrics *reg, const char *name,
	    const char *help, int (*fn)(void *arg, double *v), void *arg,
	    char *err);
int	metrics_counter_func(struct metrics *reg, const char *name,
	    const char *help, int (*fn)(void *arg, double *v), void *arg,
	    char *err);

/*
 * The process metrics of client_golang's process collector, read from
 * /proc at each render: process_cpu_seconds_total,
 * process_resident_memory_bytes, process_virtual_memory_bytes,
 * process_open_fds and process_max_fds; and process_start_time_seconds,
 * read once now.  -1 with a line in err if /proc cannot be read or a name
 * is taken.  Calling it twice is harmless.
 */
int	metrics_add_process(struct metrics *reg, char *err);

/*
 * The gauge name{version="<version>"} with the constant value 1, the way
 * thanos_build_info tells which build is running.  name is the whole
 * metric name, e.g. "strata_build_info".  -1 with a line in err.
 */
int	metrics_add_build_info(struct metrics *reg, const char *name,
	    const char *version, char *err);

/*
 * Append the whole registry to out in the text format.  -1 with errno
 * ENOMEM, or ENOBUFS past out's cap; out then holds a cut-off text that
 * must not be served.
 */
int	metrics_render(struct metrics *reg, struct buf *out);

/*
 * Updates.  values holds n label values (copied when a child is created)
 * in the family's label-name order.  -1 with errno EINVAL when n is not
 * the family's label count, a value is NULL, the update does not fit the
 * type (set or observe on a counter, a negative or NaN counter increment,
 * observe on a gauge, add or set on a histogram), or m is NULL; ENOMEM
 * when a new child cannot be made.  Nothing changes on failure.
 */
int	metric_add_values(struct metric *m, double v,
	    const char *const *values, size_t n);
int	metric_set_values(struct metric *m, double v,
	    const char *const *values, size_t n);
int	metric_observe_values(struct metric *m, double v,
	    const char *const *values, size_t n);

/*
 * The same with the label values as arguments, counted at compile time:
 * metric_inc(requests, "200", "GET"), metric_set(up, 1) for no labels.
 * Counters take add and inc, gauges add, inc and set, histograms observe.
 */
#define METRIC_VALUES_(...)	((const char *const []){ NULL, __VA_ARGS__ })
#define METRIC_NVALUES_(...)	\
	(sizeof(METRIC_VALUES_(__VA_ARGS__)) / sizeof(const char *) - 1)
#define METRIC_ARGS_(...)	\
	METRIC_VALUES_(__VA_ARGS__) + 1, METRIC_NVALUES_(__VA_ARGS__)

#define metric_add(m, v, ...)	\
	metric_add_values((m), (v), METRIC_ARGS_(__VA_ARGS__))
#define metric_inc(m, ...)	\
	metric_add_values((m), 1.0, METRIC_ARGS_(__VA_ARGS__))
#define metric_set(m, v, ...)	\
	metric_set_values((m), (v), METRIC_ARGS_(__VA_ARGS__))
#define metric_observe(m, v, ...)	\
	metric_observe_values((m), (v), METRIC_ARGS_(__VA_ARGS__))

#endif
