#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "promql/eval.h"
#include "series/jsonl.h"

int
ev_fail(struct ev *ev, int rc, const char *fmt, ...)
{
	va_list ap;

	if (ev->q->rc != 0)
		return -1;
	ev->q->rc = rc;
	va_start(ap, fmt);
	vsnprintf(ev->q->err, ERR_MAX, fmt, ap);
	va_end(ap);
	return -1;
}

int
ev_nomem(struct ev *ev)
{
	return ev_fail(ev, PROMQL_INTERNAL, "out of memory");
}

int
ev_too_many_samples(struct ev *ev)
{
	return ev_fail(ev, PROMQL_EXEC, "query processing would load too "
	    "many samples into memory in query execution");
}

int
ev_check_done(struct ev *ev)
{
	const struct ev_query *q = ev->q;

	if (q->opts.cancel != NULL && *q->opts.cancel)
		return ev_fail(ev, PROMQL_CANCELED, "query was canceled in "
		    "expression evaluation");
	if (q->deadline != 0 && clock_mono_ms() > q->deadline)
		return ev_fail(ev, PROMQL_TIMEOUT, "query timed out in "
		    "expression evaluation");
	return 0;
}

int
ev_is_stale(double v)
{
	uint64_t bits;

	memcpy(&bits, &v, sizeof(bits));
	return bits == JSONL_STALE_BITS;
}

size_t
ev_steps(const struct ev *ev)
{
	uint64_t span;

	if (ev->end < ev->start || ev->interval <= 0)
		return 0;
	span = (uint64_t)ev->end - (uint64_t)ev->start;
	/* SIZE_MAX steps can never all run: the loops stop at the
	 * timeout or the sample limit long before. */
	if (span / (uint64_t)ev->interval >= SIZE_MAX)
		return SIZE_MAX;
	return (size_t)(span / (uint64_t)ev->interval) + 1;
}

int64_t
ev_step_ts(const struct ev *ev, size_t i)
{
	return ev_add(ev->start, (int64_t)((uint64_t)i *
	    (uint64_t)ev->interval));
}

/* --- values --------------------------------------------------------------- */

int
ev_series_add(struct ev *ev, struct ev_series *s, int64_t t, double v)
{
	if (pool_grow(&ev->q->pool, &s->p, &s->cap, s->n + 1,
	    sizeof(*s->p)) == -1)
		return ev_nomem(ev);
	s->p[s->n].t = t;
	s->p[s->n].v = v;
	s->n++;
	return 0;
}

struct ev_series *
ev_matrix_add(struct ev *ev, struct ev_matrix *m, const struct promql_lset *ls)
{
	struct ev_series *s;

	if (pool_grow(&ev->q->pool, &m->s, &m->cap, m->n + 1,
	    sizeof(*m->s)) == -1) {
		ev_nomem(ev);
		return NULL;
	}
	s = &m->s[m->n++];
	memset(s, 0, sizeof(*s));
	s->ls = ls;
	return s;
}

void
ev_matrix_free(struct ev *ev, struct ev_matrix *m)
{
	for (size_t i = 0; i < m->n; i++)
		pool_free(&ev->q->pool, m->s[i].p);
	pool_free(&ev->q->pool, m->s);
	memset(m, 0, sizeof(*m));
}

size_t
ev_matrix_points(const struct ev_matrix *m)
{
	size_t n = 0;

	for (size_t i = 0; i < m->n; i++)
		n += m->s[i].n;
	return n;
}

int
ev_vector_add(struct ev *ev, struct ev_vector *v, const struct promql_lset *ls,
    int64_t t, double val)
{
	if (pool_grow(&ev->q->pool, &v->s, &v->cap, v->n + 1,
	    sizeof(*v->s)) == -1)
		return ev_nomem(ev);
	v->s[v->n].ls = ls;
	v->s[v->n].t = t;
	v->s[v->n].v = val;
	v->s[v->n].aux = NULL;
	v->n++;
	return 0;
}

void
ev_vector_free(struct ev *ev, struct ev_vector *v)
{
	pool_free(&ev->q->pool, v->s);
	memset(v, 0, sizeof(*v));
}

static int
dup_of(struct ev *ev, const struct promql_lset *const *ls, size_t stride,
    size_t n, int *dup)
{
	struct pmap seen;
	size_t x;

	*dup = 0;
	if (n < 2)
		return 0;
	if (n <= 16) {
		for (size_t i = 0; i < n; i++)
			for (size_t j = i + 1; j < n; j++)
				if (*(const struct promql_lset *const *)
				    ((const char *)ls + i * stride) ==
				    *(const struct promql_lset *const *)
				    ((const char *)ls + j * stride)) {
					*dup = 1;
					return 0;
				}
		return 0;
	}
	pmap_init(&seen, &ev->q->pool);
	for (size_t i = 0; i < n && !*dup; i++) {
		const struct promql_lset *l = *(const struct promql_lset *const *)
		    ((const char *)ls + i * stride);

		if (pmap_get(&seen, l, &x))
			*dup = 1;
		else if (pmap_put(&seen, l, i) == -1) {
			pmap_release(&seen);
			return ev_nomem(ev);
		}
	}
	pmap_release(&seen);
	return 0;
}

int
ev_matrix_dup(struct ev *ev, const struct ev_matrix *m, int *dup)
{
	*dup = 0;
	return m->n ? dup_of(ev, &m->s[0].ls, sizeof(m->s[0]), m->n, dup) : 0;
}

int
ev_vector_dup(struct ev *ev, const struct ev_vector *v, int *dup)
{
	*dup = 0;
	return v->n ? dup_of(ev, &v->s[0].ls, sizeof(v->s[0]), v->n, dup) : 0;
}

/* --- rangeEval ------------------------------------------------------------ */

int
ev_range(struct ev *ev, struct ast_node **exprs, size_t n, ev_prep_fn prep,
    void *preparg, ev_step_fn fn, void *fnarg, struct ev_matrix *out)
{
	struct ev_query *q = ev->q;
	struct ev_matrix *mats = NULL;
	struct ev_vector *vecs = NULL, res = { NULL, 0, 0 };
	const void ***aux = NULL;
	struct pmap index;
	size_t orig = q->cur_samples, temp, steps;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	pmap_init(&index, &q->pool);
	if ((mats = pool_calloc(&q->pool, n + 1, sizeof(*mats))) == NULL ||
	    (vecs = pool_calloc(&q->pool, n + 1, sizeof(*vecs))) == NULL ||
	    (aux = pool_calloc(&q->pool, n + 1, sizeof(*aux))) == NULL)
		return ev_nomem(ev);
	for (size_t i = 0; i < n; i++)
		if (exprs[i] != NULL && ast_type(exprs[i]) != PROMQL_STRING &&
		    ev_eval(ev, exprs[i], &mats[i]) == -1)
			goto out;
	if (prep != NULL)
		for (size_t i = 0; i < n; i++) {
			if (mats[i].n == 0)
				continue;
			if ((aux[i] = pool_calloc(&q->pool, mats[i].n,
			    sizeof(*aux[i]))) == NULL) {
				ev_nomem(ev);
				goto out;
			}
			for (size_t s = 0; s < mats[i].n; s++)
				if (prep(ev, preparg, i, mats[i].s[s].ls,
				    &aux[i][s]) == -1)
					goto out;
		}
	temp = q->cur_samples;
	steps = ev_steps(ev);
	for (size_t step = 0; step < steps; step++) {
		int64_t ts = ev_step_ts(ev, step);
		int dup;

		if (ev_check_done(ev) == -1)
			goto out;
		q->cur_samples = temp;
		for (size_t i = 0; i < n; i++) {
			vecs[i].n = 0;
			for (size_t si = 0; si < mats[i].n; si++) {
				struct ev_series *s = &mats[i].s[si];

				if (s->cur >= s->n || s->p[s->cur].t != ts)
					continue;
				if (q->cur_samples >= q->opts.max_samples) {
					ev_too_many_samples(ev);
					goto out;
				}
				if (ev_vector_add(ev, &vecs[i], s->ls, ts,
				    s->p[s->cur].v) == -1)
					goto out;
				if (aux[i] != NULL)
					vecs[i].s[vecs[i].n - 1].aux =
					    aux[i][si];
				s->cur++;
				q->cur_samples++;
			}
		}
		res.n = 0;
		if (fn(ev, fnarg, vecs, ts, &res) == -1)
			goto out;
		if (ev_vector_dup(ev, &res, &dup) == -1)
			goto out;
		if (dup) {
			ev_fail(ev, PROMQL_EXEC, "vector cannot contain "
			    "metrics with the same labelset");
			goto out;
		}
		q->cur_samples += res.n;
		temp += res.n;
		if (q->cur_samples > q->opts.max_samples) {
			ev_too_many_samples(ev);
			goto out;
		}
		if (ev->start == ev->end) {
			/* An instant evaluation keeps the order the operation
			 * made (topk, sort). */
			for (size_t i = 0; i < res.n; i++) {
				struct ev_series *s = ev_matrix_add(ev, out,
				    res.s[i].ls);

				if (s == NULL ||
				    ev_series_add(ev, s, ts, res.s[i].v) == -1)
					goto out;
			}
			break;
		}
		for (size_t i = 0; i < res.n; i++) {
			struct ev_series *s;
			size_t k;

			if (pmap_get(&index, res.s[i].ls, &k)) {
				s = &out->s[k];
			} else {
				if ((s = ev_matrix_add(ev, out, res.s[i].ls)) ==
				    NULL || pmap_put(&index, res.s[i].ls,
				    out->n - 1) == -1) {
					ev_nomem(ev);
					goto out;
				}
			}
			if (ev_series_add(ev, s, ts, res.s[i].v) == -1)
				goto out;
		}
	}
	q->cur_samples = orig + ev_matrix_points(out);
	rc = 0;
out:
	for (size_t i = 0; i < n; i++) {
		ev_matrix_free(ev, &mats[i]);
		ev_vector_free(ev, &vecs[i]);
		pool_free(&q->pool, aux[i]);
	}
	pool_free(&q->pool, mats);
	pool_free(&q->pool, vecs);
	pool_free(&q->pool, aux);
	ev_vector_free(ev, &res);
	pmap_release(&index);
	return rc;
}

/* --- the node kinds that need little ------------------------------------- */

static int
number_step(struct ev *ev, void *arg, struct ev_vector *in, int64_t ts,
    struct ev_vector *out)
{
	const struct ast_node *n = arg;

	(void)in;
	return ev_vector_add(ev, out, ev->q->in.empty, ts, n->num);
}

static int
eval_unary(struct ev *ev, struct ast_node *n, struct ev_matrix *out)
{
	int dup;

	if (ev_eval(ev, n->x, out) == -1)
		return -1;
	if (n->op != TOK_SUB)
		return 0;
	for (size_t i = 0; i < out->n; i++) {
		struct ev_series *s = &out->s[i];

		if ((s->ls = lset_drop_name(&ev->q->in, s->ls)) == NULL)
			return ev_nomem(ev);
		for (size_t j = 0; j < s->n; j++)
			s->p[j].v = -s->p[j].v;
	}
	if (ev_matrix_dup(ev, out, &dup) == -1)
		return -1;
	if (dup)
		return ev_fail(ev, PROMQL_EXEC, "vector cannot contain metrics "
		    "with the same labelset");
	return 0;
}

/* Evaluate once at the start and repeat the value for every step. */
static int
eval_stepinv(struct ev *ev, struct ast_node *n, struct ev_matrix *out)
{
	struct ev one = *ev;
	struct ast_node *x = n->x;
	size_t steps;

	if (x->kind == AST_NUMBER || x->kind == AST_STRING)
		return ev_eval(ev, x, out);
	one.end = ev->start;
	if (ev_eval(&one, x, out) == -1)
		return -1;
	if (x->kind == AST_MATSEL || x->kind == AST_SUBQUERY)
		return 0;
	steps = ev_steps(ev);
	for (size_t i = 0; i < out->n; i++) {
		struct ev_series *s = &out->s[i];
		double v;

		if (s->n != 1)
			return ev_fail(ev, PROMQL_INTERNAL, "unexpected number "
			    "of samples");
		v = s->p[0].v;
		if (pool_grow(&ev->q->pool, &s->p, &s->cap, steps,
		    sizeof(*s->p)) == -1)
			return ev_nomem(ev);
		for (size_t k = 1; k < steps; k++) {
			if (ev_series_add(ev, s, ev_step_ts(ev, k), v) == -1)
				return -1;
			if (++ev->q->cur_samples > ev->q->opts.max_samples)
				return ev_too_many_samples(ev);
		}
	}
	return 0;
}

int
ev_subquery(struct ev *ev, struct ast_node *n, struct ev_matrix *out)
{
	struct ev sub = *ev;
	int64_t first = ev_sub(ev_sub(ev->start, n->offset), n->range);

	sub.end = ev_sub(ev->end, n->offset);
	sub.interval = n->step ? n->step : ev->q->opts.subquery_step_ms;
	if (sub.interval <= 0)
		sub.interval = 60000;
	/* The first step at or after start - offset - range that is a
	 * multiple of the step (Go and C division both truncate). */
	sub.start = (int64_t)((uint64_t)sub.interval *
	    (uint64_t)(first / sub.interval));
	if (sub.start < first)
		sub.start = ev_add(sub.start, sub.interval);
	if (sub.start != ev->start)
		ev_set_offsets(n->x, sub.start);
	if (sub.start > sub.end)
		return 0;
	return ev_eval(&sub, n->x, out);
}

int
ev_eval(struct ev *ev, struct ast_node *n, struct ev_matrix *out)
{
	memset(out, 0, sizeof(*out));
	if (ev_check_done(ev) == -1)
		return -1;
	switch (n->kind) {
	case AST_AGG:
		return ev_aggregate(ev, n, out);
	case AST_CALL:
		return ev_call(ev, n, out);
	case AST_PAREN:
		return ev_eval(ev, n->x, out);
	case AST_UNARY:
		return eval_unary(ev, n, out);
	case AST_BINARY:
		return ev_binary(ev, n, out);
	case AST_NUMBER:
		return ev_range(ev, NULL, 0, NULL, NULL, number_step, n, out);
	case AST_STRING:
		return ev_fail(ev, PROMQL_INTERNAL, "string evaluated as a "
		    "series");
	case AST_VECSEL:
		return ev_vector_selector(ev, n, out);
	case AST_MATSEL:
		return ev_matrix_selector(ev, n, out);
	case AST_SUBQUERY:
		return ev_subquery(ev, n, out);
	case AST_STEPINV:
		return eval_stepinv(ev, n, out);
	}
	return ev_fail(ev, PROMQL_INTERNAL, "unknown node");
}
