/*
 * buf: growable bytes with a cap.
 *
 * Invariants: data is NULL or holds len bytes followed by a NUL that is not
 * counted (so text can be used as a C string); len <= max.  Anything filled
 * from outside the process has a cap: going over it fails with ENOBUFS
 * instead of growing without bound (curl's dynbuf "toobig").
 * The struct owns data; buf_detach hands it to the caller.
 */
#ifndef BASE_BUF_H
#define BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;	/* allocated bytes, including the NUL */
	size_t	 max;	/* most bytes len may reach */
};

#define BUF_NOMAX	((size_t)-1)
#define BUF_INIT(max)	{ NULL, 0, 0, (max) }

void	 buf_init(struct buf *b, size_t max);
/* Append; -1 with errno ENOBUFS past max, ENOMEM when out of memory.
 * On failure the buffer is unchanged. */
int	 buf_add(struct buf *b, const void *p, size_t n);
int	 buf_addstr(struct buf *b, const char *s);
int	 buf_addch(struct buf *b, char c);
int	 buf_addf(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
int	 buf_vaddf(struct buf *b, const char *fmt, va_list ap);
/* Make room for n more bytes without changing len. */
int	 buf_grow(struct buf *b, size_t n);
void	 buf_reset(struct buf *b);
/* The caller now owns the returned bytes (never NULL on success: an empty
 * buffer gives ""); the buffer is empty again.  NULL on ENOMEM. */
char	*buf_detach(struct buf *b, size_t *len);
void	 buf_release(struct buf *b);

#endif
