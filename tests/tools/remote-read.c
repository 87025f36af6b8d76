/*
 * remote-read: one remote-read request (POST /api/v1/read) to a real
 * peer through common/net/remote and common/net/http, the answer printed
 * as series lines (docs/FORMATS.md), so the bats tests can hold a real
 * Prometheus' answers against store-serve --once.
 *
 *	remote-read URL [--match=SELECTOR]... [--start=MS] [--end=MS]
 *	    [--type=samples|chunks] [--raw] [--recode] [--frame-bytes=N]
 *
 * Each --match is one query of the request (default: every series), and
 * the answers are printed query after query, each series in values form
 * with the samples of its chunks in [start, end]; a series that has no
 * sample there is left out.  URL without a path gets /api/v1/read.
 * --raw writes the response body as it came instead.  --recode also
 * writes what was read again with our encoders and fails unless the
 * result is what the peer sent: the same frames byte for byte (with the
 * peer's frame budget, --frame-bytes, default 1048576), or the same
 * ReadResponse once both are uncompressed (snappy compressors differ).
 *
 * Exit 0 ok, 1 failure (transport, HTTP status, bad response), 2 usage.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <snappy-c.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "base/io.h"
#include "base/labels.h"
#include "base/parse.h"
#include "net/http.h"
#include "net/remote.h"
#include "series/jsonl.h"
#include "tsdb/matcher.h"

#define EXIT_USAGE	2
#define MAX_BODY	((size_t)1 << 30)
#define TIMEOUT_MS	120000
#define ALL_SERIES	"{__name__=~\"(?s:.+)\"}"

enum { OPT_END = 256, OPT_FRAME_BYTES, OPT_MATCH, OPT_RAW, OPT_RECODE,
	OPT_START, OPT_TYPE };

static const struct option longopts[] = {
	{ "end",	 required_argument, NULL, OPT_END },
	{ "frame-bytes", required_argument, NULL, OPT_FRAME_BYTES },
	{ "help",	 no_argument,	    NULL, 'h' },
	{ "match",	 required_argument, NULL, OPT_MATCH },
	{ "raw",	 no_argument,	    NULL, OPT_RAW },
	{ "recode",	 no_argument,	    NULL, OPT_RECODE },
	{ "start",	 required_argument, NULL, OPT_START },
	{ "type",	 required_argument, NULL, OPT_TYPE },
	{ NULL, 0, NULL, 0 }
};

static void __attribute__((noreturn))
usage(FILE *fp, int status)
{
	fprintf(fp, "usage: %s URL [--match=SELECTOR]... [--start=MS] "
	    "[--end=MS]\n"
	    "    [--type=samples|chunks] [--raw] [--recode] "
	    "[--frame-bytes=N]\n", program_invocation_short_name);
	exit(status);
}

static int64_t
ms_arg(const char *name, const char *s)
{
	long long v;
	char *end;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || s[0] == ' ' ||
	    s[0] == '+')
		errx(EXIT_USAGE, "--%s: bad milliseconds '%s'", name, s);
	return (int64_t)v;
}

/* A line out; a write error ends us at io_close_stdout. */
static void
emit(struct buf *line, const struct labels *l, const int64_t *t,
    const double *v, size_t n)
{
	if (n == 0)
		return;
	buf_reset(line);
	if (jsonl_add_values(line, l, t, v, n) == -1)
		err(1, "output");
	fwrite(line->data, 1, line->len, stdout);
}

/* --- SAMPLES ----------------------------------------------------------- */

/* The message inside a snappy block, for --recode. */
static void
unsnappy(const struct buf *b, struct buf *out)
{
	size_t n;

	if (snappy_uncompressed_length(b->data, b->len, &n) != SNAPPY_OK ||
	    buf_grow(out, n) == -1 ||
	    snappy_uncompress(b->data, b->len, out->data, &n) != SNAPPY_OK)
		errx(1, "--recode: cannot uncompress");
	out->len = n;
}

static void
recode_samples(const struct remote_response *r, const struct buf *body)
{
	struct remote_samples_enc e;
	struct buf ours = BUF_INIT(BUF_NOMAX), a = BUF_INIT(BUF_NOMAX);
	struct buf b = BUF_INIT(BUF_NOMAX);

	remote_samples_enc_init(&e, BUF_NOMAX);
	for (size_t i = 0; i < r->nresults; i++) {
		if (remote_samples_enc_query(&e) == -1)
			err(1, "--recode");
		for (size_t j = 0; j < r->results[i].nseries; j++) {
			const struct remote_series *s =
			    &r->results[i].series[j];

			if (remote_samples_enc_series(&e, &s->labels, s->t,
			    s->v, s->n) == -1)
				err(1, "--recode");
		}
	}
	if (remote_samples_enc_finish(&e, &ours) == -1)
		err(1, "--recode");
	unsnappy(&ours, &a);
	unsnappy(body, &b);
	if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
		errx(1, "--recode: our ReadResponse (%zu bytes) differs from "
		    "the peer's (%zu bytes)", a.len, b.len);
	remote_samples_enc_release(&e);
	buf_release(&ours);
	buf_release(&a);
	buf_release(&b);
}

static void
print_samples(const struct buf *body, int recode)
{
	struct remote_response r = REMOTE_RESPONSE_INIT;
	struct buf line = BUF_INIT(BUF_NOMAX);
	char e[ERR_MAX];

	if (remote_samples_decode(&r, body->data, body->len, MAX_BODY, e) != 0)
		errx(1, "response: %s", e);
	for (size_t i = 0; i < r.nresults; i++)
		for (size_t j = 0; j < r.results[i].nseries; j++) {
			const struct remote_series *s = &r.results[i].series[j];

			emit(&line, &s->labels, s->t, s->v, s->n);
		}
	if (recode)
		recode_samples(&r, body);
	remote_response_release(&r);
	buf_release(&line);
}

/* --- STREAMED_XOR_CHUNKS ---------------------------------------------- */

/*
 * The series being read: a long one comes in several frames, each with
 * the same query index and labels.  Its labels are kept as a copy (the
 * frame they came in is gone by the next one): their bytes in keep, the
 * set pointing into it, rebuilt after every copy.
 */
struct current {
	int		 open;
	int64_t		 query;
	struct buf	 keep;
	struct labels	 labels;
	struct remote_points pts;
};

static void
cur_set(struct current *c, int64_t query, const struct labels *l)
{
	const char *p;

	buf_reset(&c->keep);
	for (size_t i = 0; i < l->n; i++)
		if (buf_add(&c->keep, l->v[i].name.p, l->v[i].name.n) == -1 ||
		    buf_add(&c->keep, l->v[i].value.p, l->v[i].value.n) == -1)
			err(1, "labels");
	labels_reset(&c->labels);
	p = c->keep.data;
	for (size_t i = 0; i < l->n; i++) {
		struct str n = { p, l->v[i].name.n };
		struct str v = { p + n.n, l->v[i].value.n };

		if (labels_add(&c->labels, n, v) == -1)
			err(1, "labels");
		p += n.n + v.n;
	}
	c->query = query;
	c->open = 1;
	remote_points_reset(&c->pts);
}

static void
cur_flush(struct current *c, struct buf *line)
{
	if (!c->open)
		return;
	if (remote_points_finish(&c->pts) == -1)
		err(1, "samples");
	emit(line, &c->labels, c->pts.t, c->pts.v, c->pts.n);
	c->open = 0;
}

static void
print_frames(const struct buf *body, const struct remote_request *rq,
    int recode, size_t frame_bytes)
{
	struct current cur = { 0 };
	struct remote_frame_dec d;
	struct remote_frame_enc enc;
	struct remote_frame f;
	struct buf line = BUF_INIT(BUF_NOMAX), ours = BUF_INIT(BUF_NOMAX);
	char e[ERR_MAX];
	int r;

	buf_init(&cur.keep, BUF_NOMAX);
	remote_frame_enc_init(&enc, &ours, frame_bytes);
	remote_frame_dec_init(&d, 0);
	if (remote_frame_dec_feed(&d, body->data, body->len) == -1)
		err(1, "response");
	while ((r = remote_frame_dec_next(&d, &f, e)) == 1) {
		const struct remote_query *q;

		if (f.query_index < 0 || (size_t)f.query_index >= rq->nqueries)
			errx(1, "response: frame for query %lld of %zu",
			    (long long)f.query_index, rq->nqueries);
		if (cur.open && f.query_index < cur.query)
			errx(1, "response: query %lld after query %lld",
			    (long long)f.query_index, (long long)cur.query);
		q = &rq->queries[f.query_index];
		for (size_t i = 0; i < f.nseries; i++) {
			const struct remote_series *s = &f.series[i];
			int same = cur.open && cur.query == f.query_index &&
			    labels_compare(&cur.labels, &s->labels) == 0;

			if (!same) {
				cur_flush(&cur, &line);
				cur_set(&cur, f.query_index, &s->labels);
				if (remote_frame_enc_series(&enc, f.query_index,
				    &s->labels) == -1)
					err(1, "--recode");
			}
			if (remote_points_add_chunks(&cur.pts, s->chunks,
			    s->nchunks, q->start_ms, q->end_ms, e) != 0)
				errx(1, "response: query %lld: %s",
				    (long long)f.query_index, e);
			for (size_t k = 0; k < s->nchunks; k++)
				if (remote_frame_enc_chunk(&enc,
				    s->chunks[k].mint, s->chunks[k].maxt,
				    s->chunks[k].encoding, s->chunks[k].data,
				    s->chunks[k].len) == -1)
					err(1, "--recode");
		}
	}
	if (r != 0 || remote_frame_dec_finish(&d, e) != 0)
		errx(1, "response: %s", e);
	cur_flush(&cur, &line);
	if (remote_frame_enc_end(&enc) == -1)
		err(1, "--recode");
	if (recode && (ours.len != body->len || (ours.len > 0 &&
	    memcmp(ours.data, body->data, ours.len) != 0)))
		errx(1, "--recode: our frames (%zu bytes) differ from the "
		    "peer's (%zu bytes)", ours.len, body->len);
	remote_frame_enc_release(&enc);
	remote_frame_dec_release(&d);
	remote_points_release(&cur.pts);
	labels_release(&cur.labels);
	buf_release(&cur.keep);
	buf_release(&line);
	buf_release(&ours);
}

/* --- main -------------------------------------------------------------- */

/* The first line of an error body, for the message. */
static const char *
first_line(struct buf *b)
{
	char *nl;

	if (b->data == NULL)
		return "";
	if ((nl = strchr(b->data, '\n')) != NULL)
		*nl = '\0';
	return b->data;
}

int
main(int argc, char *argv[])
{
	struct remote_request rq = REMOTE_REQUEST_INIT;
	struct http_request req = HTTP_REQUEST_INIT;
	struct http_response resp;
	struct buf body = BUF_INIT(BUF_NOMAX), url = BUF_INIT(BUF_NOMAX);
	const char *sels[64];
	char errbuf[ERR_MAX], ct[256], *host;
	int64_t start = INT64_MIN, end = INT64_MAX;
	enum remote_type type = REMOTE_SAMPLES;
	size_t nsel = 0, frame_bytes = REMOTE_FRAME_BYTES;
	uint64_t fb;
	int ch, raw = 0, recode = 0, streamed;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_END:
			end = ms_arg("end", optarg);
			break;
		case OPT_FRAME_BYTES:
			if (parse_uint64(optarg, 1, SIZE_MAX, &fb,
			    errbuf) == -1)
				errx(EXIT_USAGE, "--frame-bytes: %s", errbuf);
			frame_bytes = (size_t)fb;
			break;
		case 'h':
			usage(stdout, EXIT_SUCCESS);
		case OPT_MATCH:
			if (nsel == sizeof(sels) / sizeof(sels[0]))
				errx(EXIT_USAGE, "too many --match");
			sels[nsel++] = optarg;
			break;
		case OPT_RAW:
			raw = 1;
			break;
		case OPT_RECODE:
			recode = 1;
			break;
		case OPT_START:
			start = ms_arg("start", optarg);
			break;
		case OPT_TYPE:
			if (strcmp(optarg, "samples") == 0)
				type = REMOTE_SAMPLES;
			else if (strcmp(optarg, "chunks") == 0)
				type = REMOTE_STREAMED_XOR_CHUNKS;
			else
				errx(EXIT_USAGE, "--type: '%s' is not samples "
				    "or chunks", optarg);
			break;
		default:
			usage(stderr, EXIT_USAGE);
		}
	}
	if (argc - optind != 1)
		usage(stderr, EXIT_USAGE);
	if (nsel == 0)
		sels[nsel++] = ALL_SERIES;
	for (size_t i = 0; i < nsel; i++) {
		struct matcher *m;
		size_t n;

		if (matcher_parse_selector(sels[i], &m, &n, errbuf) == -1)
			errx(EXIT_USAGE, "--match: %s", errbuf);
		if (remote_request_add_query(&rq, start, end, m, n) == -1)
			err(1, "request");
	}
	if (remote_request_add_type(&rq, type) == -1 ||
	    remote_request_encode(&rq, &body, errbuf) == -1)
		errx(1, "request: %s", errbuf);

	/* A bare server URL gets the endpoint's path. */
	buf_addstr(&url, argv[optind]);
	host = strstr(url.data, "://") ? strstr(url.data, "://") + 3 :
	    url.data;
	if (strchr(host, '/') == NULL)
		buf_addstr(&url, REMOTE_PATH);

	if (http_init(errbuf) == -1)
		errx(1, "%s", errbuf);
	http_response_init(&resp);
	req.method = "POST";
	req.url = url.data;
	req.body = body.data;
	req.body_len = body.len;
	req.headers = remote_request_headers;
	req.max_body = MAX_BODY;
	req.timeout_ms = TIMEOUT_MS;
	if (http_do(&req, &resp, errbuf) == -1)
		errx(1, "%s", errbuf);
	if (resp.status != 200)
		errx(1, "POST %s: HTTP %ld: %s", url.data, resp.status,
		    first_line(&resp.body));
	if (http_response_header(&resp, "Content-Type", ct, sizeof(ct)) == -1)
		ct[0] = '\0';
	/* As Prometheus' client decides: by the Content-Type. */
	if (strncmp(ct, "application/x-streamed-protobuf",
	    strlen("application/x-streamed-protobuf")) == 0)
		streamed = 1;
	else if (strncmp(ct, REMOTE_CT_SAMPLES, strlen(REMOTE_CT_SAMPLES)) == 0)
		streamed = 0;
	else
		errx(1, "POST %s: unexpected Content-Type '%s'", url.data, ct);
	if (streamed != (type == REMOTE_STREAMED_XOR_CHUNKS))
		errx(1, "POST %s: asked for %s, got Content-Type '%s'",
		    url.data, type == REMOTE_SAMPLES ? "samples" : "chunks",
		    ct);

	if (raw)
		fwrite(resp.body.data, 1, resp.body.len, stdout);
	else if (streamed)
		print_frames(&resp.body, &rq, recode, frame_bytes);
	else
		print_samples(&resp.body, recode);

	http_response_release(&resp);
	http_cleanup();
	remote_request_release(&rq);
	buf_release(&body);
	buf_release(&url);
	return io_close_stdout() == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
