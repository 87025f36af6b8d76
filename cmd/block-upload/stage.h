/*
 * stage: a block hard-linked into <tsdb>/thanos/upload/<ULID>/ before it
 * is uploaded, as Thanos' shipper does: the links keep every file alive
 * if Prometheus deletes the block (retention, compaction) mid-upload.
 * The chunk files, index and meta.json are linked; tombstones never are
 * (Thanos does not upload them either).  The directory is removed first
 * if a crash left one, made mode 0750, and removed by stage_release.
 */
#ifndef STAGE_H
#define STAGE_H

#include <stddef.h>
#include <stdint.h>

#include "base/errbuf.h"

#define STAGE_GONE	(-2)	/* the block is not on disk (any more) */

struct stage_file {
	char		*rel_path;	/* "chunks/000001", "index" */
	char		*path;		/* in the staging dir */
	uint64_t	 size;
};

struct stage {
	char		*dir;		/* NULL until made */
	struct stage_file *files;	/* chunks/ in name order, then index */
	size_t		 nfiles;
	char		**segments;	/* names in chunks/, sorted */
	size_t		 nsegments;
	uint64_t	 bytes;		/* of all files */
};

#define STAGE_INIT	{ NULL, NULL, 0, NULL, 0, 0 }

/*
 * Link the block dir (named by its ULID, directly in tsdb) into the
 * staging dir.  0 with s filled; STAGE_GONE with err when the block or
 * one of its files vanished before it was linked (retention got there
 * first: it can never be shipped); -1 with err otherwise.  s is to be
 * released whatever the result.
 */
int	stage_block(struct stage *s, const char *tsdb, const char *block,
	    const char *ulid, char err[ERR_MAX]);

/* Remove the staging dir and free everything; s is then as STAGE_INIT. */
void	stage_release(struct stage *s);

/* rm -rf dir; a missing dir is fine.  -1 with err. */
int	stage_rmtree(const char *dir, char err[ERR_MAX]);

#endif
