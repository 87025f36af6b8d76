#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/backoff.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/errbuf.h"
#include "base/fswatch.h"
#include "base/io.h"
#include "base/log.h"
#include "base/parse.h"
#include "base/sha256.h"
#include "base/sig.h"
#include "event.h"
#include "net/http.h"
#include "net/httpd.h"
#include "net/metrics.h"
#include "reloader.h"
#include "render.h"
#include "rules.h"

/* Events come in bursts (an editor's write, kubelet's swap): wait this
 * long after the first one before looking, so one change is one apply. */
#define SETTLE_MS	100
/* First retry delay; later ones double up to --reloader.retry-interval. */
#define RETRY_BASE_MS	250
/* A reload that takes longer than this is retried (reloading twice is
 * harmless; hanging forever on a wedged Prometheus is not). */
#define RELOAD_TIMEOUT_MS	60000

struct reloader {
	const struct reloader_config *c;
	struct fswatch	fw;
	int		sigfd;
	char		*url;		/* <prom_url>/-/reload */
	struct buf	tmpl, rendered, current;
	unsigned char	cfg_hash[32], rules_hash[32];
	int		have_cfg, have_rules;
	int		pending;	/* a reload is owed to Prometheus */
	int64_t		reload_at;	/* monotonic ms of the next attempt */
	unsigned	attempt;
	struct backoff	bo;
	char		last_err[ERR_MAX];	/* reported once, not per wake */
	/* The metrics of Thanos' reloader, under the names the Prometheus
	 * operator's config-reloader exports (its alerts use them). */
	struct metrics	*reg;
	struct metric	*m_reloads, *m_reload_fails, *m_applies,
			*m_apply_fails, *m_last_ok, *m_last_ok_ts,
			*m_watch_events;
	struct httpd	 httpd;
	int		 serving;
};

static const char *
yesno(int b)
{
	return b ? "true" : "false";
}

/*
 * Render tmpl into out if it changed.  *changed tells whether Prometheus
 * has something new to read.  Without an output, the template itself is
 * what Prometheus reads, so its fingerprint is compared instead.
 */
static int
apply_config(struct reloader *r, int startup, int *changed, char *err)
{
	const struct reloader_config *c = r->c;
	unsigned char h[32];
	char bytes[32];
	int missing;

	*changed = 0;
	if (c->tmpl == NULL)
		return 0;
	if (fswatch_add_file(&r->fw, c->tmpl, err) == -1)
		return -1;
	if (render_load(c->tmpl, &r->tmpl, err) == -1)
		return -1;
	if (c->out == NULL) {
		sha256_digest(r->tmpl.data, r->tmpl.len, h);
		*changed = !r->have_cfg || memcmp(h, r->cfg_hash, 32) != 0;
		memcpy(r->cfg_hash, h, 32);
		r->have_cfg = 1;
		if (*changed || startup)
			event("config", "file", c->tmpl, "changed",
			    yesno(*changed));
		return 0;
	}
	if (render_envsubst(r->tmpl.data, r->tmpl.len, c->tmpl, &r->rendered,
	    err) == -1)
		return -1;
	missing = 0;
	if (io_read_file(c->out, &r->current, err) == -1) {
		if (errno != ENOENT)
			return -1;
		missing = 1;
	}
	if (missing || r->current.len != r->rendered.len ||
	    memcmp(r->current.data, r->rendered.data, r->current.len) != 0) {
		if (io_write_atomic(c->out, r->rendered.data, r->rendered.len,
		    0644, err) == -1)
			return -1;
		*changed = 1;
	}
	snprintf(bytes, sizeof(bytes), "%zu", r->rendered.len);
	if (*changed || startup)
		event("render", "template", c->tmpl, "output", c->out,
		    "changed", yesno(*changed), "bytes", bytes);
	return 0;
}

static int
apply_rules(struct reloader *r, int startup, int *changed, char *err)
{
	const struct reloader_config *c = r->c;
	unsigned char h[32];
	char files[32], dirs[32];
	size_t nfiles;

	*changed = 0;
	if (c->nrule_dirs == 0)
		return 0;
	if (rules_hash(c->rule_dirs, c->nrule_dirs, &r->fw, h, &nfiles,
	    err) == -1)
		return -1;
	*changed = !r->have_rules || memcmp(h, r->rules_hash, 32) != 0;
	memcpy(r->rules_hash, h, 32);
	r->have_rules = 1;
	snprintf(files, sizeof(files), "%zu", nfiles);
	snprintf(dirs, sizeof(dirs), "%zu", c->nrule_dirs);
	if (*changed || startup)
		event("rules", "dirs", dirs, "files", files, "changed",
		    yesno(*changed));
	return 0;
}

/* One pass over config and rules; owes Prometheus a reload on change. */
static int
apply(struct reloader *r, int startup, char *err)
{
	int cfg, rules;

	if (apply_config(r, startup, &cfg, err) == -1 ||
	    apply_rules(r, startup, &rules, err) == -1)
		return -1;
	if (cfg || rules) {
		r->pending = 1;
		r->reload_at = clock_mono_ms();
		r->attempt = 0;
		backoff_reset(&r->bo);
	}
	return 0;
}

static void
try_reload(struct reloader *r)
{
	struct http_request req = {
		.method = "POST", .url = r->url, .timeout_ms = RELOAD_TIMEOUT_MS,
		.abort_fd = r->sigfd,
	};
	struct http_response resp;
	char err[ERR_MAX], status[16], attempt[16], retry[32];
	int64_t delay;
	int rc;

	r->attempt++;
	snprintf(attempt, sizeof(attempt), "%u", r->attempt);
	metric_inc(r->m_reloads);
	http_response_init(&resp);
	rc = http_do(&req, &resp, err);
	if (rc == 0 && resp.status >= 200 && resp.status < 300) {
		snprintf(status, sizeof(status), "%ld", resp.status);
		event("reload", "url", r->url, "status", status, "attempt",
		    attempt);
		log_info("reload done", "url", r->url, "attempt", attempt);
		metric_set(r->m_last_ok, 1);
		metric_set(r->m_last_ok_ts, (double)clock_real_ms() / 1000);
		r->pending = 0;
		http_response_release(&resp);
		return;
	}
	if (rc == 0)
		snprintf(err, sizeof(err), "HTTP status %ld: %.200s",
		    resp.status, resp.body.data ? resp.body.data : "");
	http_response_release(&resp);
	metric_inc(r->m_reload_fails);
	metric_set(r->m_last_ok, 0);
	delay = backoff_next(&r->bo);
	r->reload_at = clock_mono_ms() + delay;
	parse_duration_format(delay, retry, sizeof(retry));
	event("reload-failed", "url", r->url, "attempt", attempt, "error",
	    err, "retry_in", retry);
	log_warn("reload failed, will retry", "url", r->url, "attempt",
	    attempt, "err", err, "retry_in", retry);
}

static int64_t
min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* The main loop: signals, file events and timers in one poll. */
static int
loop(struct reloader *r)
{
	const struct reloader_config *c = r->c;
	int64_t now, next_check, settle_at = -1, wait;
	char err[ERR_MAX];
	int sig, n;

	next_check = clock_mono_ms() + c->watch_interval_ms;
	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = r->sigfd, .events = POLLIN },
			{ .fd = r->fw.fd, .events = POLLIN },
		};

		now = clock_mono_ms();
		wait = next_check;
		if (settle_at >= 0)
			wait = min64(wait, settle_at);
		if (r->pending)
			wait = min64(wait, r->reload_at);
		wait = wait > now ? wait - now : 0;
		if (poll(pfd, 2, (int)min64(wait, 3600000)) == -1 &&
		    errno != EINTR) {
			log_error("poll failed", "err", strerror(errno));
			return -1;
		}
		while ((sig = sig_next(r->sigfd)) > 0) {
			if (sig == SIGHUP) {
				/* Re-read everything, reload even if equal. */
				log_info("SIGHUP: re-applying and reloading");
				settle_at = now;
				r->pending = 1;
				r->reload_at = now;
				r->attempt = 0;
				backoff_reset(&r->bo);
				continue;
			}
			log_info("exiting", "signal", strsignal(sig));
			return 0;
		}
		if (pfd[1].revents & POLLIN && (n = fswatch_drain(&r->fw)) > 0) {
			metric_add(r->m_watch_events, n);
			if (settle_at < 0)
				settle_at = clock_mono_ms() + SETTLE_MS;
		}
		now = clock_mono_ms();
		if ((settle_at >= 0 && now >= settle_at) || now >= next_check) {
			settle_at = -1;
			next_check = now + c->watch_interval_ms;
			metric_inc(r->m_applies);
			if (apply(r, 0, err) == -1) {
				metric_inc(r->m_apply_fails);
				/* Once per distinct error: our own event
				 * line may land in a watched directory and
				 * wake us again. */
				if (strcmp(err, r->last_err) != 0) {
					event("error", "error", err);
					log_error("apply failed; keeping the "
					    "last good config", "err", err);
					memcpy(r->last_err, err, ERR_MAX);
				}
			} else
				r->last_err[0] = '\0';
		}
		if (r->pending && clock_mono_ms() >= r->reload_at)
			try_reload(r);
	}
}

static char *
reload_url(const char *base)
{
	struct buf b = BUF_INIT(BUF_NOMAX);
	size_t n = strlen(base);

	/* Path-joined like Thanos, so a base path (/prometheus) is kept. */
	while (n > 0 && base[n - 1] == '/')
		n--;
	if (buf_add(&b, base, n) == -1 || buf_addstr(&b, "/-/reload") == -1) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

static int
metrics_setup(struct reloader *r, char *err)
{
	struct metrics *reg;

	if ((r->reg = reg = metrics_new()) == NULL)
		return errbuf_sys(err, "metrics");
	r->m_reloads = metrics_counter(reg, "reloader_reloads_total",
	    "Total number of reload requests.", NULL, err);
	r->m_reload_fails = metrics_counter(reg,
	    "reloader_reloads_failed_total",
	    "Number of reload requests that failed.", NULL, err);
	r->m_applies = metrics_counter(reg,
	    "reloader_config_apply_operations_total",
	    "Total number of config apply operations.", NULL, err);
	r->m_apply_fails = metrics_counter(reg,
	    "reloader_config_apply_operations_failed_total",
	    "Total number of config apply operations that failed.", NULL, err);
	r->m_last_ok = metrics_gauge(reg, "reloader_last_reload_successful",
	    "Whether the last reload attempt was successful.", NULL, err);
	r->m_last_ok_ts = metrics_gauge(reg,
	    "reloader_last_reload_success_timestamp_seconds",
	    "Timestamp of the last successful reload.", NULL, err);
	r->m_watch_events = metrics_counter(reg, "reloader_watch_events_total",
	    "Number of filesystem events seen by the watcher.", NULL, err);
	if (!r->m_reloads || !r->m_reload_fails || !r->m_applies ||
	    !r->m_apply_fails || !r->m_last_ok || !r->m_last_ok_ts ||
	    !r->m_watch_events)
		return -1;
	if (metrics_add_process(reg, err) == -1 ||
	    metrics_add_build_info(reg, "strata_build_info", VERSION,
	    err) == -1)
		return -1;
	return 0;
}

static void
reloader_release(struct reloader *r)
{
	if (r->serving) {
		httpd_quiesce(&r->httpd);
		httpd_drain(&r->httpd, clock_mono_ms() + 5000);
		httpd_stop(&r->httpd);
	}
	metrics_free(r->reg);
	fswatch_release(&r->fw);
	buf_release(&r->tmpl);
	buf_release(&r->rendered);
	buf_release(&r->current);
	free(r->url);
}

int
reloader_watch(const struct reloader_config *c, char *err)
{
	struct reloader r = {
		.c = c, .sigfd = -1, .fw = { .fd = -1 },
		.tmpl = BUF_INIT(RENDER_MAX), .rendered = BUF_INIT(RENDER_MAX),
		.current = BUF_INIT(RENDER_MAX),
	};
	int rc = -1;

	backoff_init(&r.bo, RETRY_BASE_MS, c->retry_interval_ms);
	if ((r.url = reload_url(c->prom_url)) == NULL) {
		errbuf_sys(err, "%s", c->prom_url);
		goto out;
	}
	/* Signals blocked before libmicrohttpd starts its threads. */
	if ((r.sigfd = sig_open()) == -1) {
		errbuf_sys(err, "signalfd");
		goto out;
	}
	if (metrics_setup(&r, err) == -1)
		goto out;
	if (c->http_address) {
		httpd_init(&r.httpd);
		if (httpd_start(&r.httpd, c->http_address, NULL, r.reg,
		    err) == -1)
			goto out;
		r.serving = 1;
	}
	if (fswatch_init(&r.fw, err) == -1 || apply(&r, 1, err) == -1)
		goto out;
	if (r.serving)
		httpd_set_ready(&r.httpd, 1);
	/* Like Thanos: always reload once at start, so a Prometheus that
	 * ran before us ends up with what we rendered. */
	r.pending = 1;
	r.reload_at = clock_mono_ms();
	log_info("watching", "template", c->tmpl, "output", c->out,
	    "reload_url", r.url);
	rc = loop(&r);
	if (rc == -1)
		errbuf_set(err, "watch loop failed");
out:
	reloader_release(&r);
	return rc;
}

int
reloader_render_once(const struct reloader_config *c, char *err)
{
	struct reloader r = {
		.c = c, .sigfd = -1, .fw = { .fd = -1 },
		.tmpl = BUF_INIT(RENDER_MAX), .rendered = BUF_INIT(RENDER_MAX),
		.current = BUF_INIT(RENDER_MAX),
	};
	int rc, changed;

	/* The watch set is built but never read: one code path renders. */
	if (fswatch_init(&r.fw, err) == -1)
		return -1;
	rc = apply_config(&r, 1, &changed, err);
	reloader_release(&r);
	return rc;
}
