/*
 * log: logfmt lines on stderr, the one log format of every strata tool.
 *
 *	ts=2026-11-25T08:40:00.123Z level=info msg="reload done" url=http://...
 *
 * A call passes a message and then key, value string pairs ending in NULL
 * (the macros add the NULL).  Values are quoted only when they must be
 * (space, '=', '"', control characters, or empty), with Go's escapes, so a
 * line always parses back to the same pairs.  Each line goes out in one
 * write(2), so lines from threads or processes sharing stderr never mix.
 * Lines below the level set with log_set_level are dropped.
 */
#ifndef BASE_LOG_H
#define BASE_LOG_H

#include "base/buf.h"

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Parse "debug", "info", "warn" or "error" (Thanos' --log.level values)
 * and make it the level; -1 (level unchanged) for anything else. */
int	log_set_level(const char *name);
enum log_level log_get_level(void);

/* Write one line; pairs are const char *key, const char *value, ...,
 * NULL.  A NULL value is written as an empty quoted string. */
void	log_write(enum log_level lvl, const char *msg, ...);

#define log_debug(...)	log_write(LOG_DEBUG, __VA_ARGS__, (char *)NULL)
#define log_info(...)	log_write(LOG_INFO, __VA_ARGS__, (char *)NULL)
#define log_warn(...)	log_write(LOG_WARN, __VA_ARGS__, (char *)NULL)
#define log_error(...)	log_write(LOG_ERROR, __VA_ARGS__, (char *)NULL)

/* Append " key=value" (no leading space for the first pair in an empty
 * buffer), quoting value as logfmt requires.  Also used for event lines on
 * stdout, which share this encoding.  -1 on ENOMEM/ENOBUFS. */
int	logfmt_add(struct buf *b, const char *key, const char *value);

#endif
