/*
 * render: turn a template into the config Prometheus reads.
 *
 * Thanos' reloader rules, exactly: a gzip template (first bytes 1f 8b 08,
 * whatever its name) is decompressed first; then every $(NAME) whose NAME
 * is one or more of [A-Za-z0-9_] is replaced by the environment variable
 * NAME.  Anything else ($NAME, ${NAME}, $(), $(A-B), a lone "$(") is
 * copied unchanged; there is no escape.  A set but empty variable gives
 * "".  An unset one is an error naming it and its template line, and
 * nothing is rendered.
 */
#ifndef RENDER_H
#define RENDER_H

#include <stddef.h>

#include "base/buf.h"

/* Most bytes a template may have, before and after decompression. */
#define RENDER_MAX	(64u << 20)

/* Read the template at path into out (decompressed if gzip).
 * -1 with a message naming path in err. */
int	render_load(const char *path, struct buf *out, char *err);

/* Substitute in (n bytes) into out.  name is the template's name for
 * errors: "NAME:LINE: environment variable \"X\" is not set". */
int	render_envsubst(const char *in, size_t n, const char *name,
	    struct buf *out, char *err);

#endif
