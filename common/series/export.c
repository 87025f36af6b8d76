#include <string.h>

#include "base/errbuf.h"
#include "series/export.h"
#include "series/jsonl.h"
#include "tsdb/xorchunk.h"

#define CHUNK_SAMPLES	120

void
export_init(struct export *x, struct tsdb_query *q, enum export_format f)
{
	memset(x, 0, sizeof(*x));
	x->q = q;
	x->format = f;
	buf_init(&x->chunk, BUF_NOMAX);
}

void
export_release(struct export *x)
{
	tsdb_samples_release(&x->smp);
	buf_release(&x->chunk);
}

static int
write_raw(struct export *x, const struct tsdb_qseries *s, struct buf *out,
    char *err)
{
	struct tsdb_chunk c;
	int first = 1;

	for (size_t i = 0; i < s->nparts; i++) {
		const struct tsdb_part *p = &s->parts[i];

		for (size_t k = 0; k < p->nchunks; k++) {
			if (tsdb_chunks_get(&p->b->ch, p->chunks[k].ref, &c,
			    &x->q->scratch, err) == -1)
				return -1;
			if (c.encoding != XOR_ENCODING)
				return errbuf_set(err, "%s: chunk encoding %u is "
				    "not supported", p->b->dir, c.encoding);
			if (jsonl_add_chunk(out, first, p->chunks[k].mint,
			    p->chunks[k].maxt, c.data, c.len) == -1)
				return errbuf_sys(err, "export");
			first = 0;
		}
	}
	return 0;
}

static int
write_encoded(struct export *x, struct buf *out, char *err)
{
	const struct tsdb_samples *s = &x->smp;
	const unsigned char *p;
	struct xor_enc enc;
	size_t len;

	for (size_t i = 0; i < s->n; i += CHUNK_SAMPLES) {
		size_t end = i + CHUNK_SAMPLES < s->n ? i + CHUNK_SAMPLES : s->n;

		buf_reset(&x->chunk);
		xor_enc_init(&enc, &x->chunk);
		for (size_t k = i; k < end; k++)
			if (xor_enc_add(&enc, s->t[k], s->v[k]) == -1)
				return errbuf_sys(err, "encode chunk");
		if ((p = xor_enc_finish(&enc, &len)) == NULL ||
		    jsonl_add_chunk(out, i == 0, s->t[i], s->t[end - 1], p,
		    len) == -1)
			return errbuf_sys(err, "encode chunk");
	}
	return 0;
}

int
export_next(struct export *x, struct buf *out, char *err)
{
	const struct tsdb_qseries *s;
	int r;

	for (;;) {
		if ((r = tsdb_query_next(x->q, &s, err)) != 1)
			return r;
		if (x->format == EXPORT_CHUNKS && !tsdb_qseries_needs_merge(s)) {
			if (jsonl_begin(out, s->labels) == -1)
				return errbuf_sys(err, "export");
			if (write_raw(x, s, out, err) == -1)
				return -1;
			return jsonl_end_chunks(out) == -1 ?
			    errbuf_sys(err, "export") : 1;
		}
		if (tsdb_query_samples(x->q, s, &x->smp, err) == -1)
			return -1;
		if (x->smp.n == 0)
			continue;
		if (x->format == EXPORT_VALUES)
			return jsonl_add_values(out, s->labels, x->smp.t,
			    x->smp.v, x->smp.n) == -1 ?
			    errbuf_sys(err, "export") : 1;
		if (jsonl_begin(out, s->labels) == -1)
			return errbuf_sys(err, "export");
		if (write_encoded(x, out, err) == -1)
			return -1;
		return jsonl_end_chunks(out) == -1 ?
		    errbuf_sys(err, "export") : 1;
	}
}
