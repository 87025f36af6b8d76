#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errbuf.h"
#include "base/io.h"
#include "tsdb/block.h"
#include "tsdb/ulid.h"

int
tsdb_block_name(const char *name)
{
	struct ulid u;

	return strlen(name) == ULID_LEN && ulid_parse(name, &u) == 0;
}

int
tsdb_block_open_dir(struct tsdb_block *b, const char *dir, char *err)
{
	char path[4096];

	memset(b, 0, sizeof(*b));
	if ((b->dir = strdup(dir)) == NULL)
		return errbuf_sys(err, "%s", dir);
	if (tsdb_meta_read_dir(&b->meta, dir, err) == -1)
		goto fail_dir;
	if (io_path_join(path, sizeof(path), dir, "index") == -1) {
		errbuf_sys(err, "%s", dir);
		goto fail_meta;
	}
	if (tsdb_source_open_file(&b->isrc, path, err) == -1)
		goto fail_meta;
	if (tsdb_index_open(&b->ix, &b->isrc, err) == -1)
		goto fail_isrc;
	if (io_path_join(path, sizeof(path), dir, "chunks") == -1) {
		errbuf_sys(err, "%s", dir);
		goto fail_ix;
	}
	if (tsdb_chunks_open_dir(&b->ch, path, err) == -1)
		goto fail_ix;
	if (io_path_join(path, sizeof(path), dir, "tombstones") == -1) {
		errbuf_sys(err, "%s", dir);
		goto fail_ch;
	}
	if (tsdb_tombstones_read(&b->tomb, path, err) == -1)
		goto fail_ch;
	return 0;
fail_ch:
	tsdb_chunks_close(&b->ch);
fail_ix:
	tsdb_index_close(&b->ix);
fail_isrc:
	tsdb_source_close(&b->isrc);
fail_meta:
	tsdb_meta_release(&b->meta);
fail_dir:
	free(b->dir);
	b->dir = NULL;
	return -1;
}

int
tsdb_block_open_parts(struct tsdb_block *b, const char *name,
    const char *meta, size_t metalen, struct tsdb_source *index,
    struct tsdb_source *seg, size_t nseg, const void *tomb, size_t tomblen,
    char *err)
{
	char mname[4096];

	memset(b, 0, sizeof(*b));
	b->isrc = *index;
	if ((b->dir = strdup(name)) == NULL) {
		errbuf_sys(err, "%s", name);
		goto fail_src;
	}
	snprintf(mname, sizeof(mname), "%s/meta.json", name);
	if (tsdb_meta_parse(&b->meta, meta, metalen, mname, err) == -1)
		goto fail_dir;
	if (tsdb_index_open(&b->ix, &b->isrc, err) == -1)
		goto fail_meta;
	if (tsdb_chunks_open_sources(&b->ch, seg, nseg, err) == -1) {
		seg = NULL;
		goto fail_ix;
	}
	seg = NULL;
	if (tomb && tsdb_tombstones_parse(&b->tomb, tomb, tomblen, name,
	    err) == -1)
		goto fail_ch;
	return 0;
fail_ch:
	tsdb_chunks_close(&b->ch);
fail_ix:
	tsdb_index_close(&b->ix);
fail_meta:
	tsdb_meta_release(&b->meta);
fail_dir:
	free(b->dir);
	b->dir = NULL;
fail_src:
	tsdb_source_close(&b->isrc);
	for (size_t i = 0; seg && i < nseg; i++)
		tsdb_source_close(&seg[i]);
	free(seg);
	return -1;
}

void
tsdb_block_close(struct tsdb_block *b)
{
	tsdb_tombstones_release(&b->tomb);
	tsdb_chunks_close(&b->ch);
	tsdb_index_close(&b->ix);
	tsdb_source_close(&b->isrc);
	tsdb_meta_release(&b->meta);
	free(b->dir);
	memset(b, 0, sizeof(*b));
}
