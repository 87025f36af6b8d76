/*
 * The index reader over indexes written here, byte by byte, in format v2:
 * N series {__name__="m", grp="g<i%7>", id=<unique>}, so the id label has
 * N values and the symbol table N + 12 strings.  For N around the
 * sampling step (32) and well past it: every symbol, every series, every
 * (name, value) and the values of every name read back exactly; lookups
 * of values that are not there find nothing; the heap held is only the
 * samples; and corrupt tables are errors naming file and offset.  Each
 * index is read both mapped and through a read callback.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/crc32c.h"
#include "base/dec.h"
#include "base/errbuf.h"
#include "tsdb/index.h"
#include "tsdb/matcher.h"
#include "unit.h"

enum bad { BAD_NONE, BAD_KEYCOUNT, BAD_ORDER, BAD_SYMCOUNT, BAD_SYMLEN };

struct key {
	const char	*name, *value;
	uint64_t	 off;		/* of its postings list */
};

/* One built index and what is in it. */
struct ix {
	struct buf	 file;
	size_t		 n;		/* series */
	char		**ids;		/* id value of series i */
	uint32_t	*refs;		/* ref of series i */
	const char	**sym;		/* sorted */
	size_t		 nsym;
	struct key	*keys;		/* sorted by (name, value) */
	size_t		 nkeys;
	uint64_t	 bad_off;	/* file offset the error must name */
};

static const char *grps[] = { "g0", "g1", "g2", "g3", "g4", "g5", "g6" };

static int
cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
cmp_key(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->value, y->value);
}

static uint32_t
symref(const struct ix *x, const char *s)
{
	const char **p = bsearch(&s, x->sym, x->nsym, sizeof(*x->sym),
	    cmp_cstr);

	return (uint32_t)(p - x->sym);
}

static void
ustr(struct buf *b, const char *s)
{
	enc_uvarint(b, strlen(s));
	buf_add(b, s, strlen(s));
}

/* len BE32, body, CRC32C of body. */
static void
framed(struct buf *f, const struct buf *body)
{
	enc_be32(f, (uint32_t)body->len);
	buf_add(f, body->data, body->len);
	enc_be32(f, crc32c(body->data, body->len));
}

static void
pad(struct buf *f, size_t to)
{
	while (f->len % to)
		enc_byte(f, 0);
}

/* Does series i have label name=value? */
static int
has(const struct ix *x, size_t i, const struct key *k)
{
	if (k->name[0] == '\0')
		return 1;
	if (strcmp(k->name, "__name__") == 0)
		return strcmp(k->value, "m") == 0;
	if (strcmp(k->name, "grp") == 0)
		return strcmp(k->value, grps[i % 7]) == 0;
	return strcmp(k->value, x->ids[i]) == 0;
}

static void
build(struct ix *x, size_t n, enum bad bad)
{
	struct buf *f = &x->file, body = BUF_INIT(BUF_NOMAX);
	uint64_t toc[6];
	size_t k;

	memset(x, 0, sizeof(*x));
	buf_init(f, BUF_NOMAX);
	x->n = n;
	x->ids = calloc(n + 1, sizeof(*x->ids));
	x->refs = calloc(n + 1, sizeof(*x->refs));
	x->sym = calloc(n + 12, sizeof(*x->sym));
	x->keys = calloc(n + 12, sizeof(*x->keys));
	for (size_t i = 0; i < n; i++) {
		/* Unique, and not in series order. */
		x->ids[i] = malloc(32);
		snprintf(x->ids[i], 32, "%08x-%zu",
		    (unsigned)(i * 2654435761u), i);
	}

	x->sym[x->nsym++] = "";
	x->keys[x->nkeys++] = (struct key){ "", "", 0 };
	if (n > 0) {
		x->sym[x->nsym++] = "__name__";
		x->sym[x->nsym++] = "grp";
		x->sym[x->nsym++] = "id";
		x->sym[x->nsym++] = "m";
		x->keys[x->nkeys++] = (struct key){ "__name__", "m", 0 };
	}
	for (size_t g = 0; g < 7 && g < n; g++) {
		x->sym[x->nsym++] = grps[g];
		x->keys[x->nkeys++] = (struct key){ "grp", grps[g], 0 };
	}
	for (size_t i = 0; i < n; i++) {
		x->sym[x->nsym++] = x->ids[i];
		x->keys[x->nkeys++] = (struct key){ "id", x->ids[i], 0 };
	}
	qsort(x->sym, x->nsym, sizeof(*x->sym), cmp_cstr);
	qsort(x->keys, x->nkeys, sizeof(*x->keys), cmp_key);

	enc_be32(f, 0xBAAAD700u);
	enc_byte(f, 2);

	toc[0] = f->len;
	enc_be32(&body, (uint32_t)x->nsym + (bad == BAD_SYMCOUNT));
	for (k = 0; k < x->nsym; k++) {
		if (bad == BAD_SYMLEN && k == x->nsym - 1) {
			/* The last symbol claims a byte more than is left. */
			x->bad_off = toc[0] + 4 + body.len;
			enc_uvarint(&body, strlen(x->sym[k]) + 1);
			buf_add(&body, x->sym[k], strlen(x->sym[k]));
		} else
			ustr(&body, x->sym[k]);
	}
	if (bad == BAD_SYMCOUNT)
		x->bad_off = toc[0] + 4 + body.len;
	framed(f, &body);

	toc[1] = f->len;
	for (size_t i = 0; i < n; i++) {
		pad(f, 16);
		x->refs[i] = (uint32_t)(f->len / 16);
		buf_reset(&body);
		enc_uvarint(&body, 3);
		enc_uvarint(&body, symref(x, "__name__"));
		enc_uvarint(&body, symref(x, "m"));
		enc_uvarint(&body, symref(x, "grp"));
		enc_uvarint(&body, symref(x, grps[i % 7]));
		enc_uvarint(&body, symref(x, "id"));
		enc_uvarint(&body, symref(x, x->ids[i]));
		enc_uvarint(&body, 1);
		enc_varint(&body, 1000 * (int64_t)i);
		enc_uvarint(&body, 500);
		enc_uvarint(&body, 8 + 64 * i);
		enc_uvarint(f, body.len);
		buf_add(f, body.data, body.len);
		enc_be32(f, crc32c(body.data, body.len));
	}
	toc[2] = f->len;
	pad(f, 4);
	toc[3] = toc[4] = f->len;	/* no label indices */
	for (k = 0; k < x->nkeys; k++) {
		x->keys[k].off = f->len;
		buf_reset(&body);
		enc_be32(&body, 0);
		for (size_t i = 0; i < n; i++)
			if (has(x, i, &x->keys[k]))
				enc_be32(&body, x->refs[i]);
		body.data[3] = (char)((body.len - 4) / 4);
		body.data[2] = (char)((body.len - 4) / 4 >> 8);
		body.data[1] = (char)((body.len - 4) / 4 >> 16);
		framed(f, &body);
	}

	toc[5] = f->len;
	buf_reset(&body);
	enc_be32(&body, (uint32_t)x->nkeys);
	for (k = 0; k < x->nkeys; k++) {
		/* The middle entry goes wrong. */
		size_t e = k;

		if (bad == BAD_ORDER && k == x->nkeys / 2 && k + 1 < x->nkeys)
			e = k + 1;
		else if (bad == BAD_ORDER && k == x->nkeys / 2 + 1)
			e = k - 1;
		if ((bad == BAD_KEYCOUNT && k == x->nkeys / 2) ||
		    (bad == BAD_ORDER && k == x->nkeys / 2 + 1))
			x->bad_off = toc[5] + 4 + body.len;
		enc_uvarint(&body, bad == BAD_KEYCOUNT && k == x->nkeys / 2 ?
		    3 : 2);
		ustr(&body, x->keys[e].name);
		ustr(&body, x->keys[e].value);
		enc_uvarint(&body, x->keys[e].off);
	}
	framed(f, &body);

	buf_reset(&body);
	for (k = 0; k < 6; k++)
		enc_be64(&body, toc[k]);
	buf_add(f, body.data, body.len);
	enc_be32(f, crc32c(body.data, body.len));
	buf_release(&body);
}

static void
ix_release(struct ix *x)
{
	for (size_t i = 0; i < x->n; i++)
		free(x->ids[i]);
	free(x->ids);
	free(x->refs);
	free(x->sym);
	free(x->keys);
	buf_release(&x->file);
}

/* A source over the built bytes, both ways a block is read. */
static int
read_cb(void *ctx, uint64_t off, size_t len, struct buf *scratch, char *err)
{
	const struct buf *f = ctx;

	(void)err;
	return buf_add(scratch, f->data + off, len);
}

static int
open_src(struct tsdb_source *src, struct ix *x, int mapped)
{
	char err[ERR_MAX];

	if (tsdb_source_open_func(src, "idx", x->file.len, read_cb, &x->file,
	    err) == -1)
		return -1;
	if (mapped) {
		src->map = (const unsigned char *)x->file.data;
		src->maplen = 0;	/* not ours to unmap */
	}
	return 0;
}

static void
close_src(struct tsdb_source *src)
{
	src->map = NULL;
	tsdb_source_close(src);
}

static int
str_is(struct str s, const char *c)
{
	return s.n == strlen(c) && memcmp(s.p, c, s.n) == 0;
}

static void
check_postings(struct tsdb_index *ix, struct ix *x, const char *name,
    const char *value, struct buf *scratch)
{
	struct postings p = POSTINGS_INIT;
	struct key k = { name, value, 0 };
	char err[ERR_MAX];
	size_t want = 0, j = 0;
	int ok = 1;

	CHECK_INT(tsdb_index_postings(ix, str_of(name), str_of(value), &p,
	    scratch, err), 0);
	/* Only a pair that is in the table has postings. */
	if (bsearch(&k, x->keys, x->nkeys, sizeof(k), cmp_key) != NULL)
		for (size_t i = 0; i < x->n; i++)
			if (has(x, i, &k)) {
				want++;
				if (j >= p.n || p.v[j++] != x->refs[i])
					ok = 0;
			}
	if (p.n != want || !ok)
		fprintf(stderr, "postings of %s=\"%s\": %zu, want %zu\n",
		    name, value, p.n, want);
	CHECK(p.n == want && ok);
	postings_release(&p);
}

static size_t
select_count(struct tsdb_index *ix, const char *sel, struct buf *scratch)
{
	struct postings p = POSTINGS_INIT;
	struct matcher *m;
	char err[ERR_MAX];
	size_t n, r;

	CHECK_INT(matcher_parse_selector(sel, &m, &n, err), 0);
	CHECK_INT(tsdb_index_select(ix, m, n, &p, scratch, err), 0);
	r = p.n;
	postings_release(&p);
	matchers_free(m, n);
	return r;
}

static void
check_index(struct ix *x, int mapped)
{
	struct buf scratch = BUF_INIT(BUF_NOMAX);
	struct tsdb_series s = TSDB_SERIES_INIT;
	struct tsdb_source src;
	struct tsdb_index ix;
	struct tsdb_pot_iter it;
	char err[ERR_MAX];
	size_t k, bad = 0, nsamp, nnames, g1g3 = 0;
	struct str v;
	uint64_t off;
	int r;

	CHECK_INT(open_src(&src, x, mapped), 0);
	if (tsdb_index_open(&ix, &src, err) == -1) {
		fprintf(stderr, "n=%zu: %s\n", x->n, err);
		CHECK(0);
		close_src(&src);
		return;
	}

	/* In memory: an offset per 32 symbols; per label name its range
	 * and an offset per 32 of its entries. */
	nnames = x->n > 0 ? 3 : 0;
	nsamp = x->n > 0 ? 2 + (x->n + 31) / 32 : 0;
	CHECK_INT(ix.sym.n, x->nsym);
	CHECK_INT(tsdb_pot_nnames(&ix.pot), nnames);
	CHECK_INT(ix.pot.nsamp, nsamp);
	CHECK_INT(tsdb_symtab_heap(&ix.sym), 4 * ((x->nsym + 31) / 32));
	CHECK_INT(tsdb_pot_heap(&ix.pot), 4 * nsamp +
	    nnames * sizeof(struct tsdb_pot_name));
	if (mapped)
		CHECK_INT(tsdb_index_heap(&ix), tsdb_symtab_heap(&ix.sym) +
		    tsdb_pot_heap(&ix.pot));
	else
		CHECK(tsdb_index_heap(&ix) > x->nsym);
	/* Against a table of every symbol (16 bytes a string) and entry
	 * (name, value, offset: 40), the samples are small. */
	if (x->n >= 1000)
		CHECK(tsdb_index_heap(&ix) * 10 < 16 * x->nsym +
		    40 * x->nkeys || !mapped);

	for (k = 0; k < x->nsym; k++)
		if (tsdb_symtab_get(&ix.sym, k, &v, err) == -1 ||
		    !str_is(v, x->sym[k]))
			bad++;
	CHECK_INT(bad, 0);
	CHECK_INT(tsdb_symtab_get(&ix.sym, x->nsym, &v, err), -1);
	CHECK(strstr(err, "idx: symbol reference") == err);

	for (size_t i = 0; i < x->n; i++) {
		CHECK_INT(tsdb_index_series(&ix, x->refs[i], &s, &scratch,
		    err), 0);
		if (s.labels.n != 3 || !str_is(s.labels.v[0].value, "m") ||
		    !str_is(s.labels.v[1].value, grps[i % 7]) ||
		    !str_is(s.labels.v[2].name, "id") ||
		    !str_is(s.labels.v[2].value, x->ids[i]) ||
		    s.nchunks != 1 || s.chunks[0].mint != 1000 * (int64_t)i)
			bad++;
	}
	CHECK_INT(bad, 0);

	/* Every pair, and pairs around each that are not there. */
	for (k = 0; k < x->nkeys; k++) {
		char before[64], after[64];

		check_postings(&ix, x, x->keys[k].name, x->keys[k].value,
		    &scratch);
		snprintf(before, sizeof(before), "%.*s",
		    (int)strlen(x->keys[k].value) - 1, x->keys[k].value);
		snprintf(after, sizeof(after), "%s!", x->keys[k].value);
		check_postings(&ix, x, x->keys[k].name, before, &scratch);
		check_postings(&ix, x, x->keys[k].name, after, &scratch);
	}
	check_postings(&ix, x, "id", "", &scratch);
	check_postings(&ix, x, "id", "~", &scratch);
	check_postings(&ix, x, "a", "m", &scratch);
	check_postings(&ix, x, "zz", "m", &scratch);
	check_postings(&ix, x, "grp", "m", &scratch);

	/* Each name's values, in order, with their offsets. */
	k = 1;
	for (size_t i = 0; i < tsdb_pot_nnames(&ix.pot); i++) {
		struct str name = tsdb_pot_name(&ix.pot, i);

		tsdb_pot_values(&ix.pot, name, &it);
		while ((r = tsdb_pot_next(&it, &v, &off, err)) == 1) {
			if (k >= x->nkeys || !str_is(name, x->keys[k].name) ||
			    !str_is(v, x->keys[k].value) ||
			    off != x->keys[k].off)
				bad++;
			k++;
		}
		CHECK_INT(r, 0);
	}
	CHECK_INT(bad, 0);
	CHECK_INT(k, x->nkeys);
	tsdb_pot_values(&ix.pot, STR("nope"), &it);
	CHECK_INT(tsdb_pot_next(&it, &v, &off, err), 0);

	for (size_t i = 0; i < x->n; i++)
		g1g3 += i % 7 == 1 || i % 7 == 3;
	CHECK_INT(select_count(&ix, "{grp=~\"g1|g3\"}", &scratch), g1g3);
	CHECK_INT(select_count(&ix, "{grp!~\"g1|g3\"}", &scratch),
	    x->n - g1g3);
	CHECK_INT(select_count(&ix, "{id=~\".+\",grp!=\"g0\"}", &scratch),
	    x->n - (x->n + 6) / 7);
	if (x->n > 0)
		CHECK_INT(select_count(&ix, "{id=\"00000000-0\"}", &scratch),
		    1);

	tsdb_series_release(&s);
	tsdb_index_close(&ix);
	close_src(&src);
	buf_release(&scratch);
}

static void
check_bad(enum bad bad, size_t n, const char *what)
{
	struct tsdb_source src;
	struct tsdb_index ix;
	char err[ERR_MAX], want[128];
	struct ix x;

	build(&x, n, bad);
	snprintf(want, sizeof(want), "idx: corrupt index at offset %llu: %s",
	    (unsigned long long)x.bad_off, what);
	for (int mapped = 0; mapped < 2; mapped++) {
		CHECK_INT(open_src(&src, &x, mapped), 0);
		CHECK_INT(tsdb_index_open(&ix, &src, err), -1);
		CHECK_STR(err, want);
		close_src(&src);
	}
	ix_release(&x);
}

int
main(void)
{
	static const size_t sizes[] = { 0, 1, 6, 7, 8, 25, 31, 32, 33, 63,
	    64, 65, 1000, 5000 };
	struct ix x;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		build(&x, sizes[i], BAD_NONE);
		check_index(&x, 1);
		check_index(&x, 0);
		ix_release(&x);
	}
	check_bad(BAD_KEYCOUNT, 100, "postings offset table key count is "
	    "not 2");
	check_bad(BAD_ORDER, 100, "postings offset table not sorted");
	check_bad(BAD_SYMCOUNT, 100, "symbol runs past the table");
	check_bad(BAD_SYMLEN, 100, "symbol runs past the table");
	return unit_done();
}
