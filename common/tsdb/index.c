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

static int
read_symbols(struct tsdb_index *ix, char *err)
{
	const unsigned char *p, *s;
	uint32_t len, n;
	size_t slen;
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
	if ((ix->sym = calloc(n ? n : 1, sizeof(*ix->sym))) == NULL)
		return errbuf_sys(err, "%s", ix->src->name);
	for (uint32_t i = 0; i < n; i++) {
		if ((s = dec_uvarint_str(&d, &slen)) == NULL)
			return corrupt(ix, ix->toc_symbols, "symbol runs past "
			    "the table", err);
		ix->sym[i] = (struct str){ (const char *)s, slen };
	}
	ix->nsym = n;
	return 0;
}

static int
read_pot(struct tsdb_index *ix, char *err)
{
	const unsigned char *p, *name, *value;
	size_t nlen, vlen;
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
	if ((ix->pot = calloc(n ? n : 1, sizeof(*ix->pot))) == NULL ||
	    (ix->names = calloc(n ? n : 1, sizeof(*ix->names))) == NULL)
		return errbuf_sys(err, "%s", ix->src->name);
	for (uint32_t i = 0; i < n; i++) {
		struct tsdb_pot_entry *e = &ix->pot[i];

		if (dec_uvarint(&d) != 2 && !d.err)
			return corrupt(ix, ix->toc_postings_table, "postings "
			    "offset table key count is not 2", err);
		name = dec_uvarint_str(&d, &nlen);
		value = dec_uvarint_str(&d, &vlen);
		e->off = dec_uvarint(&d);
		if (d.err || name == NULL || value == NULL)
			return corrupt(ix, ix->toc_postings_table, "postings "
			    "offset table entry runs past the table", err);
		e->name = (struct str){ (const char *)name, nlen };
		e->value = (struct str){ (const char *)value, vlen };
		if (i > 0 && (str_cmp(ix->pot[i - 1].name, e->name) > 0 ||
		    (str_cmp(ix->pot[i - 1].name, e->name) == 0 &&
		    str_cmp(ix->pot[i - 1].value, e->value) >= 0)))
			return corrupt(ix, ix->toc_postings_table, "postings "
			    "offset table not sorted", err);
		/* The ("", "") all-postings entry is no label name. */
		if (nlen == 0)
			continue;
		if (ix->nnames == 0 ||
		    str_cmp(ix->names[ix->nnames - 1].name, e->name) != 0) {
			ix->names[ix->nnames].name = e->name;
			ix->names[ix->nnames].first = i;
			ix->nnames++;
		}
		ix->names[ix->nnames - 1].end = i + 1;
	}
	ix->npot = n;
	return 0;
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
	free(ix->sym);
	free(ix->pot);
	free(ix->names);
	buf_release(&ix->symbuf);
	buf_release(&ix->potbuf);
	memset(ix, 0, sizeof(*ix));
}

const struct tsdb_label_name *
tsdb_index_label(const struct tsdb_index *ix, struct str name)
{
	size_t lo = 0, hi = ix->nnames;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = str_cmp(ix->names[mid].name, name);

		if (c == 0)
			return &ix->names[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
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
	size_t lo = 0, hi = ix->npot;

	postings_reset(out);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = str_cmp(ix->pot[mid].name, name);

		if (c == 0)
			c = str_cmp(ix->pot[mid].value, value);
		if (c == 0)
			return read_postings(ix, ix->pot[mid].off, out, scratch,
			    err);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* Union of the postings of every value of m's label for which
 * matcher_matches(m, value) == want. */
static int
postings_for(struct tsdb_index *ix, struct matcher *m, int want,
    struct postings *out, struct buf *scratch, char *err)
{
	const struct tsdb_label_name *ln;

	postings_reset(out);
	if ((ln = tsdb_index_label(ix, str_of(m->name))) == NULL)
		return 0;
	if (m->type == MATCHER_EQ && want) {
		return tsdb_index_postings(ix, str_of(m->name),
		    (struct str){ m->value, m->vlen }, out, scratch, err);
	}
	for (size_t i = ln->first; i < ln->end; i++) {
		struct str v = ix->pot[i].value;

		if (matcher_matches(m, v.p, v.n) != want)
			continue;
		if (read_postings(ix, ix->pot[i].off, out, scratch, err) == -1)
			return -1;
	}
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
		if (name >= ix->nsym || value >= ix->nsym)
			return corrupt(ix, off, "symbol reference out of "
			    "range", err);
		if (labels_add(&s->labels, ix->sym[name], ix->sym[value]) == -1)
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
