/*
 * select: instant and range vector selectors over the series fetched for
 * them (preprocess.c): the latest sample within the lookback delta and
 * not a stale marker (vectorSelectorSingle), and the samples of a window
 * [t - range, t], both ends included, as in Prometheus 2.42.
 */
#include <string.h>

#include "promql/eval.h"

int
ev_lookup(struct ev *ev, const struct ast_sel_series *s, int64_t reft,
    int64_t *t, double *v)
{
	size_t lo = 0, hi = s->n;

	/* The first sample after reft. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->p[mid].t <= reft)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 ||
	    s->p[lo - 1].t < ev_sub(reft, ev->q->opts.lookback_ms) ||
	    ev_is_stale(s->p[lo - 1].v))
		return 0;
	*t = s->p[lo - 1].t;
	*v = s->p[lo - 1].v;
	return 1;
}

int
ev_vector_selector(struct ev *ev, struct ast_node *n, struct ev_matrix *out)
{
	struct ev_query *q = ev->q;
	const struct ast_sel *sel = n->sel;
	size_t steps = ev_steps(ev);

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; sel != NULL && i < sel->n; i++) {
		const struct ast_sel_series *s = &sel->s[i];
		struct ev_series *o = NULL;
		size_t k = 0;

		if (ev_check_done(ev) == -1)
			return -1;
		for (size_t step = 0; step < steps; step++) {
			int64_t ts = ev_step_ts(ev, step);
			int64_t reft = ev_sub(ts, n->offset);
			const struct promql_point *p;

			if (step % 4096 == 4095 && ev_check_done(ev) == -1)
				return -1;
			/* Steps only go forward: so does the sample. */
			while (k < s->n && s->p[k].t <= reft)
				k++;
			if (k == 0)
				continue;
			p = &s->p[k - 1];
			if (p->t < ev_sub(reft, q->opts.lookback_ms) ||
			    ev_is_stale(p->v))
				continue;
			if (q->cur_samples >= q->opts.max_samples)
				return ev_too_many_samples(ev);
			if (o == NULL && (o = ev_matrix_add(ev, out, s->ls)) ==
			    NULL)
				return -1;
			if (ev_series_add(ev, o, ts, p->v) == -1)
				return -1;
			q->cur_samples++;
		}
	}
	return 0;
}

/* A range selector evaluated on its own: only at the start (an instant
 * query's matrix result). */
int
ev_matrix_selector(struct ev *ev, struct ast_node *n, struct ev_matrix *out)
{
	struct ev_query *q = ev->q;
	const struct ast_node *vs = n->x;
	const struct ast_sel *sel = vs->sel;
	int64_t maxt = ev_sub(ev->start, vs->offset);
	int64_t mint = ev_sub(maxt, n->range);

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; sel != NULL && i < sel->n; i++) {
		const struct ast_sel_series *s = &sel->s[i];
		struct ev_series *o = NULL;

		if (ev_check_done(ev) == -1)
			return -1;
		for (size_t j = 0; j < s->n; j++) {
			if (s->p[j].t < mint || s->p[j].t > maxt)
				continue;
			if (q->cur_samples >= q->opts.max_samples)
				return ev_too_many_samples(ev);
			if (o == NULL && (o = ev_matrix_add(ev, out, s->ls)) ==
			    NULL)
				return -1;
			if (ev_series_add(ev, o, s->p[j].t, s->p[j].v) == -1)
				return -1;
			q->cur_samples++;
		}
	}
	return 0;
}
