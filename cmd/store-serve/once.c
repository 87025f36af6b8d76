#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "base/io.h"
#include "series/jsonl.h"
#include "tsdb/block.h"
#include "tsdb/xorchunk.h"
#include "once.h"

/* Prometheus cuts chunks at 120 samples; re-encoded ones do the same. */
#define CHUNK_SAMPLES	120

struct blocks {
	struct tsdb_block	*v;
	struct tsdb_block	**ptr;	/* sorted by minTime */
	size_t			 n;
};

static int
by_mint(const void *a, const void *b)
{
	const struct tsdb_block *x = *(struct tsdb_block *const *)a;
	const struct tsdb_block *y = *(struct tsdb_block *const *)b;

	if (x->meta.min_time != y->meta.min_time)
		return x->meta.min_time < y->meta.min_time ? -1 : 1;
	return strcmp(x->meta.ulid, y->meta.ulid);
}

static int
exists(const char *dir, const char *name)
{
	char path[4096];
	struct stat st;

	return io_path_join(path, sizeof(path), dir, name) == 0 &&
	    stat(path, &st) == 0;
}

/* Every complete, not deleted block of the bucket directory: a ULID
 * directory with meta.json (uploaded last: without it a block does not
 * exist yet) and without deletion-mark.json. */
static int
open_blocks(const char *dir, struct blocks *bs, char *err)
{
	struct dirent **ents;
	char path[4096];
	int n, r = 0;

	memset(bs, 0, sizeof(*bs));
	if ((n = scandir(dir, &ents, NULL, alphasort)) == -1)
		return errbuf_sys(err, "%s", dir);
	if ((bs->v = calloc((size_t)n + 1, sizeof(*bs->v))) == NULL ||
	    (bs->ptr = calloc((size_t)n + 1, sizeof(*bs->ptr))) == NULL)
		r = errbuf_sys(err, "%s", dir);
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;

		if (r == 0 && tsdb_block_name(name) &&
		    io_path_join(path, sizeof(path), dir, name) == 0 &&
		    exists(path, "meta.json") &&
		    !exists(path, "deletion-mark.json")) {
			if ((r = tsdb_block_open_dir(&bs->v[bs->n], path,
			    err)) == 0) {
				bs->ptr[bs->n] = &bs->v[bs->n];
				bs->n++;
			}
		}
		free(ents[i]);
	}
	free(ents);
	if (r == 0)
		qsort(bs->ptr, bs->n, sizeof(*bs->ptr), by_mint);
	return r;
}

static void
close_blocks(struct blocks *bs)
{
	for (size_t i = 0; i < bs->n; i++)
		tsdb_block_close(&bs->v[i]);
	free(bs->v);
	free(bs->ptr);
}

static int
flush(struct buf *b, FILE *out, char *err)
{
	if (b->len && fwrite(b->data, 1, b->len, out) != b->len)
		return errbuf_sys(err, "write <stdout>");
	buf_reset(b);
	return 0;
}

/* Re-encode samples as XOR chunks: parts that overlap or lost samples to
 * tombstones cannot be passed through. */
static int
write_encoded(struct buf *line, const struct tsdb_samples *s, char *err)
{
	struct buf chunk = BUF_INIT(BUF_NOMAX);
	struct xor_enc enc;
	const unsigned char *p;
	size_t len;
	int r = 0;

	for (size_t i = 0; i < s->n && r == 0; i += CHUNK_SAMPLES) {
		size_t end = i + CHUNK_SAMPLES < s->n ? i + CHUNK_SAMPLES : s->n;

		buf_reset(&chunk);
		xor_enc_init(&enc, &chunk);
		for (size_t k = i; k < end && r == 0; k++)
			r = xor_enc_add(&enc, s->t[k], s->v[k]);
		if (r == 0 && (p = xor_enc_finish(&enc, &len)) != NULL)
			r = jsonl_add_chunk(line, i == 0, s->t[i], s->t[end - 1],
			    p, len);
		else
			r = -1;
	}
	buf_release(&chunk);
	return r == -1 ? errbuf_sys(err, "encode chunk") : 0;
}

static int
write_raw(struct tsdb_query *q, struct buf *line,
    const struct tsdb_qseries *s, char *err)
{
	struct tsdb_chunk c;
	int first = 1;

	for (size_t i = 0; i < s->nparts; i++) {
		const struct tsdb_part *p = &s->parts[i];

		for (size_t k = 0; k < p->nchunks; k++) {
			if (tsdb_chunks_get(&p->b->ch, p->chunks[k].ref, &c,
			    &q->scratch, err) == -1)
				return -1;
			if (c.encoding != XOR_ENCODING)
				return errbuf_set(err, "%s: chunk encoding %u is "
				    "not supported", p->b->dir, c.encoding);
			if (jsonl_add_chunk(line, first, p->chunks[k].mint,
			    p->chunks[k].maxt, c.data, c.len) == -1)
				return errbuf_sys(err, "output");
			first = 0;
		}
	}
	return 0;
}

static int
write_series(const struct once *o, struct tsdb_query *q, FILE *out,
    char *err)
{
	struct tsdb_samples smp = { 0 };
	struct buf line = BUF_INIT(BUF_NOMAX);
	const struct tsdb_qseries *s;
	int r;

	while ((r = tsdb_query_next(q, &s, err)) == 1) {
		buf_reset(&line);
		if (o->format == ONCE_CHUNKS && !tsdb_qseries_needs_merge(s)) {
			if (jsonl_begin(&line, s->labels) == -1 ||
			    (r = write_raw(q, &line, s, err)) == -1 ||
			    jsonl_end_chunks(&line) == -1)
				break;
		} else {
			if ((r = tsdb_query_samples(q, s, &smp, err)) == -1)
				break;
			/* Every sample deleted: the series is gone. */
			if (smp.n == 0)
				continue;
			if (o->format == ONCE_CHUNKS) {
				if (jsonl_begin(&line, s->labels) == -1 ||
				    (r = write_encoded(&line, &smp, err)) == -1 ||
				    jsonl_end_chunks(&line) == -1)
					break;
			} else if (jsonl_add_values(&line, s->labels, smp.t,
			    smp.v, smp.n) == -1)
				break;
		}
		if ((r = flush(&line, out, err)) == -1)
			break;
	}
	if (r == 1)
		r = errbuf_sys(err, "output");
	tsdb_samples_release(&smp);
	buf_release(&line);
	return r;
}

/* --- label names and values ---------------------------------------------- */

struct strset {
	struct str	*v;
	size_t		 n, cap;
};

static int
strset_add(struct strset *s, struct str x)
{
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 64;
		struct str *v = reallocarray(s->v, ncap, sizeof(*v));

		if (v == NULL)
			return -1;
		s->v = v;
		s->cap = ncap;
	}
	s->v[s->n++] = x;
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return str_cmp(*(const struct str *)a, *(const struct str *)b);
}

static int
strset_write(struct strset *s, FILE *out, char *err)
{
	struct buf line = BUF_INIT(BUF_NOMAX);
	int r = 0;

	qsort(s->v, s->n, sizeof(*s->v), cmp_str);
	for (size_t i = 0; i < s->n && r == 0; i++) {
		if (i > 0 && str_cmp(s->v[i], s->v[i - 1]) == 0)
			continue;
		buf_reset(&line);
		if (jsonl_add_string(&line, s->v[i].p, s->v[i].n) == -1 ||
		    buf_addch(&line, '\n') == -1)
			r = errbuf_sys(err, "output");
		else
			r = flush(&line, out, err);
	}
	buf_release(&line);
	return r;
}

/* Without a selector: straight from the indexes' postings offset tables
 * and the external labels, without touching a series. */
static int
labels_from_index(const struct once *o, struct blocks *bs,
    struct strset *set)
{
	for (size_t i = 0; i < bs->n; i++) {
		struct tsdb_block *b = bs->ptr[i];
		const struct tsdb_label_name *ln;
		const struct str *ext;

		if (b->meta.max_time <= o->mint || b->meta.min_time > o->maxt)
			continue;
		if (o->what == ONCE_LABELS) {
			for (size_t k = 0; k < b->ix.nnames; k++)
				if (strset_add(set, b->ix.names[k].name) == -1)
					return -1;
			for (size_t k = 0; k < b->meta.ext.n; k++)
				if (strset_add(set, b->meta.ext.v[k].name) == -1)
					return -1;
			continue;
		}
		/* An external label replaces the series' own values. */
		ext = labels_get(&b->meta.ext, str_of(o->label));
		if (ext) {
			if (b->ix.npot > 0 && strset_add(set, *ext) == -1)
				return -1;
			continue;
		}
		if ((ln = tsdb_index_label(&b->ix, str_of(o->label))) == NULL)
			continue;
		for (size_t k = ln->first; k < ln->end; k++)
			if (strset_add(set, b->ix.pot[k].value) == -1)
				return -1;
	}
	return 0;
}

static int
labels_from_series(const struct once *o, struct tsdb_query *q,
    struct strset *set, char *err)
{
	const struct tsdb_qseries *s;
	const struct str *v;
	int r;

	while ((r = tsdb_query_next(q, &s, err)) == 1) {
		if (o->what == ONCE_LABELS) {
			for (size_t k = 0; k < s->labels->n; k++)
				if (strset_add(set, s->labels->v[k].name) == -1)
					return errbuf_sys(err, "labels");
		} else if ((v = labels_get(s->labels, str_of(o->label))) &&
		    strset_add(set, *v) == -1)
			return errbuf_sys(err, "labels");
	}
	return r;
}

int
once_run(const struct once *o, FILE *out, char *err)
{
	struct blocks bs;
	struct tsdb_query q;
	struct strset set = { 0 };
	int r;

	if (open_blocks(o->dir, &bs, err) == -1) {
		close_blocks(&bs);
		return -1;
	}
	if (o->what != ONCE_SERIES && o->sel == NULL) {
		r = labels_from_index(o, &bs, &set) == -1 ?
		    errbuf_sys(err, "labels") : strset_write(&set, out, err);
		goto done;
	}
	if ((r = tsdb_query_open(&q, bs.ptr, bs.n, o->sel, o->nsel, o->mint,
	    o->maxt, err)) == -1)
		goto done;
	if (o->what == ONCE_SERIES)
		r = write_series(o, &q, out, err);
	else if ((r = labels_from_series(o, &q, &set, err)) == 0)
		r = strset_write(&set, out, err);
	tsdb_query_close(&q);
done:
	free(set.v);
	close_blocks(&bs);
	return r;
}
