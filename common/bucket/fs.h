/*
 * fs: a local directory as a bucket (Thanos' FILESYSTEM type,
 * "file:///path").  Object "a/b" is the file DIR/a/b.
 *
 * What always holds: an upload is written to a hidden temporary file
 * beside its target (".strata-tmp-NAME.XXXXXX"), fsynced, renamed over
 * the target and the directory fsynced, so a reader or a crash sees the
 * old object or the new one, never a part (Thanos writes in place);
 * parent directories are made as needed.  Listings skip temporary files,
 * directories and empty directories, and come sorted as S3 sorts them.
 * A delete removes the parent directories it leaves empty, up to DIR.
 * Byte ranges are read with pread(2) and copies use copy_file_range(2)
 * where the kernel has it.
 */
#ifndef BUCKET_FS_H
#define BUCKET_FS_H

#include "base/errbuf.h"
#include "bucket/bucket.h"

/* Temporary files start with this; listings never show such names. */
#define BUCKET_FS_TMP	".strata-tmp-"

/*
 * A bucket over dir (need not exist yet: the first upload makes it).
 * Its url is "file://" and the absolute dir, for error lines.  NULL with
 * err set when dir is empty, names something that is not a directory,
 * or memory runs out.  Free with bucket_free.
 */
struct bucket *bucket_fs_open(const char *dir, char err[ERR_MAX]);

#endif
