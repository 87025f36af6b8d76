/*
 * reloader: render the template and fingerprint the rule dirs (one
 * "apply"), and, in watch mode, do it again on every change and make
 * Prometheus reload until it has.
 */
#ifndef RELOADER_H
#define RELOADER_H

#include <stddef.h>
#include <stdint.h>

struct reloader_config {
	const char	 *tmpl;		/* NULL: no config file to watch */
	const char	 *out;		/* NULL: watch tmpl, render nothing */
	char *const	 *rule_dirs;
	size_t		  nrule_dirs;
	const char	 *prom_url;	/* base URL; "/-/reload" is joined on */
	int64_t		  watch_interval_ms;	/* periodic re-check */
	int64_t		  retry_interval_ms;	/* most time between retries */
	const char	 *http_address;	/* NULL: no HTTP server */
};

/* Render once: tmpl to out, written only if its content changed, with an
 * event line.  0 ok, -1 with a message in err. */
int	reloader_render_once(const struct reloader_config *c, char *err);

/* Watch until SIGTERM or SIGINT (then 0).  With http_address, serve
 * /-/healthy, /-/ready (after the first render) and /metrics there.  An error in the first apply
 * (unset variable, missing template or rule dir) returns -1 with err set,
 * as Thanos' sidecar exits then; later errors are logged and retried on
 * the next change. */
int	reloader_watch(const struct reloader_config *c, char *err);

#endif
