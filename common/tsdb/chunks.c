#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "base/crc32c.h"
#include "base/dec.h"
#include "base/errbuf.h"
#include "tsdb/chunks.h"

#define SEGMENT_MAGIC	0x85BD40DDu
#define SEGMENT_HEADER	8
/* Longest uvarint a chunk length is written with. */
#define CHUNK_LEN_MAX	5

static int
check_header(struct tsdb_source *s, char *err)
{
	struct buf scratch = BUF_INIT(BUF_NOMAX);
	const unsigned char *p;
	struct dec d;
	int r = -1;

	if ((p = tsdb_source_read(s, 0, SEGMENT_HEADER, &scratch, err)) ==
	    NULL)
		goto out;
	dec_init(&d, p, SEGMENT_HEADER);
	if (dec_be32(&d) != SEGMENT_MAGIC) {
		errbuf_set(err, "%s: not a chunk segment file (bad magic)",
		    s->name);
		goto out;
	}
	if (p[4] != 1) {
		errbuf_set(err, "%s: chunk segment version %u is not supported",
		    s->name, p[4]);
		goto out;
	}
	r = 0;
out:
	buf_release(&scratch);
	return r;
}

int
tsdb_chunks_open_sources(struct tsdb_chunks *c, struct tsdb_source *seg,
    size_t n, char *err)
{
	c->seg = seg;
	c->nseg = n;
	for (size_t i = 0; i < n; i++)
		if (check_header(&seg[i], err) == -1) {
			tsdb_chunks_close(c);
			return -1;
		}
	return 0;
}

static int
is_segment_name(const char *s)
{
	if (strlen(s) != 6)
		return 0;
	for (int i = 0; i < 6; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int
byname(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int
filter(const struct dirent *e)
{
	return is_segment_name(e->d_name);
}

int
tsdb_chunks_open_dir(struct tsdb_chunks *c, const char *dir, char *err)
{
	struct tsdb_source *seg = NULL;
	struct dirent **ents = NULL;
	char path[4096];
	int n, opened = 0, r = -1;

	memset(c, 0, sizeof(*c));
	if ((n = scandir(dir, &ents, filter, byname)) == -1)
		return errbuf_sys(err, "%s", dir);
	if (n == 0) {
		errbuf_set(err, "%s: no chunk segment files", dir);
		goto out;
	}
	if ((seg = calloc((size_t)n, sizeof(*seg))) == NULL) {
		errbuf_sys(err, "%s", dir);
		goto out;
	}
	for (int i = 0; i < n; i++) {
		/* The reference holds an index into this list, so a gap in
		 * the numbering would silently shift every later chunk. */
		if (atoi(ents[i]->d_name) != i + 1) {
			errbuf_set(err, "%s: segment %s missing or out of "
			    "sequence", dir, ents[i]->d_name);
			goto out;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		if (tsdb_source_open_file(&seg[i], path, err) == -1)
			goto out;
		opened++;
	}
	r = tsdb_chunks_open_sources(c, seg, (size_t)n, err);
	seg = NULL;
out:
	if (seg) {
		for (int i = 0; i < opened; i++)
			tsdb_source_close(&seg[i]);
		free(seg);
	}
	for (int i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return r;
}

void
tsdb_chunks_close(struct tsdb_chunks *c)
{
	for (size_t i = 0; i < c->nseg; i++)
		tsdb_source_close(&c->seg[i]);
	free(c->seg);
	c->seg = NULL;
	c->nseg = 0;
}

/*
 * Mapped segments are read once per query, front to back: the pages
 * behind are of no more use to this process, yet would stay in its
 * resident set until unmapped, so that one query over every block would
 * leave the whole bucket resident.  Every TSDB_CHUNKS_RESIDENT bytes read
 * from a block, its mappings are let go (MADV_DONTNEED on a shared file
 * mapping drops only this process's page table entries: the pages stay in
 * the kernel's page cache, and a pointer into the map still reads the
 * same bytes, faulted back in).  A block's chunk pages in the resident
 * set stay under that bound, whatever the size of the bucket.
 */
static void
drop_behind(struct tsdb_chunks *c, size_t n)
{
	uint64_t before = __atomic_fetch_add(&c->served, n, __ATOMIC_RELAXED);

	if (before / TSDB_CHUNKS_RESIDENT == (before + n) / TSDB_CHUNKS_RESIDENT)
		return;
	for (size_t i = 0; i < c->nseg; i++)
		if (c->seg[i].map != NULL)
			madvise((void *)c->seg[i].map, c->seg[i].maplen,
			    MADV_DONTNEED);
}

int
tsdb_chunks_get(struct tsdb_chunks *c, uint64_t ref, struct tsdb_chunk *out,
    struct buf *scratch, char *err)
{
	uint64_t seg = ref >> 32, off = ref & 0xffffffffu, len;
	struct tsdb_source *s;
	const unsigned char *p;
	struct dec d;
	size_t head;

	if (seg >= c->nseg)
		return errbuf_set(err, "chunk reference %llu: segment %llu "
		    "does not exist", (unsigned long long)ref,
		    (unsigned long long)seg + 1);
	s = &c->seg[seg];
	if (off < SEGMENT_HEADER || off >= s->size)
		return errbuf_set(err, "%s: chunk offset %llu outside the file",
		    s->name, (unsigned long long)off);
	head = s->size - off < CHUNK_LEN_MAX ? (size_t)(s->size - off) :
	    CHUNK_LEN_MAX;
	if ((p = tsdb_source_read(s, off, head, scratch, err)) == NULL)
		return -1;
	dec_init(&d, p, head);
	len = dec_uvarint(&d);
	if (d.err)
		return errbuf_set(err, "%s: corrupt chunk at offset %llu: bad "
		    "length", s->name, (unsigned long long)off);
	head = (size_t)(d.p - p);
	/* encoding byte + data + CRC */
	if ((p = tsdb_source_read(s, off + head, (size_t)len + 5, scratch,
	    err)) == NULL)
		return -1;
	dec_init(&d, p + 1 + len, 4);
	if (crc32c(p, (size_t)len + 1) != dec_be32(&d))
		return errbuf_set(err, "%s: corrupt chunk at offset %llu: CRC "
		    "mismatch", s->name, (unsigned long long)off);
	out->encoding = p[0];
	out->data = p + 1;
	out->len = (size_t)len;
	if (s->map != NULL)
		drop_behind(c, (size_t)len + head + 5);
	return 0;
}
