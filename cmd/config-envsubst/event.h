/*
 * event: the one line config-envsubst prints on stdout per thing that
 * happened (docs/FORMATS.md, "Event lines"): logfmt, starting with ts and
 * event, flushed at once so a reader of the pipe sees it immediately.
 */
#ifndef EVENT_H
#define EVENT_H

/* kind, then const char *key, const char *value pairs; the macro ends the
 * list.  A failed write to stdout is reported by io_close_stdout at exit. */
void	event_write(const char *kind, ...);
#define event(...)	event_write(__VA_ARGS__, (char *)NULL)

#endif
