/*
 * read: POST /api/v1/read, Prometheus remote read over the store.
 *
 * SAMPLES answers are one snappy block, built whole but compressed as
 * they are built (net/remote.h), then sent in pieces; STREAMED_XOR_CHUNKS answers are made series by
 * series as the client takes them, so memory stays at one series and one
 * frame.  Chunks inside the query range go out as stored; a chunk that
 * reaches outside it, or a series whose parts overlap or lost samples to
 * tombstones, is re-encoded from the samples in range, as Prometheus trims
 * its chunks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/errbuf.h"
#include "net/promapi.h"
#include "net/remote.h"
#include "tsdb/xorchunk.h"
#include "read.h"


struct rr {
	struct server		*sv;
	struct store_set	*set;
	struct tsdb_block	**blocks;
	size_t			 n;
	struct remote_request	 req;
	/* streaming state */
	size_t			 qi;		/* next query to open */
	struct tsdb_query	 q;
	int			 qopen;
	struct remote_frame_enc	 fe;
	struct tsdb_samples	 smp;
	struct buf		 chunk;
	/* a SAMPLES answer, compressed as built, sent in pieces */
	struct remote_samples_enc enc;
	struct buf		 body;
};

static int
rr_open(struct server *sv, struct rr *r)
{
	r->sv = sv;
	r->set = store_acquire(sv->store);
	r->n = r->set->n;
	if ((r->blocks = calloc(r->n ? r->n : 1, sizeof(*r->blocks))) == NULL)
		return -1;
	for (size_t i = 0; i < r->n; i++)
		r->blocks[i] = &r->set->v[i]->b;
	buf_init(&r->chunk, BUF_NOMAX);
	buf_init(&r->body, REMOTE_MAX_RESPONSE);
	remote_samples_enc_init(&r->enc, REMOTE_MAX_RESPONSE);
	return 0;
}

static void
rr_free(void *arg)
{
	struct rr *r = arg;

	if (r->qopen)
		tsdb_query_close(&r->q);
	remote_frame_enc_release(&r->fe);
	tsdb_samples_release(&r->smp);
	buf_release(&r->chunk);
	buf_release(&r->body);
	remote_samples_enc_release(&r->enc);
	remote_request_release(&r->req);
	free(r->blocks);
	store_set_release(r->set);
	free(r);
}

static int
open_query(struct rr *r, size_t i, char *err)
{
	struct remote_query *rq = &r->req.queries[i];
	struct tsdb_selector sel = { rq->matchers, rq->nmatchers };

	return tsdb_query_open(&r->q, r->blocks, r->n, &sel, 1, rq->start_ms,
	    rq->end_ms, err);
}

/* --- SAMPLES ---------------------------------------------------------- */

static int
samples_body(struct rr *r, char *err)
{
	const struct tsdb_qseries *s;
	int rc = 0;

	for (size_t i = 0; i < r->req.nqueries && rc == 0; i++) {
		if (remote_samples_enc_query(&r->enc) == -1) {
			rc = errbuf_sys(err, "remote read response");
			break;
		}
		if ((rc = open_query(r, i, err)) == -1)
			break;
		while ((rc = tsdb_query_next(&r->q, &s, err)) == 1) {
			if ((rc = tsdb_query_samples(&r->q, s, &r->smp,
			    err)) == -1)
				break;
			if (r->smp.n == 0)
				continue;
			if (remote_samples_enc_series(&r->enc, s->labels,
			    r->smp.t, r->smp.v, r->smp.n) == -1) {
				rc = errbuf_sys(err, "remote read response");
				break;
			}
		}
		tsdb_query_close(&r->q);
	}
	tsdb_samples_release(&r->smp);
	if (rc == 0 && remote_samples_enc_close(&r->enc) == -1)
		rc = errbuf_sys(err, "remote read response");
	return rc;
}

static int
body_next(void *arg, struct buf *out)
{
	struct rr *r = arg;

	return remote_samples_enc_next(&r->enc, out);
}

/* --- STREAMED_XOR_CHUNKS ---------------------------------------------- */

/* Can the parts' chunks go out as stored? */
static int
passthrough(const struct tsdb_qseries *s, int64_t mint, int64_t maxt)
{
	if (tsdb_qseries_needs_merge(s))
		return 0;
	for (size_t i = 0; i < s->nparts; i++)
		for (size_t k = 0; k < s->parts[i].nchunks; k++)
			if (s->parts[i].chunks[k].mint < mint ||
			    s->parts[i].chunks[k].maxt > maxt)
				return 0;
	return 1;
}

static int
series_raw(struct rr *r, const struct tsdb_qseries *s, char *err)
{
	struct tsdb_chunk c;

	for (size_t i = 0; i < s->nparts; i++) {
		const struct tsdb_part *p = &s->parts[i];

		for (size_t k = 0; k < p->nchunks; k++) {
			if (tsdb_chunks_get(&p->b->ch, p->chunks[k].ref, &c,
			    &r->q.scratch, err) == -1)
				return -1;
			if (remote_frame_enc_chunk(&r->fe, p->chunks[k].mint,
			    p->chunks[k].maxt, (int)c.encoding, c.data,
			    c.len) == -1)
				return errbuf_sys(err, "remote read frame");
		}
	}
	return 0;
}

static int
series_encoded(struct rr *r, char *err)
{
	if (remote_frame_enc_samples(&r->fe, r->smp.t, r->smp.v, r->smp.n,
	    &r->chunk) == -1)
		return errbuf_sys(err, "remote read frame");
	return 0;
}

/* The next series of the stream into out; 0 when all queries are done. */
static int
stream_series(struct rr *r, char *err)
{
	const struct tsdb_qseries *s;
	struct remote_query *rq;
	int rc;

	for (;;) {
		if (!r->qopen) {
			if (r->qi == r->req.nqueries)
				return 0;
			if (open_query(r, r->qi, err) == -1)
				return -1;
			r->qopen = 1;
			r->qi++;
		}
		if ((rc = tsdb_query_next(&r->q, &s, err)) == -1)
			return -1;
		if (rc == 0) {
			tsdb_query_close(&r->q);
			r->qopen = 0;
			continue;
		}
		rq = &r->req.queries[r->qi - 1];
		if (!passthrough(s, rq->start_ms, rq->end_ms)) {
			if (tsdb_query_samples(&r->q, s, &r->smp, err) == -1)
				return -1;
			if (r->smp.n == 0)
				continue;
		}
		if (remote_frame_enc_series(&r->fe, (int64_t)r->qi - 1,
		    s->labels) == -1)
			return errbuf_sys(err, "remote read frame");
		if ((passthrough(s, rq->start_ms, rq->end_ms) ?
		    series_raw(r, s, err) : series_encoded(r, err)) == -1)
			return -1;
		if (remote_frame_enc_end(&r->fe) == -1)
			return errbuf_sys(err, "remote read frame");
		return 1;
	}
}

static int
stream_next(void *arg, struct buf *out)
{
	struct rr *r = arg;
	char err[ERR_MAX];
	int rc;

	/* Frames are appended to fe's out: point it at this piece. */
	r->fe.out = out;
	while (out->len < 65536) {
		if ((rc = stream_series(r, err)) == 0)
			return 0;
		if (rc == -1)
			return -1;
	}
	return 1;
}

int
read_handler(struct httpd_req *req, struct httpd_resp *resp, void *arg)
{
	enum remote_type type;
	const char *body;
	struct rr *r;
	char err[ERR_MAX];
	size_t len;
	int rc;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return -1;
	if (rr_open(arg, r) == -1) {
		rr_free(r);
		return -1;
	}
	body = httpd_req_body(req, &len);
	if ((rc = remote_request_decode(&r->req, body, len, err)) != 0 ||
	    (rc = remote_request_pick_type(&r->req, &type, err)) != 0) {
		resp->status = rc == REMOTE_ESYS ? 500 : 400;
		buf_addstr(&resp->body, err);
		buf_addch(&resp->body, '\n');
		rr_free(r);
		return 0;
	}
	if (type == REMOTE_SAMPLES) {
		if (samples_body(r, err) == -1) {
			resp->status = errno == ENOBUFS ? 413 : 500;
			buf_addstr(&resp->body, err);
			buf_addch(&resp->body, '\n');
			rr_free(r);
			return 0;
		}
		httpd_resp_header(resp, "Content-Type", REMOTE_CT_SAMPLES);
		httpd_resp_header(resp, "Content-Encoding", REMOTE_ENCODING);
		return httpd_resp_stream(resp, body_next, rr_free, r) == -1 ?
		    -1 : 0;
	}
	remote_frame_enc_init(&r->fe, &r->body, REMOTE_FRAME_BYTES);
	httpd_resp_header(resp, "Content-Type", REMOTE_CT_STREAM);
	return httpd_resp_stream(resp, stream_next, rr_free, r) == -1 ? -1 : 0;
}
