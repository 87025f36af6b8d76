/*
 * ship: one block into the bucket, the way Thanos' shipper uploads one:
 * staged by hard links, the chunk files then index, their sizes checked in a
 * listing of the bucket, then meta.json with the thanos section last, so
 * no reader ever sees a partial block; then the ULID recorded in the
 * shipper file.  A block whose meta.json is in the bucket already, and
 * says the same, is recorded without an upload.
 */
#ifndef SHIP_H
#define SHIP_H

#include <stddef.h>
#include <stdint.h>

#include "base/errbuf.h"
#include "bucket/bucket.h"
#include "net/extlabels.h"
#include "tsdb/ulid.h"

enum ship_status {
	SHIP_UPLOADED,		/* uploaded and recorded */
	SHIP_EXISTS,		/* was in the bucket; recorded */
	SHIP_FAILED,		/* worth another try later */
	SHIP_GONE,		/* not on disk: can never be shipped */
	SHIP_ABORTED,		/* SIGTERM or SIGINT: abandoned */
};

struct ship {
	struct bucket		*bucket;
	const struct extlabels	*labels;	/* not empty */
	/* NULL: thanos.shipper.json in the block's TSDB dir. */
	const char		*shipper_file;
	int			 sigfd;		/* readable: stop */
};

struct ship_result {
	enum ship_status status;
	char		 ulid[ULID_LEN + 1];
	uint64_t	 bytes;		/* sent, meta.json included */
	size_t		 files;		/* objects sent */
	int64_t		 ms;		/* wall time */
	char		 err[ERR_MAX];	/* why, if not shipped */
};

/* Ship the block at path (absolute, its last part a ULID). */
void	ship_block(const struct ship *s, const char *path,
	    struct ship_result *r);

#endif
