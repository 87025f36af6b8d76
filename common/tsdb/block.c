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
