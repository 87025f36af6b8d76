/*
 * server: store-serve's HTTP endpoints over a synced bucket store:
 * remote read, the series / labels / label values API, the export of
 * series lines, and the list of loaded blocks.
 */
#ifndef SERVER_H
#define SERVER_H

#include "bucket/store.h"
#include "net/httpd.h"

struct server {
	struct store	*store;
};

/* The route table, terminated by a route with a NULL path. */
const struct httpd_route *server_routes(struct server *sv);

#endif
