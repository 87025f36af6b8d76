/*
 * promql-eval: evaluate one PromQL query over series lines read from
 * stdin (docs/FORMATS.md, the values form: what "store-serve --once"
 * writes) and print the body Prometheus' /api/v1/query (--time) or
 * /api/v1/query_range (--start, --end, --step) would answer, errors
 * included.  For comparing the engine with a real Prometheus.
 *
 *	promql-eval --time=T QUERY < series
 *	promql-eval --start=T --end=T --step=D QUERY < series
 *
 * Times as the API takes them (RFC 3339 or Unix seconds), durations as
 * PromQL's ("15s") or plain seconds.  Exit 0 on an answer, 1 on a query
 * error (the error body is still printed), 2 on bad usage.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/io.h"
#include "base/parse.h"
#include "promql/memstore.h"
#include "promql/promql.h"
#include "series/jsonl.h"

#define EXIT_USAGE	2

static void __attribute__((noreturn))
usage(FILE *fp, int status)
{
	fprintf(fp, "usage: %s [--lookback-delta=D] [--max-samples=N] "
	    "(--time=T | --start=T --end=T --step=D) query < series\n",
	    program_invocation_short_name);
	exit(status);
}

/* A duration ("15s") or seconds ("15", "0.5"). */
static int64_t
duration_arg(const char *s)
{
	char err[ERR_MAX], *end;
	int64_t ms;
	double f;

	if (parse_duration(s, &ms, err) == 0)
		return ms;
	f = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || f <= 0 || f > 9e15)
		errx(EXIT_USAGE, "bad duration '%s'", s);
	return (int64_t)(f * 1000 + 0.5);
}

static int64_t
time_arg(const char *s)
{
	char err[ERR_MAX];
	int64_t ms;

	if (clock_parse_time(s, &ms, err) == -1)
		errx(EXIT_USAGE, "%s", err);
	return ms;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "end", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ "lookback-delta", required_argument, NULL, 'l' },
		{ "max-samples", required_argument, NULL, 'm' },
		{ "start", required_argument, NULL, 's' },
		{ "step", required_argument, NULL, 'p' },
		{ "time", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	struct promql_opts o = PROMQL_OPTS_INIT;
	struct promql_result r = PROMQL_RESULT_INIT;
	struct memstore ms = MEMSTORE_INIT;
	struct promql_storage st = memstore_storage(&ms);
	struct jsonl_series s = { 0 };
	struct promql_expr *e;
	struct buf out = BUF_INIT(BUF_NOMAX);
	int64_t t = 0, start = 0, end = 0, step = 0;
	int ch, have_t = 0, have_range = 0, rc;
	char ebuf[ERR_MAX], *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;
	uint64_t n;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'e':
			end = time_arg(optarg);
			have_range |= 2;
			break;
		case 'h':
			usage(stdout, EXIT_SUCCESS);
		case 'l':
			o.lookback_ms = duration_arg(optarg);
			break;
		case 'm':
			if (parse_uint64(optarg, 1, SIZE_MAX, &n, ebuf) == -1)
				errx(EXIT_USAGE, "%s", ebuf);
			o.max_samples = (size_t)n;
			break;
		case 'p':
			step = duration_arg(optarg);
			have_range |= 4;
			break;
		case 's':
			start = time_arg(optarg);
			have_range |= 1;
			break;
		case 't':
			t = time_arg(optarg);
			have_t = 1;
			break;
		default:
			usage(stderr, EXIT_USAGE);
		}
	}
	if (optind + 1 != argc || have_t == (have_range == 7) ||
	    (have_range != 0 && have_range != 7))
		usage(stderr, EXIT_USAGE);
	while ((len = getline(&line, &cap, stdin)) != -1) {
		lineno++;
		if (jsonl_parse(&s, line, (size_t)len, ebuf) == -1)
			errx(EXIT_FAILURE, "<stdin>:%zu: %s", lineno, ebuf);
		if (s.is_chunks)
			errx(EXIT_FAILURE, "<stdin>:%zu: chunks lines are not "
			    "read", lineno);
		if (memstore_add(&ms, &s.labels, s.t, s.v, s.n) == -1)
			err(EXIT_FAILURE, "<stdin>:%zu", lineno);
	}
	if (ferror(stdin))
		err(EXIT_FAILURE, "read <stdin>");
	free(line);
	jsonl_series_release(&s);
	if ((rc = promql_parse(argv[optind], &e, ebuf)) == 0) {
		if (have_t)
			rc = promql_instant(e, &st, t, &o, &r, ebuf);
		else
			rc = promql_range(e, &st, start, end, step, &o, &r,
			    ebuf);
		promql_expr_free(e);
	}
	if (rc == 0)
		promql_result_json(&r, &out);
	else
		promql_error_json(rc, ebuf, &out);
	buf_addch(&out, '\n');
	if (io_write_all(STDOUT_FILENO, out.data, out.len) == -1)
		err(EXIT_FAILURE, "write <stdout>");
	buf_release(&out);
	promql_result_release(&r);
	memstore_clear(&ms);
	if (io_close_stdout() == -1)
		return EXIT_FAILURE;
	return rc == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
