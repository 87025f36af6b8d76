/*
 * config-envsubst: render a Prometheus config template from the
 * environment, and with --watch keep it rendered and make Prometheus
 * reload on every change of the template or the rule dirs.  Thanos'
 * sidecar reloader as a program of its own (man/config-envsubst.1).
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errbuf.h"
#include "base/io.h"
#include "base/log.h"
#include "base/parse.h"
#include "net/http.h"
#include "reloader.h"

#define EXIT_USAGE	2	/* 0 ok, 1 failed (EXIT_FAILURE), 2 bad usage */
#define MAX_RULE_DIRS	64

enum {
	OPT_HTTP_ADDRESS = 256, OPT_LOG_LEVEL, OPT_PROM_URL, OPT_CONFIG_FILE,
	OPT_ENVSUBST_FILE, OPT_RULE_DIR, OPT_RETRY_INTERVAL, OPT_WATCH_INTERVAL,
};

static const struct option longopts[] = {
	{ "help",			    no_argument,       NULL, 'h' },
	{ "http-address",		    required_argument, NULL, OPT_HTTP_ADDRESS },
	{ "log.level",			    required_argument, NULL, OPT_LOG_LEVEL },
	{ "prometheus.url",		    required_argument, NULL, OPT_PROM_URL },
	{ "reloader.config-envsubst-file",  required_argument, NULL, OPT_ENVSUBST_FILE },
	{ "reloader.config-file",	    required_argument, NULL, OPT_CONFIG_FILE },
	{ "reloader.retry-interval",	    required_argument, NULL, OPT_RETRY_INTERVAL },
	{ "reloader.rule-dir",		    required_argument, NULL, OPT_RULE_DIR },
	{ "reloader.watch-interval",	    required_argument, NULL, OPT_WATCH_INTERVAL },
	{ "version",			    no_argument,       NULL, 'V' },
	{ "watch",			    no_argument,       NULL, 'w' },
	{ NULL, 0, NULL, 0 }
};

static void __attribute__((noreturn))
usage(FILE *fp, int status)
{
	fprintf(fp,
"usage: %s [--watch] [--prometheus.url=URL] [--reloader.rule-dir=DIR]...\n"
"       [--reloader.watch-interval=DURATION] [--reloader.retry-interval=DURATION]\n"
"       [--log.level=LEVEL] TEMPLATE OUTPUT\n"
"   or: %s --watch [--http-address=HOST:PORT] [--reloader.config-file=TEMPLATE]\n"
"       [--reloader.config-envsubst-file=OUTPUT] [--reloader.rule-dir=DIR]... ...\n"
"\n"
"Replace every $(NAME) in TEMPLATE with the environment variable NAME and\n"
"write OUTPUT atomically, only if it changed.  With --watch, keep doing it\n"
"and POST <prometheus.url>/-/reload after every change of TEMPLATE or of a\n"
"rule dir, retrying until Prometheus answers 2xx.\n"
"\n"
"  -h, --help                               this text\n"
"      --http-address=HOST:PORT             serve /metrics, /-/healthy, /-/ready\n"
"      --log.level=LEVEL                    debug, info, warn, error (info)\n"
"      --prometheus.url=URL                 Prometheus to reload (http://localhost:9090)\n"
"      --reloader.config-envsubst-file=OUT  OUTPUT, Thanos' name\n"
"      --reloader.config-file=TEMPLATE      TEMPLATE, Thanos' name\n"
"      --reloader.retry-interval=DURATION   longest wait between reload retries (5s)\n"
"      --reloader.rule-dir=DIR              rule dir to watch (repeatable)\n"
"      --reloader.watch-interval=DURATION   re-check even without events (3m)\n"
"  -V, --version                            print the version\n"
"  -w, --watch                              keep watching and reloading\n",
	    program_invocation_short_name, program_invocation_short_name);
	exit(status);
}

static int64_t
duration_arg(const char *opt, const char *s, int64_t min)
{
	char e[ERR_MAX];
	int64_t ms;

	if (parse_duration(s, &ms, e) == -1)
		errx(EXIT_USAGE, "--%s: %s", opt, e);
	if (ms < min)
		errx(EXIT_USAGE, "--%s: '%s' is too short", opt, s);
	return ms;
}

/* The same file may come as a flag (Thanos' name) or as an operand. */
static void
set_path(const char **slot, const char *v, const char *what)
{
	if (*slot != NULL && strcmp(*slot, v) != 0)
		errx(EXIT_USAGE, "%s given twice: '%s' and '%s'", what, *slot, v);
	if (*v == '\0')
		errx(EXIT_USAGE, "%s is empty", what);
	*slot = v;
}

int
main(int argc, char *argv[])
{
	struct reloader_config c = {
		.prom_url = "http://localhost:9090",
		.watch_interval_ms = 3 * 60 * 1000,
		.retry_interval_ms = 5 * 1000,
	};
	char *rule_dirs[MAX_RULE_DIRS], errbuf[ERR_MAX];
	int ch, watch = 0, rc;

	while ((ch = getopt_long(argc, argv, "hVw", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout, EXIT_SUCCESS);
		case OPT_HTTP_ADDRESS:
			c.http_address = optarg;
			break;
		case OPT_LOG_LEVEL:
			if (log_set_level(optarg) == -1)
				errx(EXIT_USAGE, "--log.level: '%s' is not one "
				    "of debug, info, warn, error", optarg);
			break;
		case OPT_PROM_URL:
			if (strncmp(optarg, "http://", 7) != 0 &&
			    strncmp(optarg, "https://", 8) != 0)
				errx(EXIT_USAGE, "--prometheus.url: '%s' is not "
				    "an http:// or https:// URL", optarg);
			c.prom_url = optarg;
			break;
		case OPT_ENVSUBST_FILE:
			set_path(&c.out, optarg, "output file");
			break;
		case OPT_CONFIG_FILE:
			set_path(&c.tmpl, optarg, "template");
			break;
		case OPT_RETRY_INTERVAL:
			c.retry_interval_ms = duration_arg(
			    "reloader.retry-interval", optarg, 1);
			break;
		case OPT_RULE_DIR:
			if (c.nrule_dirs == MAX_RULE_DIRS)
				errx(EXIT_USAGE, "more than %d rule dirs",
				    MAX_RULE_DIRS);
			if (*optarg == '\0')
				errx(EXIT_USAGE, "--reloader.rule-dir is empty");
			rule_dirs[c.nrule_dirs++] = optarg;
			break;
		case OPT_WATCH_INTERVAL:
			c.watch_interval_ms = duration_arg(
			    "reloader.watch-interval", optarg, 1);
			break;
		case 'V':
			printf("%s %s\n", program_invocation_short_name, VERSION);
			return io_close_stdout() == 0 ? EXIT_SUCCESS :
			    EXIT_FAILURE;
		case 'w':
			watch = 1;
			break;
		default:
			usage(stderr, EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 2)
		usage(stderr, EXIT_USAGE);
	if (argc >= 1)
		set_path(&c.tmpl, argv[0], "template");
	if (argc == 2)
		set_path(&c.out, argv[1], "output file");
	c.rule_dirs = rule_dirs;

	if (c.out != NULL && c.tmpl == NULL)
		errx(EXIT_USAGE, "an output file needs a template");
	if (!watch) {
		if (c.tmpl == NULL || c.out == NULL)
			errx(EXIT_USAGE, "without --watch, TEMPLATE and OUTPUT "
			    "are both needed");
		if (c.nrule_dirs > 0)
			errx(EXIT_USAGE, "--reloader.rule-dir needs --watch");
		if (c.http_address)
			errx(EXIT_USAGE, "--http-address needs --watch");
		if (reloader_render_once(&c, errbuf) == -1)
			errx(EXIT_FAILURE, "%s", errbuf);
		return io_close_stdout() == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	}
	if (c.tmpl == NULL && c.nrule_dirs == 0)
		errx(EXIT_USAGE, "--watch needs a template or a rule dir");
	if (http_init(errbuf) == -1)
		errx(EXIT_FAILURE, "%s", errbuf);
	rc = reloader_watch(&c, errbuf);
	http_cleanup();
	if (rc == -1)
		errx(EXIT_FAILURE, "%s", errbuf);
	return io_close_stdout() == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
