#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/dec.h"
#include "base/errbuf.h"
#include "tsdb/symtab.h"

/*
 * Lookups are hot (two per label of every series read) and most repeat:
 * a series' label names, and the values of low-cardinality labels, recur
 * from series to series.  So each thread keeps the last few it resolved,
 * direct-mapped.  Entries are keyed by the table's generation, unique for
 * the life of the process, so a table closed and another opened at the
 * same address can never hit an entry of the old one.
 */
#define CACHE_BITS	8

static _Thread_local struct {
	uint64_t	gen, k;
	struct str	s;
} cache[1 << CACHE_BITS];

static atomic_uint_fast64_t generation;

static int
corrupt(const struct tsdb_symtab *t, uint64_t off, const char *what,
    char *err)
{
	return errbuf_set(err, "%s: corrupt index at offset %llu: %s",
	    t->file, (unsigned long long)off, what);
}

int
tsdb_symtab_open(struct tsdb_symtab *t, const unsigned char *p, size_t len,
    uint32_t n, const char *file, uint64_t fileoff, char *err)
{
	size_t nsamp = ((size_t)n + TSDB_SYMTAB_STEP - 1) / TSDB_SYMTAB_STEP;
	size_t slen;
	struct dec d;

	memset(t, 0, sizeof(*t));
	t->file = file;
	t->fileoff = fileoff;
	/* Sections are BE32-framed, so offsets into one fit 32 bits. */
	if (len > UINT32_MAX)
		return corrupt(t, fileoff, "symbol table over 4 GiB", err);
	if ((t->off = calloc(nsamp ? nsamp : 1, sizeof(*t->off))) == NULL)
		return errbuf_sys(err, "%s", file);
	dec_init(&d, p, len);
	for (uint32_t i = 0; i < n; i++) {
		size_t at = (size_t)(d.p - p);

		if (i % TSDB_SYMTAB_STEP == 0)
			t->off[i / TSDB_SYMTAB_STEP] = (uint32_t)at;
		if (dec_uvarint_str(&d, &slen) == NULL) {
			corrupt(t, fileoff + at, "symbol runs past the table",
			    err);
			tsdb_symtab_release(t);
			return -1;
		}
	}
	t->p = p;
	t->len = len;
	t->n = n;
	/* 0 marks an empty cache entry, so generations start at 1. */
	t->gen = atomic_fetch_add(&generation, 1) + 1;
	return 0;
}

/*
 * The entry at *pp, its length into *n, *pp moved past it; NULL if it
 * does not end before end.  Open checked every entry with dec, so this
 * only has to be fast; it still never reads at or past end.
 */
static inline const unsigned char *
entry(const unsigned char **pp, const unsigned char *end, size_t *n)
{
	const unsigned char *p = *pp;
	uint64_t len = 0;

	for (unsigned shift = 0;; shift += 7) {
		if (p == end || shift > 63)
			return NULL;
		len |= (uint64_t)(*p & 0x7f) << shift;
		if (*p++ < 0x80)
			break;
	}
	if (len > (uint64_t)(end - p))
		return NULL;
	*n = (size_t)len;
	*pp = p + len;
	return p;
}

int
tsdb_symtab_get(const struct tsdb_symtab *t, uint64_t k, struct str *out,
    char *err)
{
	const unsigned char *p, *end = t->p + t->len, *s;
	uint64_t slot, i;
	size_t n;

	if (k >= t->n)
		return errbuf_set(err, "%s: symbol reference %llu out of range "
		    "(%u symbols)", t->file, (unsigned long long)k, t->n);
	slot = ((k ^ (t->gen << 20)) * 0x9E3779B97F4A7C15ull) >>
	    (64 - CACHE_BITS);
	if (cache[slot].gen == t->gen && cache[slot].k == k) {
		*out = cache[slot].s;
		return 0;
	}
	p = t->p + t->off[k / TSDB_SYMTAB_STEP];
	for (i = k % TSDB_SYMTAB_STEP;; i--) {
		if ((s = entry(&p, end, &n)) == NULL)
			return corrupt(t, t->fileoff + (uint64_t)(p - t->p),
			    "symbol runs past the table", err);
		if (i == 0)
			break;
	}
	*out = (struct str){ (const char *)s, n };
	cache[slot].gen = t->gen;
	cache[slot].k = k;
	cache[slot].s = *out;
	return 0;
}

size_t
tsdb_symtab_heap(const struct tsdb_symtab *t)
{
	size_t nsamp = ((size_t)t->n + TSDB_SYMTAB_STEP - 1) /
	    TSDB_SYMTAB_STEP;

	return (nsamp ? nsamp : 1) * sizeof(*t->off);
}

void
tsdb_symtab_release(struct tsdb_symtab *t)
{
	free(t->off);
	memset(t, 0, sizeof(*t));
}
