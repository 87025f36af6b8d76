/*
 * api: query-merge's HTTP API, Prometheus' shapes: query and query_range
 * over series selectors, series, labels, label values, remote read (so a
 * Prometheus or another query-merge can read from this one), export
 * (series lines) and Thanos' /api/v1/stores.  Parameters dedup,
 * replicaLabels[] and partial_response as Thanos' querier takes them.
 */
#ifndef QM_API_H
#define QM_API_H

#include "net/httpd.h"
#include "query.h"

const struct httpd_route *api_routes(struct qm *qm);

#endif
