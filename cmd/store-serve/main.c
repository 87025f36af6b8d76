/*
 * store-serve: serve the blocks of a bucket, as Thanos' store gateway
 * does: Prometheus remote read, the series and labels API, an export of
 * series lines.  Or, with --once, answer one query on stdout and exit
 * (man/store-serve.1).
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/errbuf.h"
#include "base/io.h"
#include "base/log.h"
#include "base/parse.h"
#include "base/sig.h"
#include "bucket/objstore.h"
#include "net/http.h"
#include "tsdb/matcher.h"
#include "once.h"
#include "serve.h"

#define EXIT_USAGE	2	/* 0 ok, 1 failed (EXIT_FAILURE), 2 bad usage */
#define MAX_MATCH	256

enum {
	OPT_BUCKET = 256, OPT_CHUNK_CACHE, OPT_DATA_DIR, OPT_END, OPT_FORMAT,
	OPT_HTTP_ADDRESS, OPT_INDEX_CACHE, OPT_LABEL_VALUES, OPT_LABELS,
	OPT_LOG_LEVEL, OPT_MATCH, OPT_OBJSTORE, OPT_ONCE, OPT_START,
	OPT_SYNC_INTERVAL,
};

static const struct option longopts[] = {
	{ "bucket",		 required_argument, NULL, OPT_BUCKET },
	{ "chunk-cache-size",	 required_argument, NULL, OPT_CHUNK_CACHE },
	{ "chunk-pool-size",	 required_argument, NULL, OPT_CHUNK_CACHE },
	{ "data-dir",		 required_argument, NULL, OPT_DATA_DIR },
	{ "end",		 required_argument, NULL, OPT_END },
	{ "format",		 required_argument, NULL, OPT_FORMAT },
	{ "help",		 no_argument,	    NULL, 'h' },
	{ "http-address",	 required_argument, NULL, OPT_HTTP_ADDRESS },
	{ "index-cache-size",	 required_argument, NULL, OPT_INDEX_CACHE },
	{ "label-values",	 required_argument, NULL, OPT_LABEL_VALUES },
	{ "labels",		 no_argument,	    NULL, OPT_LABELS },
	{ "log.level",		 required_argument, NULL, OPT_LOG_LEVEL },
	{ "match",		 required_argument, NULL, OPT_MATCH },
	{ "objstore.config-file", required_argument, NULL, OPT_OBJSTORE },
	{ "once",		 no_argument,	    NULL, OPT_ONCE },
	{ "start",		 required_argument, NULL, OPT_START },
	{ "sync-interval",	 required_argument, NULL, OPT_SYNC_INTERVAL },
	{ "version",		 no_argument,	    NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void __attribute__((noreturn))
usage(FILE *fp, int status)
{
	fprintf(fp,
"usage: %s (--objstore.config-file=FILE | --bucket=URL)\n"
"       [--http-address=HOST:PORT] [--data-dir=DIR] [--sync-interval=DURATION]\n"
"       [--chunk-cache-size=SIZE] [--index-cache-size=SIZE] [--log.level=LEVEL]\n"
"   or: %s --once (--objstore.config-file=FILE | --bucket=URL)\n"
"       [--match=SELECTOR]... [--start=TIME] [--end=TIME]\n"
"       [--format=values|chunks | --labels | --label-values=NAME]\n"
"\n"
"Serve the TSDB blocks of a bucket over HTTP (Prometheus remote read, the\n"
"series and labels API, /api/v1/export), or with --once answer one query\n"
"on stdout: series lines (docs/FORMATS.md) or label names or values.\n"
"\n"
"      --bucket=URL                 s3://bucket/prefix?endpoint=..., file:///dir\n"
"                                   or a directory\n"
"      --chunk-cache-size=SIZE      remote chunk page cache (2GB)\n"
"      --chunk-pool-size=SIZE       the same, Thanos' name\n"
"      --data-dir=DIR               index copies of remote blocks (./data)\n"
"      --end=TIME                   --once: last millisecond (RFC 3339 or Unix s)\n"
"      --format=FORMAT              --once: values (default) or chunks\n"
"  -h, --help                       this text\n"
"      --http-address=HOST:PORT     listen address (0.0.0.0:10902)\n"
"      --index-cache-size=SIZE      accepted for Thanos; indexes are mapped\n"
"      --label-values=NAME          --once: print the values of label NAME\n"
"      --labels                     --once: print the label names\n"
"      --log.level=LEVEL            debug, info, warn, error (info)\n"
"      --match=SELECTOR             --once: series selector (repeatable)\n"
"      --objstore.config-file=FILE  Thanos objstore YAML naming the bucket\n"
"      --once                       answer one query and exit\n"
"      --start=TIME                 --once: first millisecond\n"
"      --sync-interval=DURATION     how often to sync the bucket (3m)\n"
"  -V, --version                    print the version\n",
	    program_invocation_short_name, program_invocation_short_name);
	exit(status);
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

static size_t
size_arg(const char *opt, const char *s)
{
	char e[ERR_MAX];
	uint64_t n;

	if (parse_size(s, &n, e) == -1)
		errx(EXIT_USAGE, "--%s: %s", opt, e);
	return (size_t)n;
}

struct args {
	struct once	 o;
	struct serve_config sc;
	const char	*bucket_url, *objstore;
	int		 once;
	struct tsdb_selector sel[MAX_MATCH];
	size_t		 nsel;
};

static void
parse_args(struct args *a, int argc, char *argv[])
{
	char e[ERR_MAX];
	int64_t ms;
	int ch;

	while ((ch = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_BUCKET:
			a->bucket_url = optarg;
			break;
		case OPT_CHUNK_CACHE:
			a->sc.cache_bytes = size_arg("chunk-cache-size", optarg);
			break;
		case OPT_DATA_DIR:
			a->sc.data_dir = a->o.data_dir = optarg;
			break;
		case OPT_END:
			a->o.maxt = time_arg("end", optarg);
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "values") == 0)
				a->o.format = EXPORT_VALUES;
			else if (strcmp(optarg, "chunks") == 0)
				a->o.format = EXPORT_CHUNKS;
			else
				errx(EXIT_USAGE, "--format: '%s' is not values "
				    "or chunks", optarg);
			break;
		case 'h':
			usage(stdout, EXIT_SUCCESS);
		case OPT_HTTP_ADDRESS:
			a->sc.http_address = optarg;
			break;
		case OPT_INDEX_CACHE:
			(void)size_arg("index-cache-size", optarg);
			break;
		case OPT_LABEL_VALUES:
			a->o.what = ONCE_LABEL_VALUES;
			a->o.label = optarg;
			break;
		case OPT_LABELS:
			a->o.what = ONCE_LABELS;
			break;
		case OPT_LOG_LEVEL:
			if (log_set_level(optarg) == -1)
				errx(EXIT_USAGE, "--log.level: '%s' is not one "
				    "of debug, info, warn, error", optarg);
			break;
		case OPT_MATCH:
			if (a->nsel == MAX_MATCH)
				errx(EXIT_USAGE, "more than %d --match", MAX_MATCH);
			if (matcher_parse_selector(optarg, &a->sel[a->nsel].m,
			    &a->sel[a->nsel].n, e) == -1)
				errx(EXIT_USAGE, "--match: %s", e);
			a->nsel++;
			break;
		case OPT_OBJSTORE:
			a->objstore = optarg;
			break;
		case OPT_ONCE:
			a->once = 1;
			break;
		case OPT_START:
			a->o.mint = time_arg("start", optarg);
			break;
		case OPT_SYNC_INTERVAL:
			if (parse_duration(optarg, &ms, e) == -1 || ms <= 0)
				errx(EXIT_USAGE, "--sync-interval: %s", ms <= 0 ?
				    "must be positive" : e);
			a->sc.sync_interval_ms = ms;
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
	if ((a->bucket_url == NULL) == (a->objstore == NULL))
		errx(EXIT_USAGE, "name the bucket with exactly one of "
		    "--objstore.config-file and --bucket");
	if (!a->once && (a->nsel || a->o.what != ONCE_SERIES))
		errx(EXIT_USAGE, "--match, --labels and --label-values need "
		    "--once");
	if (a->o.mint > a->o.maxt)
		errx(EXIT_USAGE, "--start is after --end");
	if (a->o.format == EXPORT_CHUNKS && a->o.what != ONCE_SERIES)
		errx(EXIT_USAGE, "--format applies to series, not to --labels "
		    "or --label-values");
}

static int
run_once(struct args *a, char *err)
{
	char tmp[] = "/tmp/store-serve.XXXXXX";
	int r;

	a->o.sel = a->sel;
	a->o.nsel = a->nsel;
	if (a->nsel == 0 && a->o.what == ONCE_SERIES) {
		/* Every series: promtool tsdb dump's default selector. */
		if (matcher_parse_selector("{__name__=~\"(?s:.+)\"}",
		    &a->sel[0].m, &a->sel[0].n, err) == -1)
			return -1;
		a->o.nsel = a->nsel = 1;
	}
	/* Index copies of remote blocks need a place; a scratch one. */
	if (a->o.data_dir == NULL) {
		if (mkdtemp(tmp) == NULL)
			return errbuf_sys(err, "mkdtemp");
		a->o.data_dir = tmp;
	}
	r = once_run(&a->o, stdout, err);
	if (a->o.data_dir == tmp)
		rmdir(tmp);
	if (r == -1)
		fflush(stdout);
	return r;
}

int
main(int argc, char *argv[])
{
	struct args a = {
		.o = { .mint = INT64_MIN, .maxt = INT64_MAX,
		    .what = ONCE_SERIES, .format = EXPORT_VALUES },
		.sc = { .data_dir = "./data", .http_address = "0.0.0.0:10902",
		    .sync_interval_ms = 3 * 60 * 1000,
		    .cache_bytes = (size_t)2 << 30, .sigfd = -1 },
	};
	struct bucket *bkt;
	char errbuf[ERR_MAX];
	int rc;

	parse_args(&a, argc, argv);
	/* Signals blocked before curl or libmicrohttpd start threads. */
	if (!a.once && (a.sc.sigfd = sig_open()) == -1)
		err(EXIT_FAILURE, "signalfd");
	if (http_init(errbuf) == -1)
		errx(EXIT_FAILURE, "%s", errbuf);
	bkt = a.objstore ? bucket_open_config_file(a.objstore, errbuf) :
	    bucket_open_url(a.bucket_url, errbuf);
	if (bkt == NULL)
		errx(EXIT_FAILURE, "%s", errbuf);
	a.o.bkt = a.sc.bkt = bkt;
	bkt->abort_fd = a.sc.sigfd;
	if (a.once)
		rc = run_once(&a, errbuf);
	else {
		if (mkdir(a.sc.data_dir, 0750) == -1 && errno != EEXIST)
			err(EXIT_FAILURE, "%s", a.sc.data_dir);
		rc = serve_run(&a.sc, errbuf);
	}
	for (size_t i = 0; i < a.nsel; i++)
		matchers_free(a.sel[i].m, a.sel[i].n);
	bucket_free(bkt);
	http_cleanup();
	if (rc == -1)
		errx(EXIT_FAILURE, "%s", errbuf);
	return io_close_stdout() == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
