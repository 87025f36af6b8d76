/*
 * utf8: one UTF-8 sequence read or written, as Go's unicode/utf8 does it
 * (no overlong forms, no surrogates, nothing past U+10FFFF).  Shared by
 * the JSON writer, the selector and PromQL string unquoting, and the
 * Go-style quoting of PromQL's messages.
 */
#ifndef BASE_UTF8_H
#define BASE_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* The code point of the valid sequence at s (n bytes available) with its
 * length (1..4) in *len; -1 and *len 1 when it is not valid UTF-8. */
int32_t	utf8_decode(const char *s, size_t n, size_t *len);
/* Append cp's encoding.  -1 for a surrogate or past U+10FFFF (errno
 * EINVAL), or ENOMEM. */
int	utf8_append(struct buf *b, uint32_t cp);

#endif
