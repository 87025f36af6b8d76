/*
 * errbuf: the one-line error a fallible common/ function hands back.
 *
 * common/ never prints: a function that fails on bad input writes one
 * lowercase line, without a trailing newline or full stop, into the caller's
 * char err[ERR_MAX] and returns -1 (or NULL).  cmd/ decides what to do
 * with it.  The line is always NUL-terminated, truncated if it must be.
 */
#ifndef BASE_ERRBUF_H
#define BASE_ERRBUF_H

#define ERR_MAX	512

/* Format into err (ERR_MAX bytes).  Always returns -1, so callers can
 * write "return errbuf_set(err, ...);". */
int	errbuf_set(char *err, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* Like errbuf_set, then ": " and strerror(errno) appended. */
int	errbuf_sys(char *err, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
