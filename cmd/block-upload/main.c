/*
 * block-upload: ship the TSDB blocks named on stdin (one directory per
 * line, as tsdb-watch prints them) to a bucket in Thanos' layout, with
 * meta.json last, and record each in the shipper file.  The uploading
 * half of Thanos' shipper (man/block-upload.1).
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/errbuf.h"
#include "base/io.h"
#include "base/log.h"
#include "base/parse.h"
#include "base/sig.h"
#include "bucket/bucket.h"
#include "bucket/objstore.h"
#include "net/extlabels.h"
#include "net/http.h"
#include "upload.h"

#define EXIT_USAGE	2	/* 0 ok, 1 failed (EXIT_FAILURE), 2 bad usage */

enum {
	OPT_BUCKET = 256, OPT_LABEL, OPT_LOG_LEVEL, OPT_OBJSTORE,
	OPT_READY_TIMEOUT, OPT_PROM_URL, OPT_RETRY_INTERVAL, OPT_SHIPPER_FILE,
	OPT_IGNORE_UNEQUAL,
};

static const struct option longopts[] = {
	{ "bucket",			required_argument, NULL, OPT_BUCKET },
	{ "help",			no_argument,	   NULL, 'h' },
	{ "label",			required_argument, NULL, OPT_LABEL },
	{ "log.level",			required_argument, NULL, OPT_LOG_LEVEL },
	{ "objstore.config-file",	required_argument, NULL, OPT_OBJSTORE },
	{ "prometheus.ready_timeout",	required_argument, NULL, OPT_READY_TIMEOUT },
	{ "prometheus.url",		required_argument, NULL, OPT_PROM_URL },
	{ "retry-interval",		required_argument, NULL, OPT_RETRY_INTERVAL },
	{ "shipper-file",		required_argument, NULL, OPT_SHIPPER_FILE },
	{ "shipper.ignore-unequal-block-size", no_argument, NULL,
	    OPT_IGNORE_UNEQUAL },
	{ "version",			no_argument,	   NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void __attribute__((noreturn))
usage(FILE *fp, int status)
{
	fprintf(fp,
"usage: %s (--objstore.config-file=FILE | --bucket=URL)\n"
"       (--label=NAME=VALUE... | --prometheus.url=URL) [--shipper-file=PATH]\n"
"       [--retry-interval=DURATION] [--prometheus.ready_timeout=DURATION]\n"
"       [--shipper.ignore-unequal-block-size]\n"
"       [--log.level=LEVEL] < block-lines\n"
"\n"
"Upload each block directory read on stdin to the bucket in Thanos' layout,\n"
"chunks/* and index first, meta.json with the thanos section last; then\n"
"record it in the shipper file and print one result line.\n"
"\n"
"      --bucket=URL                  s3://BUCKET/PREFIX?endpoint=HOST:PORT...,\n"
"                                    file:///DIR or DIR\n"
"  -h, --help                        this text\n"
"      --label=NAME=VALUE            an external label (repeatable)\n"
"      --log.level=LEVEL             debug, info, warn, error (info)\n"
"      --objstore.config-file=FILE   Thanos objstore YAML (S3, FILESYSTEM)\n"
"      --prometheus.ready_timeout=DURATION\n"
"                                    wait this long for Prometheus' labels (10m)\n"
"      --prometheus.url=URL          take the external labels from Prometheus\n"
"      --retry-interval=DURATION     try a failed block again after (30s)\n"
"      --shipper-file=PATH           where shipped blocks are recorded\n"
"                                    (the block's TSDB dir/thanos.shipper.json)\n"
"      --shipper.ignore-unequal-block-size\n"
"                                    ship even if Prometheus compacts locally\n"
"  -V, --version                     print the version\n",
	    program_invocation_short_name);
	exit(status);
}

static int64_t
duration_arg(const char *opt, const char *s)
{
	char e[ERR_MAX];
	int64_t ms;

	if (parse_duration(s, &ms, e) == -1)
		errx(EXIT_USAGE, "--%s: %s", opt, e);
	if (ms <= 0)
		errx(EXIT_USAGE, "--%s: '%s' is too short", opt, s);
	return ms;
}

int
main(int argc, char *argv[])
{
	struct upload_config c = {
		.ready_timeout_ms = 10 * 60 * 1000, .retry_ms = 30 * 1000,
		.sigfd = -1,
	};
	const char *bucket_url = NULL, *objstore = NULL;
	char errbuf[ERR_MAX];
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_BUCKET:
			bucket_url = optarg;
			break;
		case 'h':
			usage(stdout, EXIT_SUCCESS);
		case OPT_LABEL:
			if (extlabels_add_flag(&c.labels, optarg, errbuf) == -1)
				errx(EXIT_USAGE, "--label: %s", errbuf);
			break;
		case OPT_LOG_LEVEL:
			if (log_set_level(optarg) == -1)
				errx(EXIT_USAGE, "--log.level: '%s' is not one "
				    "of debug, info, warn, error", optarg);
			break;
		case OPT_OBJSTORE:
			objstore = optarg;
			break;
		case OPT_READY_TIMEOUT:
			c.ready_timeout_ms = duration_arg(
			    "prometheus.ready_timeout", optarg);
			break;
		case OPT_PROM_URL:
			if (strncmp(optarg, "http://", 7) != 0 &&
			    strncmp(optarg, "https://", 8) != 0)
				errx(EXIT_USAGE, "--prometheus.url: '%s' is "
				    "not an http:// or https:// URL", optarg);
			c.prom_url = optarg;
			break;
		case OPT_RETRY_INTERVAL:
			c.retry_ms = duration_arg("retry-interval", optarg);
			break;
		case OPT_IGNORE_UNEQUAL:
			c.ignore_unequal = 1;
			break;
		case OPT_SHIPPER_FILE:
			if (*optarg == '\0')
				errx(EXIT_USAGE, "--shipper-file is empty");
			c.shipper_file = optarg;
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
	if ((bucket_url == NULL) == (objstore == NULL))
		errx(EXIT_USAGE, "one of --objstore.config-file and --bucket "
		    "is needed");
	if ((c.labels.n == 0) == (c.prom_url == NULL))
		errx(EXIT_USAGE, "one of --label and --prometheus.url is "
		    "needed: a block without external labels cannot be told "
		    "from another replica's");
	if (c.ignore_unequal && c.prom_url == NULL)
		errx(EXIT_USAGE, "--shipper.ignore-unequal-block-size needs "
		    "--prometheus.url");

	/* Before curl can start a thread.  SIGHUP has nothing to reload
	 * and must not cut an upload short; a peer closing a TLS
	 * connection must not kill us with SIGPIPE. */
	if ((c.sigfd = sig_open()) == -1)
		err(EXIT_FAILURE, "signalfd");
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	if (http_init(errbuf) == -1)
		errx(EXIT_FAILURE, "%s", errbuf);
	c.bucket = objstore ? bucket_open_config_file(objstore, errbuf) :
	    bucket_open_url(bucket_url, errbuf);
	if (c.bucket == NULL)
		errx(EXIT_FAILURE, "%s", errbuf);
	/* SIGTERM cuts an S3 transfer short; a multipart upload is then
	 * aborted on the server. */
	c.bucket->abort_fd = c.sigfd;
	log_info("starting", "bucket", c.bucket->url);

	rc = upload_run(&c, errbuf);
	bucket_free(c.bucket);
	extlabels_release(&c.labels);
	http_cleanup();
	close(c.sigfd);
	if (rc == -1) {
		fflush(stdout);
		errx(EXIT_FAILURE, "%s", errbuf);
	}
	if (io_close_stdout() == -1)
		return EXIT_FAILURE;
	return rc == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
