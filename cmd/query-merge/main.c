/*
 * query-merge: Thanos' querier as one program: fan a query out to every
 * store (Prometheus, store-serve, another query-merge) over remote read,
 * merge the answers and deduplicate the replicas, and serve the result
 * through Prometheus' HTTP API.  Or, with --once, answer one selector as
 * series lines on stdout (man/query-merge.1).
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/errbuf.h"
#include "base/io.h"
#include "base/log.h"
#include "base/parse.h"
#include "base/sig.h"
#include "net/http.h"
#include "net/httpd.h"
#include "net/metrics.h"
#include "series/jsonl.h"
#include "api.h"
#include "query.h"

#define EXIT_USAGE	2	/* 0 ok, 1 failed (EXIT_FAILURE), 2 bad usage */
#define MAX_STORES	256
#define MAX_MATCH	256
#define TICK_MS		1000
#define DRAIN_MS	30000

enum {
	OPT_STORE = 256, OPT_SD_INTERVAL, OPT_SD_SERVER, OPT_REPLICA,
	OPT_DEDUP_FUNC, OPT_HTTP_ADDRESS, OPT_PARTIAL, OPT_NO_PARTIAL,
	OPT_RESPONSE_TIMEOUT, OPT_QUERY_TIMEOUT, OPT_LOOKBACK, OPT_MAX_SAMPLES,
	OPT_LOG_LEVEL, OPT_ONCE, OPT_MATCH, OPT_START, OPT_END, OPT_NO_DEDUP,
};

static const struct option longopts[] = {
	{ "deduplication.func",	   required_argument, NULL, OPT_DEDUP_FUNC },
	{ "end",		   required_argument, NULL, OPT_END },
	{ "help",		   no_argument,	      NULL, 'h' },
	{ "http-address",	   required_argument, NULL, OPT_HTTP_ADDRESS },
	{ "log.level",		   required_argument, NULL, OPT_LOG_LEVEL },
	{ "match",		   required_argument, NULL, OPT_MATCH },
	{ "no-dedup",		   no_argument,	      NULL, OPT_NO_DEDUP },
	{ "no-query.partial-response", no_argument,   NULL, OPT_NO_PARTIAL },
	{ "once",		   no_argument,	      NULL, OPT_ONCE },
	{ "query.lookback-delta",  required_argument, NULL, OPT_LOOKBACK },
	{ "query.max-samples",	   required_argument, NULL, OPT_MAX_SAMPLES },
	{ "query.partial-response", no_argument,      NULL, OPT_PARTIAL },
	{ "query.replica-label",   required_argument, NULL, OPT_REPLICA },
	{ "query.timeout",	   required_argument, NULL, OPT_QUERY_TIMEOUT },
	{ "start",		   required_argument, NULL, OPT_START },
	{ "store",		   required_argument, NULL, OPT_STORE },
	{ "store.response-timeout", required_argument, NULL,
	    OPT_RESPONSE_TIMEOUT },
	{ "store.sd-dns-interval", required_argument, NULL, OPT_SD_INTERVAL },
	{ "store.sd-dns-server",   required_argument, NULL, OPT_SD_SERVER },
	{ "version",		   no_argument,	      NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void __attribute__((noreturn))
usage(FILE *fp, int status)
{
	fprintf(fp,
"usage: %s --store=ENDPOINT... [--query.replica-label=NAME]...\n"
"       [--deduplication.func=FUNC] [--http-address=HOST:PORT]\n"
"       [--store.sd-dns-interval=DURATION] [--store.sd-dns-server=ADDR:PORT]\n"
"       [--store.response-timeout=DURATION] [--[no-]query.partial-response]\n"
"       [--query.timeout=DURATION] [--query.lookback-delta=DURATION]\n"
"       [--query.max-samples=N] [--log.level=LEVEL]\n"
"   or: %s --once --store=ENDPOINT... [--query.replica-label=NAME]...\n"
"       [--match=SELECTOR]... [--start=TIME] [--end=TIME] [--no-dedup]\n"
"\n"
"Read every store (a Prometheus, store-serve, another query-merge) over\n"
"remote read, merge the answers, deduplicate replicas, and serve the\n"
"result through Prometheus' HTTP API; or with --once write the series\n"
"lines of one query (docs/FORMATS.md) on stdout.\n"
"\n"
"      --deduplication.func=FUNC      gapless (default), penalty or chain\n"
"      --end=TIME                     --once: last millisecond (RFC 3339 or Unix s)\n"
"  -h, --help                         this text\n"
"      --http-address=HOST:PORT       listen address (0.0.0.0:10904)\n"
"      --log.level=LEVEL              debug, info, warn, error (info)\n"
"      --match=SELECTOR               --once: series selector (repeatable)\n"
"      --no-dedup                     --once: keep the replicas apart\n"
"      --no-query.partial-response    a failed store fails the query\n"
"      --once                         answer one query and exit\n"
"      --query.lookback-delta=DURATION  how far back a selector looks (5m)\n"
"      --query.max-samples=N          most samples in one answer (50000000)\n"
"      --query.partial-response       a failed store is a warning (default)\n"
"      --query.replica-label=NAME     label that tells replicas apart (repeatable)\n"
"      --query.timeout=DURATION       longest a query may take (2m)\n"
"      --start=TIME                   --once: first millisecond\n"
"      --store=ENDPOINT               URL, dns+HOST:PORT, dnssrv+NAME or\n"
"                                     dnssrvnoa+NAME (repeatable)\n"
"      --store.response-timeout=DURATION  per-store timeout (the query's)\n"
"      --store.sd-dns-interval=DURATION   how often to re-resolve and re-ask\n"
"                                     the stores (30s)\n"
"      --store.sd-dns-server=ADDR:PORT    DNS server for discovery (resolv.conf)\n"
"  -V, --version                      print the version\n",
	    program_invocation_short_name, program_invocation_short_name);
	exit(status);
}

static int64_t
duration_arg(const char *opt, const char *s, int zero_ok)
{
	char e[ERR_MAX];
	int64_t ms;

	if (parse_duration(s, &ms, e) == -1)
		errx(EXIT_USAGE, "--%s: %s", opt, e);
	if (ms < 0 || (ms == 0 && !zero_ok))
		errx(EXIT_USAGE, "--%s: must be positive", opt);
	return ms;
}

static int64_t
time_arg(const char *opt, const char *s)
{
	char e[ERR_MAX];
	int64_t ms;

	if (clock_parse_time(s, &ms, e) == -1)
		errx(EXIT_USAGE, "--%s: %s", opt, e);
	return ms;
}

struct args {
	struct qm	 qm;
	const char	*store[MAX_STORES];
	size_t		 nstore;
	const char	*http_address, *dns_server;
	int64_t		 sd_interval_ms;
	int		 once, no_dedup;
	struct fetch_sel sel[MAX_MATCH];
	size_t		 nsel;
	int64_t		 start, end;
};

static void
parse_args(struct args *a, int argc, char *argv[])
{
	char e[ERR_MAX];
	uint64_t n;
	int ch;

	while ((ch = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_DEDUP_FUNC:
			if (dedup_func_parse(optarg, &a->qm.func) == -1)
				errx(EXIT_USAGE, "--deduplication.func: '%s' is "
				    "not gapless, penalty or chain", optarg);
			break;
		case OPT_END:
			a->end = time_arg("end", optarg);
			break;
		case 'h':
			usage(stdout, EXIT_SUCCESS);
		case OPT_HTTP_ADDRESS:
			a->http_address = optarg;
			break;
		case OPT_LOG_LEVEL:
			if (log_set_level(optarg) == -1)
				errx(EXIT_USAGE, "--log.level: '%s' is not one "
				    "of debug, info, warn, error", optarg);
			break;
		case OPT_MATCH:
			if (a->nsel == MAX_MATCH)
				errx(EXIT_USAGE, "more than %d --match",
				    MAX_MATCH);
			if (matcher_parse_selector(optarg, &a->sel[a->nsel].m,
			    &a->sel[a->nsel].nm, e) == -1)
				errx(EXIT_USAGE, "--match: %s", e);
			a->nsel++;
			break;
		case OPT_NO_DEDUP:
			a->no_dedup = 1;
			break;
		case OPT_NO_PARTIAL:
			a->qm.partial = 0;
			break;
		case OPT_ONCE:
			a->once = 1;
			break;
		case OPT_LOOKBACK:
			a->qm.lookback_ms = duration_arg("query.lookback-delta",
			    optarg, 0);
			break;
		case OPT_MAX_SAMPLES:
			if (parse_uint64(optarg, 0, UINT64_MAX, &n, e) == -1)
				errx(EXIT_USAGE, "--query.max-samples: %s", e);
			a->qm.max_samples = n;
			break;
		case OPT_PARTIAL:
			a->qm.partial = 1;
			break;
		case OPT_REPLICA:
			if (a->qm.nreplica == QM_MAX_REPLICA)
				errx(EXIT_USAGE, "more than %d "
				    "--query.replica-label", QM_MAX_REPLICA);
			if (!labels_valid_name(optarg))
				errx(EXIT_USAGE, "--query.replica-label: '%s' is "
				    "not a label name", optarg);
			a->qm.replica[a->qm.nreplica++] = optarg;
			break;
		case OPT_QUERY_TIMEOUT:
			a->qm.query_timeout_ms = duration_arg("query.timeout",
			    optarg, 0);
			break;
		case OPT_RESPONSE_TIMEOUT:
			a->qm.store_timeout_ms = (long)duration_arg(
			    "store.response-timeout", optarg, 1);
			break;
		case OPT_SD_INTERVAL:
			a->sd_interval_ms = duration_arg("store.sd-dns-interval",
			    optarg, 0);
			break;
		case OPT_SD_SERVER:
			a->dns_server = optarg;
			break;
		case OPT_START:
			a->start = time_arg("start", optarg);
			break;
		case OPT_STORE:
			if (a->nstore == MAX_STORES)
				errx(EXIT_USAGE, "more than %d --store",
				    MAX_STORES);
			a->store[a->nstore++] = optarg;
			break;
		case 'V':
			printf("%s %s\n", program_invocation_short_name, VERSION);
			exit(io_close_stdout() == 0 ? EXIT_SUCCESS :
			    EXIT_FAILURE);
		default:
			usage(stderr, EXIT_USAGE);
		}
	}
	if (optind != argc)
		usage(stderr, EXIT_USAGE);
	if (a->nstore == 0)
		errx(EXIT_USAGE, "no --store: name at least one endpoint");
	if (!a->once && (a->nsel || a->no_dedup))
		errx(EXIT_USAGE, "--match and --no-dedup need --once");
	if (a->start > a->end)
		errx(EXIT_USAGE, "--start is after --end");
}

/* --- --once ------------------------------------------------------------- */

struct once_out {
	struct buf	b;
	int		failed;
};

static int
emit_stdout(void *arg, unsigned query, const struct labels *l,
    const int64_t *t, const double *v, size_t n)
{
	struct once_out *o = arg;

	(void)query;
	buf_reset(&o->b);
	if (jsonl_add_values(&o->b, l, t, v, n) == -1)
		return -1;
	if (fwrite(o->b.data, 1, o->b.len, stdout) != o->b.len) {
		o->failed = 1;
		return -1;
	}
	return 0;
}

static int
run_once(struct args *a, char *err)
{
	struct qopts o;
	struct qwarn w = { 0 };
	struct once_out out = { .b = BUF_INIT(BUF_NOMAX) };
	int rc;

	if (a->nsel == 0)
		return errbuf_set(err, "--once needs at least one --match");
	for (size_t i = 0; i < a->nsel; i++) {
		a->sel[i].mint = a->start;
		a->sel[i].maxt = a->end;
	}
	stores_refresh(&a->qm.stores);
	qopts_default(&a->qm, &o);
	o.dedup = !a->no_dedup;
	rc = qm_select(&a->qm, &o, a->sel, a->nsel, emit_stdout, &out, &w,
	    err);
	for (size_t i = 0; i < w.n; i++)
		log_warn("partial response", "warning", w.line[i]);
	qwarn_release(&w);
	buf_release(&out.b);
	if (out.failed)
		return errbuf_sys(err, "stdout");
	return rc == 0 ? 0 : -1;
}

/* --- server ------------------------------------------------------------- */

static int
serve(struct args *a, int sigfd, char *err)
{
	struct httpd h;
	struct metrics *reg;
	int64_t next = 0, now;
	int rc = 0, sig;

	if ((reg = metrics_new()) == NULL)
		return errbuf_sys(err, "metrics");
	if (metrics_add_process(reg, err) == -1 ||
	    metrics_add_build_info(reg, "strata_build_info", VERSION,
	    err) == -1) {
		metrics_free(reg);
		return -1;
	}
	httpd_init(&h);
	if (httpd_start(&h, a->http_address, api_routes(&a->qm), reg,
	    err) == -1) {
		metrics_free(reg);
		return -1;
	}
	log_info("listening", "address", a->http_address);
	for (;;) {
		struct pollfd pfd = { .fd = sigfd, .events = POLLIN };

		now = clock_mono_ms();
		if (now >= next) {
			stores_refresh(&a->qm.stores);
			/* Ready once the stores were asked, whatever they
			 * said: a query then warns about the missing. */
			httpd_set_ready(&h, 1);
			next = clock_mono_ms() + a->sd_interval_ms;
		}
		if (poll(&pfd, 1, TICK_MS) == -1 && errno != EINTR) {
			rc = errbuf_sys(err, "poll");
			break;
		}
		if ((sig = sig_next(sigfd)) > 0) {
			if (sig == SIGHUP) {
				next = 0;
				continue;
			}
			log_info("draining and exiting", "signal",
			    strsignal(sig));
			break;
		}
	}
	httpd_quiesce(&h);
	if (httpd_drain(&h, clock_mono_ms() + DRAIN_MS) == -1)
		log_warn("drain deadline passed; closing what is left");
	httpd_stop(&h);
	metrics_free(reg);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct args a = {
		.qm = { .func = DEDUP_GAPLESS, .partial = 1,
		    .query_timeout_ms = 2 * 60 * 1000,
		    .lookback_ms = 5 * 60 * 1000, .max_samples = 50000000 },
		.http_address = "0.0.0.0:10904",
		.sd_interval_ms = 30 * 1000,
		.start = INT64_MIN, .end = INT64_MAX,
	};
	char errbuf[ERR_MAX];
	int sigfd = -1, rc;

	parse_args(&a, argc, argv);
	if (!a.once && (sigfd = sig_open()) == -1)
		err(EXIT_FAILURE, "signalfd");
	if (http_init(errbuf) == -1)
		errx(EXIT_FAILURE, "%s", errbuf);
	if (stores_init(&a.qm.stores, a.store, a.nstore, a.dns_server,
	    a.sd_interval_ms, 5000, errbuf) == -1)
		errx(EXIT_USAGE, "--store: %s", errbuf);
	rc = a.once ? run_once(&a, errbuf) : serve(&a, sigfd, errbuf);
	for (size_t i = 0; i < a.nsel; i++)
		matchers_free(a.sel[i].m, a.sel[i].nm);
	stores_release(&a.qm.stores);
	http_cleanup();
	if (rc == -1)
		errx(EXIT_FAILURE, "%s", errbuf);
	return io_close_stdout() == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
