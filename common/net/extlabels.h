/*
 * extlabels: the external labels that name a Prometheus replica
 * ({cluster="eu1", replica="a"}), which every block it ships carries in
 * meta.json's thanos.labels.  They come from flags (--label=K=V) or,
 * as in Thanos' sidecar, from the running Prometheus:
 * GET <url>/api/v1/status/config, then global.external_labels of the
 * YAML it answers with.
 *
 * What always holds: a set owns its strings, is sorted by name (bytes),
 * holds each name once, and every name is a valid Prometheus label name
 * ([a-zA-Z_][a-zA-Z0-9_]*).  Error lines name the flag or the URL.
 */
#ifndef NET_EXTLABELS_H
#define NET_EXTLABELS_H

#include <stddef.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "base/labels.h"

/* Largest /api/v1/status/config answer taken. */
#define EXTLABELS_CONFIG_MAX	((size_t)16 << 20)
#define EXTLABELS_TIMEOUT_MS	5000	/* Thanos' get_config_timeout */

struct extlabels {
	char	**name;		/* owned, sorted */
	char	**value;	/* owned */
	size_t	  n;
};

#define EXTLABELS_INIT	{ NULL, NULL, 0 }

/* Add name=value.  -1 with err for a bad name, a name already there, an
 * empty value (Prometheus drops such a label), or out of memory. */
int	extlabels_add(struct extlabels *e, const char *name,
	    const char *value, char err[ERR_MAX]);

/* Add "NAME=VALUE", as --label gives it. */
int	extlabels_add_flag(struct extlabels *e, const char *kv,
	    char err[ERR_MAX]);

/* Replace e with global.external_labels of the Prometheus config YAML
 * (len bytes; source names it in errors).  No global section or no
 * external labels gives an empty set and 0. */
int	extlabels_parse_config(struct extlabels *e, const char *yaml,
	    size_t len, const char *source, char err[ERR_MAX]);

/*
 * Replace e with the external labels of the Prometheus at url (one
 * attempt, EXTLABELS_TIMEOUT_MS; abort_fd as in net/http.h, -1 for
 * none).  -1 with err when it cannot be asked, answers other than 200,
 * or the answer does not parse; e is then unchanged.
 */
int	extlabels_fetch(struct extlabels *e, const char *url, int abort_fd,
	    char err[ERR_MAX]);

/* Fill out (reset first) with pairs borrowed from e, sorted.  -1 on
 * ENOMEM. */
int	extlabels_view(const struct extlabels *e, struct labels *out);

/* 1 if a and b hold the same pairs, else 0. */
int	extlabels_equal(const struct extlabels *a,
	    const struct extlabels *b);

/* Append {a="1", b="2"} (Prometheus' form, for logs) to out.  -1 on
 * ENOMEM. */
int	extlabels_format(const struct extlabels *e, struct buf *out);

void	extlabels_release(struct extlabels *e);

#endif
