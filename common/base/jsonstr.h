/*
 * jsonstr: JSON text for strings and label sets, written by hand where a
 * whole JSON library would only slow a hot path down (series lines, API
 * answers).  Output is always valid JSON in UTF-8: quotes, backslashes
 * and control characters are escaped, and a byte that is not valid UTF-8
 * becomes U+FFFD, as Go's encoder does.
 */
#ifndef BASE_JSONSTR_H
#define BASE_JSONSTR_H

#include <stddef.h>

#include "base/buf.h"
#include "base/labels.h"

/* Append s (n bytes) as a JSON string literal.  -1 on ENOMEM/ENOBUFS. */
int	jsonstr_add(struct buf *b, const char *s, size_t n);
/* Append a label set as a JSON object, in label order. */
int	jsonstr_add_labels(struct buf *b, const struct labels *l);

#endif
