/*
 * tsdb-watch: print the blocks of a Prometheus TSDB directory that are
 * complete and not shipped yet, one absolute path per line, oldest
 * first; once, or forever as new blocks appear.  The finding half of
 * Thanos' shipper; block-upload is the other (man/tsdb-watch.1).
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/errbuf.h"
#include "base/io.h"
#include "base/log.h"
#include "base/parse.h"
#include "bucket/shipper.h"
#include "watch.h"

#define EXIT_USAGE	2	/* 0 ok, 1 failed (EXIT_FAILURE), 2 bad usage */

enum {
	OPT_INTERVAL = 256, OPT_LOG_LEVEL, OPT_ONCE, OPT_SHIPPER_FILE,
	OPT_TSDB_PATH, OPT_RETENTION, OPT_UPLOAD_COMPACTED,
};

static const struct option longopts[] = {
	{ "help",		no_argument,	   NULL, 'h' },
	{ "interval",		required_argument, NULL, OPT_INTERVAL },
	{ "log.level",		required_argument, NULL, OPT_LOG_LEVEL },
	{ "once",		no_argument,	   NULL, OPT_ONCE },
	{ "shipper-file",	required_argument, NULL, OPT_SHIPPER_FILE },
	{ "tsdb.path",		required_argument, NULL, OPT_TSDB_PATH },
	{ "tsdb.retention",	required_argument, NULL, OPT_RETENTION },
	{ "upload-compacted",	no_argument,	   NULL, OPT_UPLOAD_COMPACTED },
	{ "version",		no_argument,	   NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void __attribute__((noreturn))
usage(FILE *fp, int status)
{
	fprintf(fp,
"usage: %s [--once] [--interval=DURATION] [--upload-compacted]\n"
"       [--shipper-file=PATH] [--tsdb.retention=DURATION] [--log.level=LEVEL]\n"
"       --tsdb.path=DIR\n"
"\n"
"Print every block of the Prometheus TSDB directory DIR that is complete\n"
"and not yet recorded as shipped, one absolute path per line, oldest first.\n"
"Without --once, keep watching and print each new block once.\n"
"\n"
"  -h, --help                   this text\n"
"      --interval=DURATION      rescan this often besides inotify (30s)\n"
"      --log.level=LEVEL        debug, info, warn, error (info)\n"
"      --once                   print what is there now and exit\n"
"      --shipper-file=PATH      shipped blocks (DIR/thanos.shipper.json)\n"
"      --tsdb.path=DIR          Prometheus' data directory\n"
"      --tsdb.retention=DURATION  Prometheus' retention: warn before an\n"
"                               unshipped block reaches it\n"
"      --upload-compacted       also compacted blocks (level > 1)\n"
"  -V, --version                print the version\n",
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
	struct watch_config c = { .interval_ms = 30 * 1000 };
	const char *tsdb = NULL;
	char real[PATH_MAX], shipper[PATH_MAX], errbuf[ERR_MAX];
	struct stat st;
	int ch, once = 0, rc;

	while ((ch = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout, EXIT_SUCCESS);
		case OPT_INTERVAL:
			c.interval_ms = duration_arg("interval", optarg);
			break;
		case OPT_LOG_LEVEL:
			if (log_set_level(optarg) == -1)
				errx(EXIT_USAGE, "--log.level: '%s' is not one "
				    "of debug, info, warn, error", optarg);
			break;
		case OPT_ONCE:
			once = 1;
			break;
		case OPT_SHIPPER_FILE:
			if (*optarg == '\0')
				errx(EXIT_USAGE, "--shipper-file is empty");
			c.shipper_file = optarg;
			break;
		case OPT_TSDB_PATH:
			if (*optarg == '\0')
				errx(EXIT_USAGE, "--tsdb.path is empty");
			tsdb = optarg;
			break;
		case OPT_RETENTION:
			c.retention_ms = duration_arg("tsdb.retention", optarg);
			break;
		case OPT_UPLOAD_COMPACTED:
			c.upload_compacted = 1;
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
	if (tsdb == NULL)
		errx(EXIT_USAGE, "--tsdb.path is required");

	/* Block lines are absolute: resolve once, here. */
	if (realpath(tsdb, real) == NULL)
		err(EXIT_FAILURE, "%s", tsdb);
	if (stat(real, &st) == -1)
		err(EXIT_FAILURE, "%s", tsdb);
	if (!S_ISDIR(st.st_mode))
		errx(EXIT_FAILURE, "%s: not a directory", tsdb);
	if (strchr(real, '\n') != NULL)
		errx(EXIT_FAILURE, "%s: a path with a newline cannot be a "
		    "block line", tsdb);
	c.tsdb = real;
	if (c.shipper_file == NULL) {
		if (io_path_join(shipper, sizeof(shipper), real,
		    SHIPPER_FILE) == -1)
			err(EXIT_FAILURE, "%s", tsdb);
		c.shipper_file = shipper;
	}

	rc = once ? watch_once(&c, errbuf) : watch_forever(&c, errbuf);
	if (rc == -1) {
		fflush(stdout);
		errx(EXIT_FAILURE, "%s", errbuf);
	}
	return io_close_stdout() == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
