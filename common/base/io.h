/*
 * io: whole-file reads, complete writes, atomic replace, and closing stdout
 * with its errors reported.
 *
 * io_write_atomic never leaves a half-written file at path: readers see the
 * old content or the new, and after it returns 0 the new content survives a
 * crash (file and directory both fsynced).  On failure the old file is
 * untouched and no temporary file is left behind, with one exception: if
 * only the final fsync of the directory fails, the new content is in
 * place but may not survive a crash, and -1 says so.
 */
#ifndef BASE_IO_H
#define BASE_IO_H

#include <stddef.h>
#include <sys/types.h>

#include "base/buf.h"

/* fflush, ferror and fclose stdout (sbase's fshut): any failure is
 * warned on stderr as "write <stdout>: ..." and returns -1.  The one io
 * function that prints, because it runs at the very end of main(). */
int	io_close_stdout(void);

/* write(2) all of p, retrying short writes and EINTR; -1 with errno. */
int	io_write_all(int fd, const void *p, size_t n);

/* Replace b's content with the whole file (at most b->max bytes).
 * -1 with a message naming path in err; ENOENT stays in errno so callers
 * can tell a missing file from a bad one. */
int	io_read_file(const char *path, struct buf *b, char *err);

/* Atomically replace path with n bytes of p and the given mode: a
 * temporary file in the same directory, fsync, rename, fsync of the
 * directory.  -1 with a message naming path in err. */
int	io_write_atomic(const char *path, const void *p, size_t n, mode_t mode,
	    char *err);

/* dir "/" name into out (n bytes).  -1 with ENAMETOOLONG if it does not
 * fit: a cut path would name another file. */
int	io_path_join(char *out, size_t n, const char *dir, const char *name);

#endif
