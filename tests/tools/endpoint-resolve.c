/*
 * endpoint-resolve: resolve --store endpoint specs through common/net/
 * endpoint as query-merge does, so the bats tests can drive it against a
 * real dnsmasq.
 *
 *	endpoint-resolve [--rounds=N] [--server=ADDR:PORT] SPEC...
 *
 * Prints the URLs of each spec in turn (each spec's sorted and unique),
 * one per line.  A spec that does not parse or resolve is reported on
 * stderr and the rest still resolved; exit 0 ok, 1 if any failed, 2
 * usage.  With --rounds=N the specs are resolved N times with the same
 * resolver, as query-merge's refreshes do: after each round but the last
 * a line "--" is printed and a line is read from stdin before the next.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/errbuf.h"
#include "base/io.h"
#include "base/parse.h"
#include "net/endpoint.h"

#define EXIT_USAGE	2

static const struct option longopts[] = {
	{ "help",	no_argument,	   NULL, 'h' },
	{ "rounds",	required_argument, NULL, 'n' },
	{ "server",	required_argument, NULL, 's' },
	{ NULL, 0, NULL, 0 }
};

static void __attribute__((noreturn))
usage(FILE *fp, int status)
{
	fprintf(fp, "usage: %s [--rounds=N] [--server=ADDR:PORT] SPEC...\n",
	    program_invocation_short_name);
	exit(status);
}

int
main(int argc, char *argv[])
{
	struct endpoint_resolver *r;
	struct endpoint_spec s;
	char errbuf[ERR_MAX], **urls;
	const char *server = NULL;
	uint64_t rounds = 1, round;
	size_t i, n;
	int ch, first, rc = EXIT_SUCCESS;

	while ((ch = getopt_long(argc, argv, "hn:s:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout, EXIT_SUCCESS);
		case 'n':
			if (parse_uint64(optarg, 1, 1000, &rounds,
			    errbuf) == -1)
				errx(EXIT_USAGE, "--rounds: %s", errbuf);
			break;
		case 's':
			server = optarg;
			break;
		default:
			usage(stderr, EXIT_USAGE);
		}
	}
	if (optind == argc)
		usage(stderr, EXIT_USAGE);
	if ((r = endpoint_resolver_new(server, errbuf)) == NULL)
		errx(EXIT_USAGE, "%s", errbuf);

	first = optind;
	for (round = 1; round <= rounds; round++) {
		for (optind = first; optind < argc; optind++) {
			if (endpoint_parse(&s, argv[optind], errbuf) == -1) {
				warnx("%s", errbuf);
				rc = EXIT_FAILURE;
				continue;
			}
			if (endpoint_resolve(r, &s, &urls, &n, errbuf) == -1) {
				warnx("%s", errbuf);
				rc = EXIT_FAILURE;
			} else {
				for (i = 0; i < n; i++)
					printf("%s\n", urls[i]);
				endpoint_urls_free(urls, n);
			}
			endpoint_spec_release(&s);
		}
		if (round == rounds)
			break;
		printf("--\n");
		fflush(stdout);
		while ((ch = getchar()) != EOF && ch != '\n')
			;
		if (ch == EOF)
			break;
	}
	endpoint_resolver_free(r);
	if (io_close_stdout() == -1)
		rc = EXIT_FAILURE;
	return rc;
}
