/*
 * fanout: the same kind of request to many peers at once, one thread,
 * libcurl's multi interface: a slow peer costs its own timeout, never
 * the sum.  Each request has its own timeout, body cap and outcome; one
 * failing never stops the others.
 */
#ifndef NET_FANOUT_H
#define NET_FANOUT_H

#include <stddef.h>

#include "base/buf.h"
#include "base/errbuf.h"

struct fanout_req {
	/* in */
	const char		*url;
	const void		*req_body;	/* POST when not NULL */
	size_t			 req_len;
	const char *const	*headers;	/* NULL-terminated, or NULL */
	long			 timeout_ms;	/* whole transfer; 0 = 30 s */
	size_t			 max_body;	/* 0 = 64 MiB */
	/* out */
	long			 status;	/* 0: no response */
	struct buf		 body;
	char			 content_type[128];
	char			 err[ERR_MAX];	/* set when failed */
	int			 failed;	/* transport error, timeout,
						   body too large */
};

void	fanout_req_init(struct fanout_req *r);
void	fanout_req_release(struct fanout_req *r);
/* Run every request to its end.  -1 only when libcurl cannot start
 * (err set); each request's own failure is in it. */
int	fanout_run(struct fanout_req *r, size_t n, char *err);

#endif
