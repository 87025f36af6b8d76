/*
 * eval: /api/v1/query and /api/v1/query_range with PromQL (common/promql)
 * over the stores.  Every selector the engine needs becomes one fan-out
 * (query.c) with exactly its matchers and time range, deduplicated
 * before evaluation as in Thanos; a selector read by rate() and kin gets
 * counters without false resets; the stores' warnings join the answer.
 */
#ifndef QM_EVAL_H
#define QM_EVAL_H

#include "net/httpd.h"
#include "query.h"

/* Answer one query (instant: /api/v1/query) into resp. */
int	eval_handle(struct qm *qm, struct httpd_req *req,
	    struct httpd_resp *resp, const struct qopts *o, int instant);

#endif
