#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "base/backoff.h"
#include "base/clock.h"
#include "base/errbuf.h"
#include "base/log.h"
#include "base/sig.h"
#include "bucket/store.h"
#include "net/httpd.h"
#include "net/metrics.h"
#include "serve.h"
#include "server.h"

/* How long SIGTERM waits for requests in flight. */
#define DRAIN_MS	30000
/* The loop wakes at least this often, to publish bucket statistics. */
#define TICK_MS		5000

struct serve {
	const struct serve_config *c;
	struct store	 store;
	struct server	 sv;
	struct httpd	 httpd;
	struct metrics	*reg;
	struct metric	*m_syncs, *m_sync_fails, *m_loads_failed, *m_blocks,
			*m_ops, *m_op_fails, *m_op_bytes, *m_cache;
	struct bucket_stats last;
	struct pagecache_stats last_cache;
	int		 ready;
};

static void
on_block_error(void *arg, const char *ulid, const char *err)
{
	struct serve *s = arg;

	metric_inc(s->m_loads_failed);
	log_error("block skipped: it does not load", "block", ulid, "err",
	    err);
}

/* Counters mirror the bucket's and the cache's own running totals. */
static void
publish(struct serve *s)
{
	struct bucket_stats now;
	struct pagecache_stats cs;
	struct store_set *set;

	bucket_stats_read(s->c->bkt, &now);
	for (int op = 0; op < BUCKET_OP_N; op++) {
		const char *name = bucket_op_name(op);

		metric_add(s->m_ops, (double)(now.ops[op] - s->last.ops[op]),
		    name);
		metric_add(s->m_op_fails,
		    (double)(now.failures[op] - s->last.failures[op]), name);
		metric_add(s->m_op_bytes,
		    (double)(now.bytes[op] - s->last.bytes[op]), name);
	}
	s->last = now;
	pagecache_stats(s->store.pc, &cs);
	metric_add(s->m_cache, (double)(cs.hits - s->last_cache.hits), "hit");
	metric_add(s->m_cache, (double)(cs.misses - s->last_cache.misses),
	    "miss");
	s->last_cache = cs;
	set = store_acquire(&s->store);
	metric_set(s->m_blocks, (double)set->n);
	store_set_release(set);
}

static int
setup_metrics(struct serve *s, char *err)
{
	static const char *const op[] = { "operation", NULL };
	static const char *const result[] = { "result", NULL };
	struct metrics *reg;

	if ((s->reg = reg = metrics_new()) == NULL)
		return errbuf_sys(err, "metrics");
	s->m_syncs = metrics_counter(reg, "thanos_blocks_meta_syncs_total",
	    "Total blocks metadata synchronization attempts.", NULL, err);
	s->m_sync_fails = metrics_counter(reg,
	    "thanos_blocks_meta_sync_failures_total",
	    "Total blocks metadata synchronization failures.", NULL, err);
	s->m_loads_failed = metrics_counter(reg,
	    "thanos_bucket_store_block_load_failures_total",
	    "Total number of failed block loads.", NULL, err);
	s->m_blocks = metrics_gauge(reg, "thanos_bucket_store_blocks_loaded",
	    "Number of currently loaded blocks.", NULL, err);
	s->m_ops = metrics_counter(reg,
	    "thanos_objstore_bucket_operations_total",
	    "Total number of bucket operations.", op, err);
	s->m_op_fails = metrics_counter(reg,
	    "thanos_objstore_bucket_operation_failures_total",
	    "Total number of bucket operations that failed.", op, err);
	s->m_op_bytes = metrics_counter(reg,
	    "strata_objstore_bucket_operation_bytes_total",
	    "Bytes fetched or sent by bucket operations.", op, err);
	s->m_cache = metrics_counter(reg, "strata_chunk_cache_requests_total",
	    "Chunk page cache lookups by result.", result, err);
	if (!s->m_syncs || !s->m_sync_fails || !s->m_loads_failed ||
	    !s->m_blocks || !s->m_ops || !s->m_op_fails || !s->m_op_bytes ||
	    !s->m_cache)
		return -1;
	if (metrics_add_process(reg, err) == -1 ||
	    metrics_add_build_info(reg, "strata_build_info", VERSION,
	    err) == -1)
		return -1;
	return 0;
}

static int
sync_once(struct serve *s)
{
	char err[ERR_MAX], n[32];
	struct store_set *set;

	metric_inc(s->m_syncs);
	if (store_sync(&s->store, err) == -1) {
		metric_inc(s->m_sync_fails);
		log_error("bucket sync failed", "bucket", s->c->bkt->url, "err",
		    err);
		return -1;
	}
	set = store_acquire(&s->store);
	snprintf(n, sizeof(n), "%zu", set->n);
	log_debug("bucket synced", "blocks", n);
	store_set_release(set);
	if (!s->ready) {
		s->ready = 1;
		httpd_set_ready(&s->httpd, 1);
		log_info("ready: first bucket sync done", "bucket",
		    s->c->bkt->url);
	}
	return 0;
}

static int
loop(struct serve *s)
{
	struct backoff bo;
	int64_t next_sync = 0, now, wait;
	int sig;

	backoff_init(&bo, 500, 30000);
	for (;;) {
		struct pollfd pfd = { .fd = s->c->sigfd, .events = POLLIN };

		now = clock_mono_ms();
		if (now >= next_sync) {
			if (sync_once(s) == 0) {
				backoff_reset(&bo);
				next_sync = clock_mono_ms() +
				    s->c->sync_interval_ms;
			} else if (!s->ready)
				next_sync = clock_mono_ms() + backoff_next(&bo);
			else
				next_sync = clock_mono_ms() +
				    s->c->sync_interval_ms;
			publish(s);
			now = clock_mono_ms();
		}
		wait = next_sync - now;
		if (wait > TICK_MS)
			wait = TICK_MS;
		if (poll(&pfd, 1, (int)(wait > 0 ? wait : 0)) == -1 &&
		    errno != EINTR)
			return -1;
		while ((sig = sig_next(s->c->sigfd)) > 0) {
			if (sig == SIGHUP) {
				log_info("SIGHUP: syncing the bucket now");
				next_sync = 0;
				continue;
			}
			log_info("draining and exiting", "signal",
			    strsignal(sig));
			return 0;
		}
		publish(s);
	}
}

int
serve_run(const struct serve_config *c, char *err)
{
	struct serve s = { .c = c };
	int r = -1;

	if (setup_metrics(&s, err) == -1) {
		metrics_free(s.reg);
		return -1;
	}
	if (store_init(&s.store, c->bkt, c->data_dir, c->cache_bytes,
	    on_block_error, &s, err) == -1) {
		metrics_free(s.reg);
		return -1;
	}
	s.sv.store = &s.store;
	httpd_init(&s.httpd);
	if (httpd_start(&s.httpd, c->http_address, server_routes(&s.sv), s.reg,
	    err) == -1)
		goto out;
	log_info("listening", "address", c->http_address, "bucket",
	    c->bkt->url);
	r = loop(&s);
	httpd_quiesce(&s.httpd);
	if (httpd_drain(&s.httpd, clock_mono_ms() + DRAIN_MS) == -1)
		log_warn("drain deadline passed; closing what is left");
	httpd_stop(&s.httpd);
	if (r == -1)
		errbuf_sys(err, "poll");
out:
	store_release(&s.store);
	metrics_free(s.reg);
	return r;
}
