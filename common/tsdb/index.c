#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/crc32c.h"
#include "base/dec.h"
#include "base/errbuf.h"
#include "tsdb/index.h"

#define INDEX_MAGIC	0xBAAAD700u
#define TOC_LEN		52
/* A series entry's length is a uvarint of at most 5 bytes. */
#define SERIES_LEN_MAX	5

static int
corrupt(struct tsdb_index *ix, uint64_t off, const char *what, char *err)
{
	return errbuf_set(err, "%s: corrupt index at offset %llu: %s",
	    ix->src->name, (unsigned long long)off, what);
}

/*
 * Read a BE32-framed section at off (len, body, CRC over body), CRC-checked.
 * The body is copied into keep when the source has no map, so it outlives
 * the call.
 */
static const unsigned char *
read_framed(struct tsdb_index *ix, uint64_t off, uint32_t *len,
    struct buf *keep, char *err)
{
	const unsigned char *p;
	struct dec d;

	if ((p = tsdb_source_read(ix->src, off, 4, keep, err)) == NULL)
		return NULL;
	dec_init(&d, p, 4);
	*len = dec_be32(&d);
	if ((p = tsdb_source_read(ix->src, off, (size_t)*len + 8, keep,
	    err)) == NULL)
		return NULL;
	dec_init(&d, p + 4 + *len, 4);
	if (crc32c(p + 4, *len) != dec_be32(&d)) {
		corrupt(ix, off, "section CRC mismatch", err);
		return NULL;
	}
	return p + 4;
}

static int
read_toc(struct tsdb_index *ix, char *err)
{
	struct buf scratch = BUF_INIT(BUF_NOMAX);
	const unsigned char *p;
	uint64_t size = ix->src->size;
	struct dec d;
	uint32_t magic;
	int r = -1;

	if (size < 5 + TOC_LEN) {
		errbuf_set(err, "%s: not an index: only %llu bytes",
		    ix->src->name, (unsigned long long)size);
		goto out;
	}
	if ((p = tsdb_source_read(ix->src, 0, 5, &scratch, err)) == NULL)
		goto out;
	dec_init(&d, p, 5);
	if ((magic = dec_be32(&d)) != INDEX_MAGIC) {
		errbuf_set(err, "%s: not an index: magic %08x", ix->src->name,
		    magic);
		goto out;
	}
	if (p[4] != 2) {
		errbuf_set(err, "%s: index version %u is not supported (only "
		    "2)", ix->src->name, p[4]);
		goto out;
	}
	if ((p = tsdb_source_read(ix->src, size - TOC_LEN, TOC_LEN, &scratch,
	    err)) == NULL)
		goto out;
	dec_init(&d, p, TOC_LEN);
	ix->toc_symbols = dec_be64(&d);
	ix->toc_series = dec_be64(&d);
	ix->toc_label_indices = dec_be64(&d);
	ix->toc_label_indices_table = dec_be64(&d);
	ix->toc_postings = dec_be64(&d);
	ix->toc_postings_table = dec_be64(&d);
	if (crc32c(p, 48) != dec_be32(&d)) {
		corrupt(ix, size - TOC_LEN, "TOC CRC mismatch", err);
		goto out;
	}
	if (ix->toc_symbols == 0 || ix->toc_postings_table == 0 ||
	    ix->toc_symbols >= size || ix->toc_series > size ||
	    ix->toc_postings_table >= size) {
		corrupt(ix, size - TOC_LEN, "TOC offsets outside the file",
		    err);
		goto out;
	}
	r = 0;
out:
	buf_release(&scratch);
	return r;
}

/*
 * The symbol table and the postings offset table: count then entries.
 * Only samples of them stay on the heap (symtab.h, pot.h); the entries
 * are read where they are, in the map or in the copy kept here.
 */
static int
read_symbols(struct tsdb_index *ix, char *err)
{
	const unsigned char *p;
	uint32_t len, n;
	struct dec d;

	if ((p = read_framed(ix, ix->toc_symbols, &len, &ix->symbuf,
	    err)) == NULL)
		return -1;
	dec_init(&d, p, len);
	n = dec_be32(&d);
	/* Each symbol takes at least one byte: a count beyond that is a
	 * lie, and must not size an allocation. */
	if (d.err || n > len)
		return corrupt(ix, ix->toc_symbols, "bad symbol count", err);
	return tsdb_symtab_open(&ix->sym, p + 4, len - 4, n, ix->src->name,
	    ix->toc_symbols + 8, err);
}

static int
read_pot(struct tsdb_index *ix, char *err)
{
	const unsigned char *p;
	uint32_t len, n;
	struct dec d;

	if ((p = read_framed(ix, ix->toc_postings_table, &len, &ix->potbuf,
	    err)) == NULL)
		return -1;
	dec_init(&d, p, len);
	n = dec_be32(&d);
	if (d.err || n > len)
		return corrupt(ix, ix->toc_postings_table, "bad postings "
		    "offset table count", err);
	return tsdb_pot_open(&ix->pot, p + 4, len - 4, n, ix->src->name,
	    ix->toc_postings_table + 8, err);
}

int
tsdb_index_open(struct tsdb_index *ix, struct tsdb_source *src, char *err)
{
	memset(ix, 0, sizeof(*ix));
	ix->src = src;
	buf_init(&ix->symbuf, BUF_NOMAX);
	buf_init(&ix->potbuf, BUF_NOMAX);
	if (read_toc(ix, err) == -1 || read_symbols(ix, err) == -1 ||
	    read_pot(ix, err) == -1) {
		tsdb_index_close(ix);
		return -1;
	}
	return 0;
}

void
tsdb_index_close(struct tsdb_index *ix)
{
	tsdb_symtab_release(&ix->sym);
	tsdb_pot_release(&ix->pot);
	buf_release(&ix->symbuf);
	buf_release(&ix->potbuf);
	memset(ix, 0, sizeof(*ix));
}

size_t
tsdb_index_heap(const struct tsdb_index *ix)
{
	return tsdb_symtab_heap(&ix->sym) + tsdb_pot_heap(&ix->pot) +
	    ix->symbuf.cap + ix->potbuf.cap;
}

/* Append the postings list at off to out (appending keeps callers'
 * unions cheap; a single list is sorted by itself). */
static int
read_postings(struct tsdb_index *ix, uint64_t off, struct postings *out,
    struct buf *scratch, char *err)
{
	const unsigned char *p;
	uint32_t len, n, prev = 0;
	struct dec d;

	if ((p = read_framed(ix, off, &len, scratch, err)) == NULL)
		return -1;
	dec_init(&d, p, len);
	n = dec_be32(&d);
	if (d.err || len != 4 + (uint64_t)n * 4)
		return corrupt(ix, off, "postings list length mismatch", err);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t ref = dec_be32(&d);

		if (i > 0 && ref <= prev)
			return corrupt(ix, off, "postings list not sorted",
			    err);
		if (postings_add(out, ref) == -1)
			return errbuf_sys(err, "%s", ix->src->name);
		prev = ref;
	}
	return 0;
}

int
tsdb_index_postings(struct tsdb_index *ix, struct str name, struct str value,
    struct postings *out, struct buf *scratch, char *err)
{
	uint64_t off;
	int r;

	postings_reset(out);
	if ((r = tsdb_pot_find(&ix->pot, name, value, &off, err)) <= 0)
		return r;
	return read_postings(ix, off, out, scratch, err);
}

/* Union of the postings of every value of m's label for which
 * matcher_matches(m, value) == want. */
static int
postings_for(struct tsdb_index *ix, struct matcher *m, int want,
    struct postings *out, struct buf *scratch, char *err)
{
	struct tsdb_pot_iter it;
	struct str v;
	uint64_t off;
	int r;

	if (m->type == MATCHER_EQ && want) {
		return tsdb_index_postings(ix, str_of(m->name),
		    (struct str){ m->value, m->vlen }, out, scratch, err);
	}
	postings_reset(out);
	tsdb_pot_values(&ix->pot, str_of(m->name), &it);
	while ((r = tsdb_pot_next(&it, &v, &off, err)) == 1) {
		if (matcher_matches(m, v.p, v.n) != want)
			continue;
		if (read_postings(ix, off, out, scratch, err) == -1)
			return -1;
	}
	if (r == -1)
		return -1;
	postings_sort_unique(out);
	return 0;
}

int
tsdb_index_select(struct tsdb_index *ix, struct matcher *m, size_t n,
    struct postings *out, struct buf *scratch, char *err)
{
	struct postings tmp = POSTINGS_INIT;
	int have = 0, r = 0;

	postings_reset(out);
	if (n == 0)
		return 0;
	/* Intersecting matchers first: they can only shrink the set. */
	for (size_t i = 0; i < n && r == 0; i++) {
		if (matcher_matches_empty(&m[i]))
			continue;
		if ((r = postings_for(ix, &m[i], 1, &tmp, scratch, err)) == -1)
			break;
		if (!have) {
			postings_swap(out, &tmp);
			have = 1;
		} else
			postings_intersect(out, &tmp);
		if (out->n == 0)
			goto done;
	}
	if (r == 0 && !have)
		r = tsdb_index_postings(ix, STR(""), STR(""), out, scratch,
		    err);
	for (size_t i = 0; i < n && r == 0 && out->n > 0; i++) {
		if (!matcher_matches_empty(&m[i]))
			continue;
		if ((r = postings_for(ix, &m[i], 0, &tmp, scratch, err)) == 0)
			postings_subtract(out, &tmp);
	}
done:
	postings_release(&tmp);
	return r;
}

static int
add_chunk(struct tsdb_series *s, int64_t mint, int64_t maxt, uint64_t ref)
{
	if (s->nchunks == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 8;
		struct tsdb_chunk_meta *c = reallocarray(s->chunks, ncap,
		    sizeof(*c));

		if (c == NULL)
			return -1;
		s->chunks = c;
		s->cap = ncap;
	}
	s->chunks[s->nchunks++] = (struct tsdb_chunk_meta){ mint, maxt, ref };
	return 0;
}

static int
parse_series(struct tsdb_index *ix, uint64_t off, const unsigned char *p,
    size_t len, struct tsdb_series *s, char *err)
{
	uint64_t nlabels, nchunks, ref = 0, name, value;
	int64_t mint = 0, maxt = 0;
	struct str ln, lv;
	struct dec d;

	dec_init(&d, p, len);
	nlabels = dec_uvarint(&d);
	if (d.err || nlabels > len)
		return corrupt(ix, off, "bad label count in series", err);
	for (uint64_t i = 0; i < nlabels; i++) {
		name = dec_uvarint(&d);
		value = dec_uvarint(&d);
		if (d.err)
			return corrupt(ix, off, "series entry truncated", err);
		if (name >= ix->sym.n || value >= ix->sym.n)
			return corrupt(ix, off, "symbol reference out of "
			    "range", err);
		if (tsdb_symtab_get(&ix->sym, name, &ln, err) == -1 ||
		    tsdb_symtab_get(&ix->sym, value, &lv, err) == -1)
			return -1;
		if (labels_add(&s->labels, ln, lv) == -1)
			return errbuf_sys(err, "%s", ix->src->name);
	}
	nchunks = dec_uvarint(&d);
	if (d.err || nchunks > len)
		return corrupt(ix, off, "bad chunk count in series", err);
	for (uint64_t i = 0; i < nchunks; i++) {
		if (i == 0) {
			mint = dec_varint(&d);
			maxt = mint + (int64_t)dec_uvarint(&d);
			ref = dec_uvarint(&d);
		} else {
			mint = maxt + (int64_t)dec_uvarint(&d);
			maxt = mint + (int64_t)dec_uvarint(&d);
			ref += (uint64_t)dec_varint(&d);
		}
		if (d.err)
			return corrupt(ix, off, "chunk metas truncated", err);
		if (maxt < mint || (i > 0 && mint <= s->chunks[i - 1].maxt))
			return corrupt(ix, off, "chunk ranges out of order",
			    err);
		if (add_chunk(s, mint, maxt, ref) == -1)
			return errbuf_sys(err, "%s", ix->src->name);
	}
	return 0;
}

int
tsdb_index_series(struct tsdb_index *ix, uint32_t ref, struct tsdb_series *s,
    struct buf *scratch, char *err)
{
	uint64_t off = (uint64_t)ref * 16, len;
	const unsigned char *p;
	size_t head;
	struct dec d;

	labels_reset(&s->labels);
	s->nchunks = 0;
	if (off < ix->toc_series || off >= ix->toc_label_indices)
		return corrupt(ix, off, "series reference outside the series "
		    "section", err);
	head = ix->src->size - off < SERIES_LEN_MAX ?
	    (size_t)(ix->src->size - off) : SERIES_LEN_MAX;
	if ((p = tsdb_source_read(ix->src, off, head, scratch, err)) == NULL)
		return -1;
	dec_init(&d, p, head);
	len = dec_uvarint(&d);
	if (d.err || len == 0)
		return corrupt(ix, off, "bad series entry length", err);
	head = (size_t)(d.p - p);
	if ((p = tsdb_source_read(ix->src, off + head, (size_t)len + 4, scratch,
	    err)) == NULL)
		return -1;
	dec_init(&d, p + len, 4);
	if (crc32c(p, (size_t)len) != dec_be32(&d))
		return corrupt(ix, off, "series entry CRC mismatch", err);
	return parse_series(ix, off, p, (size_t)len, s, err);
}

void
tsdb_series_release(struct tsdb_series *s)
{
	labels_release(&s->labels);
	free(s->chunks);
	s->chunks = NULL;
	s->nchunks = s->cap = 0;
}
