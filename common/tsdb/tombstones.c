#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/crc32c.h"
#include "base/dec.h"
#include "base/errbuf.h"
#include "base/io.h"
#include "tsdb/tombstones.h"

#define TOMBSTONES_MAGIC	0x0130BA30u
#define TOMBSTONES_MAX		(256u << 20)

static int
cmp_stone(const void *a, const void *b)
{
	const struct tsdb_stone *x = a, *y = b;

	if (x->ref != y->ref)
		return x->ref < y->ref ? -1 : 1;
	return x->mint < y->mint ? -1 : x->mint > y->mint;
}

int
tsdb_tombstones_parse(struct tsdb_tombstones *t, const void *data,
    size_t len, const char *name, char *err)
{
	const unsigned char *p = data;
	struct dec d, c;
	size_t cap = 0;

	memset(t, 0, sizeof(*t));
	if (len < 9)
		return errbuf_set(err, "%s: truncated tombstones file", name);
	dec_init(&d, p, 5);
	if (dec_be32(&d) != TOMBSTONES_MAGIC || p[4] != 1)
		return errbuf_set(err, "%s: not a tombstones file (bad magic or "
		    "version)", name);
	dec_init(&c, p + len - 4, 4);
	if (crc32c(p + 5, len - 9) != dec_be32(&c))
		return errbuf_set(err, "%s: tombstones CRC mismatch", name);
	dec_init(&d, p + 5, len - 9);
	while (dec_remaining(&d) > 0) {
		uint64_t ref = dec_uvarint(&d);
		int64_t mint = dec_varint(&d), maxt = dec_varint(&d);

		if (d.err || ref > UINT32_MAX) {
			tsdb_tombstones_release(t);
			return errbuf_set(err, "%s: corrupt tombstone at offset "
			    "%zu", name, (size_t)(d.p - p));
		}
		if (t->n == cap) {
			struct tsdb_stone *v;

			cap = cap ? cap * 2 : 16;
			if ((v = reallocarray(t->v, cap, sizeof(*v))) == NULL) {
				tsdb_tombstones_release(t);
				return errbuf_sys(err, "%s", name);
			}
			t->v = v;
		}
		t->v[t->n++] = (struct tsdb_stone){ (uint32_t)ref, mint, maxt };
	}
	/* Written in hash-map order: sort for lookup. */
	if (t->n > 1)
		qsort(t->v, t->n, sizeof(*t->v), cmp_stone);
	return 0;
}

int
tsdb_tombstones_read(struct tsdb_tombstones *t, const char *path, char *err)
{
	struct buf b = BUF_INIT(TOMBSTONES_MAX);
	int r;

	memset(t, 0, sizeof(*t));
	if (io_read_file(path, &b, err) == -1) {
		buf_release(&b);
		return errno == ENOENT ? 0 : -1;
	}
	r = tsdb_tombstones_parse(t, b.data, b.len, path, err);
	buf_release(&b);
	return r;
}

const struct tsdb_stone *
tsdb_tombstones_get(const struct tsdb_tombstones *t, uint32_t ref, size_t *n)
{
	size_t lo = 0, hi = t->n, first;

	*n = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->v[mid].ref < ref)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	while (lo < t->n && t->v[lo].ref == ref)
		lo++;
	*n = lo - first;
	return *n ? &t->v[first] : NULL;
}

void
tsdb_tombstones_release(struct tsdb_tombstones *t)
{
	free(t->v);
	t->v = NULL;
	t->n = 0;
}
