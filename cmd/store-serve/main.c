/*
 * store-serve: serve the blocks of a bucket, as Thanos' store gateway
 * does.  This build has the one-shot mode: answer one query over a
 * directory bucket on stdout and exit (man/store-serve.1).
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/errbuf.h"
#include "base/io.h"
#include "base/log.h"
#include "tsdb/matcher.h"
#include "once.h"

#define EXIT_USAGE	2	/* 0 ok, 1 failed (EXIT_FAILURE), 2 bad usage */
#define MAX_MATCH	256

enum {
	OPT_BUCKET = 256, OPT_END, OPT_FORMAT, OPT_LABEL_VALUES, OPT_LABELS,
	OPT_LOG_LEVEL, OPT_MATCH, OPT_ONCE, OPT_START,
};

static const struct option longopts[] = {
	{ "bucket",	  required_argument, NULL, OPT_BUCKET },
	{ "end",	  required_argument, NULL, OPT_END },
	{ "format",	  required_argument, NULL, OPT_FORMAT },
	{ "help",	  no_argument,	     NULL, 'h' },
	{ "label-values", required_argument, NULL, OPT_LABEL_VALUES },
	{ "labels",	  no_argument,	     NULL, OPT_LABELS },
	{ "log.level",	  required_argument, NULL, OPT_LOG_LEVEL },
	{ "match",	  required_argument, NULL, OPT_MATCH },
	{ "once",	  no_argument,	     NULL, OPT_ONCE },
	{ "start",	  required_argument, NULL, OPT_START },
	{ "version",	  no_argument,	     NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void __attribute__((noreturn))
usage(FILE *fp, int status)
{
	fprintf(fp,
"usage: %s --once --bucket=URL [--match=SELECTOR]... [--start=TIME]\n"
"       [--end=TIME] [--format=values|chunks | --labels | --label-values=NAME]\n"
"\n"
"Answer one query over the blocks of a directory bucket on stdout: the\n"
"series lines of docs/FORMATS.md, sorted by label set, each series once\n"
"with its samples from every block; or label names or values, one JSON\n"
"string per line.\n"
"\n"
"      --bucket=URL           file:///dir or a plain directory\n"
"      --end=TIME             last millisecond, RFC 3339 or Unix seconds\n"
"      --format=FORMAT        values (default) or chunks (raw XOR chunks)\n"
"  -h, --help                 this text\n"
"      --label-values=NAME    print the values of label NAME\n"
"      --labels               print the label names\n"
"      --log.level=LEVEL      debug, info, warn, error (info)\n"
"      --match=SELECTOR       series selector, e.g. 'up{job=~\"a|b\"}'\n"
"                             (repeatable: the union; default every series)\n"
"      --once                 answer one query and exit\n"
"      --start=TIME           first millisecond, RFC 3339 or Unix seconds\n"
"  -V, --version              print the version\n",
	    program_invocation_short_name);
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

/* file:///dir or a plain path; other schemes come with the bucket layer. */
static const char *
bucket_dir(const char *url)
{
	if (strncmp(url, "file://", 7) == 0) {
		if (url[7] != '/')
			errx(EXIT_USAGE, "--bucket: '%s': a file:// URL needs "
			    "an absolute path (file:///dir)", url);
		return url + 7;
	}
	if (strstr(url, "://") != NULL)
		errx(EXIT_USAGE, "--bucket: '%s': only file:// buckets are "
		    "supported in --once mode yet", url);
	return url;
}

int
main(int argc, char *argv[])
{
	struct once o = {
		.mint = INT64_MIN, .maxt = INT64_MAX,
		.what = ONCE_SERIES, .format = ONCE_VALUES,
	};
	struct tsdb_selector sel[MAX_MATCH];
	char errbuf[ERR_MAX];
	int ch, once = 0, rc;
	size_t nsel = 0;

	while ((ch = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_BUCKET:
			o.dir = bucket_dir(optarg);
			break;
		case OPT_END:
			o.maxt = time_arg("end", optarg);
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "values") == 0)
				o.format = ONCE_VALUES;
			else if (strcmp(optarg, "chunks") == 0)
				o.format = ONCE_CHUNKS;
			else
				errx(EXIT_USAGE, "--format: '%s' is not values "
				    "or chunks", optarg);
			break;
		case 'h':
			usage(stdout, EXIT_SUCCESS);
		case OPT_LABEL_VALUES:
			o.what = ONCE_LABEL_VALUES;
			o.label = optarg;
			break;
		case OPT_LABELS:
			o.what = ONCE_LABELS;
			break;
		case OPT_LOG_LEVEL:
			if (log_set_level(optarg) == -1)
				errx(EXIT_USAGE, "--log.level: '%s' is not one "
				    "of debug, info, warn, error", optarg);
			break;
		case OPT_MATCH:
			if (nsel == MAX_MATCH)
				errx(EXIT_USAGE, "more than %d --match", MAX_MATCH);
			if (matcher_parse_selector(optarg, &sel[nsel].m,
			    &sel[nsel].n, errbuf) == -1)
				errx(EXIT_USAGE, "--match: %s", errbuf);
			nsel++;
			break;
		case OPT_ONCE:
			once = 1;
			break;
		case OPT_START:
			o.mint = time_arg("start", optarg);
			break;
		case 'V':
			printf("%s %s\n", program_invocation_short_name, VERSION);
			return io_close_stdout() == 0 ? EXIT_SUCCESS :
			    EXIT_FAILURE;
		default:
			usage(stderr, EXIT_USAGE);
		}
	}
	if (optind != argc)
		usage(stderr, EXIT_USAGE);
	if (!once)
		errx(EXIT_USAGE, "only --once is implemented in this version");
	if (o.dir == NULL)
		errx(EXIT_USAGE, "--once needs --bucket");
	if (o.mint > o.maxt)
		errx(EXIT_USAGE, "--start is after --end");
	if (o.format == ONCE_CHUNKS && o.what != ONCE_SERIES)
		errx(EXIT_USAGE, "--format applies to series, not to --labels "
		    "or --label-values");
	if (nsel > 0) {
		o.sel = sel;
		o.nsel = nsel;
	} else if (o.what == ONCE_SERIES) {
		/* Every series: promtool tsdb dump's default selector. */
		if (matcher_parse_selector("{__name__=~\"(?s:.+)\"}", &sel[0].m,
		    &sel[0].n, errbuf) == -1)
			errx(EXIT_FAILURE, "%s", errbuf);
		o.sel = sel;
		o.nsel = nsel = 1;
	}
	rc = once_run(&o, stdout, errbuf);
	for (size_t i = 0; i < nsel; i++)
		matchers_free(sel[i].m, sel[i].n);
	if (rc == -1) {
		fflush(stdout);
		errx(EXIT_FAILURE, "%s", errbuf);
	}
	return io_close_stdout() == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
