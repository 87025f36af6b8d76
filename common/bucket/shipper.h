/*
 * shipper: the shipper state file, <tsdb>/thanos.shipper.json: which
 * blocks of a TSDB directory are in the bucket already.  Thanos' sidecar
 * keeps the same file in the same format, so a Prometheus that ran a
 * sidecar is not shipped again, and the other way round:
 *
 *	{
 *		"version": 1,
 *		"uploaded": [
 *			"01HQ3J5Z8P2V6W9X0Y1Z2A3B4C"
 *		]
 *	}
 *
 * What always holds: the list holds each ULID once, in the order added.
 * shipper_format writes the bytes Thanos' json.Encoder writes with a tab
 * indent (a trailing newline; an empty list is "uploaded": null), and
 * shipper_write replaces the file atomically (temporary file, fsync,
 * rename, fsync of the directory), so a reader sees the old list or the
 * new one, never a part.  Reading is as lenient as Thanos' (unknown keys
 * are ignored) and as strict (version must be 1, every entry a ULID).
 */
#ifndef BUCKET_SHIPPER_H
#define BUCKET_SHIPPER_H

#include <stddef.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "tsdb/ulid.h"

#define SHIPPER_FILE	"thanos.shipper.json"	/* in the TSDB dir */
#define SHIPPER_MAX	((size_t)16 << 20)	/* largest file read */

struct shipper {
	struct ulid	*v;	/* owned */
	size_t		 n, cap;
};

#define SHIPPER_INIT	{ NULL, 0, 0 }

/* Replace s's list with the one in the len bytes at data; name is for
 * errors ("F: version 2 is not 1").  -1 with err (s then empty). */
int	shipper_parse(struct shipper *s, const char *data, size_t len,
	    const char *name, char err[ERR_MAX]);

/* Replace s's list with the file's.  A missing file is an empty list and
 * 0.  -1 with err naming path when it cannot be read or parsed (s then
 * empty): Thanos starts from an empty list then, and the caller may too. */
int	shipper_read(struct shipper *s, const char *path, char err[ERR_MAX]);

/* 1 if u is in the list, else 0. */
int	shipper_has(const struct shipper *s, const struct ulid *u);

/* Append u unless it is there already.  -1 with errno ENOMEM. */
int	shipper_add(struct shipper *s, const struct ulid *u);

/* Keep only the entries for which keep(arg, u) returns non-zero, in their
 * order. */
void	shipper_filter(struct shipper *s,
	    int (*keep)(void *arg, const struct ulid *u), void *arg);

/* Append the file's bytes to out.  -1 with errno (ENOMEM, ENOBUFS). */
int	shipper_format(const struct shipper *s, struct buf *out);

/* Replace the file at path with s's list, atomically, mode 0644.  -1 with
 * err naming path. */
int	shipper_write(const struct shipper *s, const char *path,
	    char err[ERR_MAX]);

void	shipper_release(struct shipper *s);

#endif
