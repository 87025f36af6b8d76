#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/dec.h"
#include "base/errbuf.h"
#include "tsdb/pot.h"

static int
corrupt(const struct tsdb_pot *t, uint64_t off, const char *what, char *err)
{
	return errbuf_set(err, "%s: corrupt index at offset %llu: %s",
	    t->file, (unsigned long long)off, what);
}

/*
 * The entry at at (before end) into name, value, off; *next after it.
 * -1 with err naming the entry's offset if it is malformed.
 */
static int
entry(const struct tsdb_pot *t, const unsigned char *at,
    const unsigned char *end, struct str *name, struct str *value,
    uint64_t *off, const unsigned char **next, char *err)
{
	const unsigned char *n, *v;
	size_t nlen, vlen;
	struct dec d;

	dec_init(&d, at, (size_t)(end - at));
	if (dec_uvarint(&d) != 2 && !d.err)
		return corrupt(t, t->fileoff + (uint64_t)(at - t->p),
		    "postings offset table key count is not 2", err);
	n = dec_uvarint_str(&d, &nlen);
	v = dec_uvarint_str(&d, &vlen);
	*off = dec_uvarint(&d);
	if (d.err || n == NULL || v == NULL)
		return corrupt(t, t->fileoff + (uint64_t)(at - t->p),
		    "postings offset table entry runs past the table", err);
	*name = (struct str){ (const char *)n, nlen };
	*value = (struct str){ (const char *)v, vlen };
	*next = d.p;
	return 0;
}

static int
add_sample(struct tsdb_pot *t, const unsigned char *at, size_t *cap)
{
	uint32_t *v;

	if (t->nsamp == *cap) {
		if ((v = reallocarray(t->samp, *cap ? *cap * 2 : 16,
		    sizeof(*v))) == NULL)
			return -1;
		t->samp = v;
		*cap = *cap ? *cap * 2 : 16;
	}
	t->samp[t->nsamp++] = (uint32_t)(at - t->p);
	return 0;
}

static int
add_name(struct tsdb_pot *t, struct str name, const unsigned char *at,
    size_t *cap)
{
	struct tsdb_pot_name *v;

	if (t->nnames == *cap) {
		if ((v = reallocarray(t->names, *cap ? *cap * 2 : 16,
		    sizeof(*v))) == NULL)
			return -1;
		t->names = v;
		*cap = *cap ? *cap * 2 : 16;
	}
	t->names[t->nnames++] = (struct tsdb_pot_name){ name,
	    (uint32_t)(at - t->p), 0, (uint32_t)t->nsamp, 0 };
	return 0;
}

/* Give back what doubling left unused: these arrays live as long as the
 * block stays loaded. */
static void
shrink(struct tsdb_pot *t)
{
	struct tsdb_pot_name *n;
	uint32_t *s;

	if (t->nnames > 0 && (n = reallocarray(t->names, t->nnames,
	    sizeof(*n))) != NULL)
		t->names = n;
	if (t->nsamp > 0 && (s = reallocarray(t->samp, t->nsamp,
	    sizeof(*s))) != NULL)
		t->samp = s;
}

static int
scan(struct tsdb_pot *t, uint32_t n, char *err)
{
	const unsigned char *at = t->p, *end = t->p + t->len, *next;
	struct str name, value, pname = { "", 0 }, pvalue = { "", 0 };
	size_t capn = 0, caps = 0, k = 0;
	uint64_t off;
	int c;

	for (uint32_t i = 0; i < n; i++, at = next) {
		if (entry(t, at, end, &name, &value, &off, &next, err) == -1)
			return -1;
		if (i > 0 && ((c = str_cmp(pname, name)) > 0 ||
		    (c == 0 && str_cmp(pvalue, value) >= 0)))
			return corrupt(t, t->fileoff + (uint64_t)(at - t->p),
			    "postings offset table not sorted", err);
		pname = name;
		pvalue = value;
		/* The ("", "") all-postings entry is no label name. */
		if (name.n == 0) {
			if (value.n == 0) {
				t->all = off;
				t->hasall = 1;
			}
			continue;
		}
		if (t->nnames == 0 ||
		    str_cmp(t->names[t->nnames - 1].name, name) != 0) {
			if (add_name(t, name, at, &capn) == -1)
				return errbuf_sys(err, "%s", t->file);
			k = 0;
		}
		if (k++ % TSDB_POT_STEP == 0 && add_sample(t, at, &caps) == -1)
			return errbuf_sys(err, "%s", t->file);
		t->names[t->nnames - 1].end = (uint32_t)(next - t->p);
		t->names[t->nnames - 1].s1 = (uint32_t)t->nsamp;
	}
	shrink(t);
	return 0;
}

int
tsdb_pot_open(struct tsdb_pot *t, const unsigned char *p, size_t len,
    uint32_t n, const char *file, uint64_t fileoff, char *err)
{
	memset(t, 0, sizeof(*t));
	t->p = p;
	t->len = len;
	t->n = n;
	t->file = file;
	t->fileoff = fileoff;
	/* Sections are BE32-framed, so offsets into one fit 32 bits. */
	if (len > UINT32_MAX)
		return corrupt(t, fileoff, "postings offset table over 4 GiB",
		    err);
	if (scan(t, n, err) == -1) {
		tsdb_pot_release(t);
		return -1;
	}
	return 0;
}

static const struct tsdb_pot_name *
find_name(const struct tsdb_pot *t, struct str name)
{
	size_t lo = 0, hi = t->nnames;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = str_cmp(t->names[mid].name, name);

		if (c == 0)
			return &t->names[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int
tsdb_pot_find(const struct tsdb_pot *t, struct str name, struct str value,
    uint64_t *off, char *err)
{
	const struct tsdb_pot_name *ln;
	const unsigned char *at, *stop, *next;
	struct str n, v;
	size_t lo, hi;
	int c;

	if (name.n == 0) {
		*off = t->all;
		return value.n == 0 && t->hasall;
	}
	if ((ln = find_name(t, name)) == NULL)
		return 0;
	/* The first sample past value: value is in the stretch before it. */
	lo = ln->s0;
	hi = ln->s1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (entry(t, t->p + t->samp[mid], t->p + ln->end, &n, &v, off,
		    &next, err) == -1)
			return -1;
		if (str_cmp(v, value) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == ln->s0)
		return 0;
	at = t->p + t->samp[lo - 1];
	stop = t->p + (lo < ln->s1 ? t->samp[lo] : ln->end);
	for (; at < stop; at = next) {
		if (entry(t, at, t->p + ln->end, &n, &v, off, &next,
		    err) == -1)
			return -1;
		if ((c = str_cmp(v, value)) >= 0)
			return c == 0;
	}
	return 0;
}

size_t
tsdb_pot_nnames(const struct tsdb_pot *t)
{
	return t->nnames;
}

struct str
tsdb_pot_name(const struct tsdb_pot *t, size_t i)
{
	return t->names[i].name;
}

void
tsdb_pot_values(const struct tsdb_pot *t, struct str name,
    struct tsdb_pot_iter *it)
{
	const struct tsdb_pot_name *ln = find_name(t, name);

	it->t = t;
	it->at = it->end = t->p;
	if (ln != NULL) {
		it->at = t->p + ln->start;
		it->end = t->p + ln->end;
	}
}

int
tsdb_pot_next(struct tsdb_pot_iter *it, struct str *value, uint64_t *off,
    char *err)
{
	const unsigned char *next;
	struct str name;

	if (it->at >= it->end)
		return 0;
	if (entry(it->t, it->at, it->end, &name, value, off, &next,
	    err) == -1) {
		it->at = it->end;
		return -1;
	}
	it->at = next;
	return 1;
}

size_t
tsdb_pot_heap(const struct tsdb_pot *t)
{
	return t->nsamp * sizeof(*t->samp) + t->nnames * sizeof(*t->names);
}

void
tsdb_pot_release(struct tsdb_pot *t)
{
	free(t->samp);
	free(t->names);
	memset(t, 0, sizeof(*t));
}
