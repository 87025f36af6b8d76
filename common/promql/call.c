/*
 * call: function calls, as Prometheus 2.42's engine makes them.  A
 * function of a range vector (a range selector or a subquery argument)
 * runs series by series over a window that slides with the steps; the
 * metric name is dropped from its results (but for last_over_time), and
 * two results with one label set are an error over the whole range.
 * Every other function runs step by step through ev_range.  timestamp()
 * of a plain selector reads the samples' own times.
 */
#include <stdlib.h>
#include <string.h>

#include "promql/eval.h"
#include "promql/func.h"

/* The series a window slides over: from a selector or a subquery. */
struct wsrc {
	const struct promql_lset *ls;
	const struct promql_point *p;
	size_t			 n;
};

/* Drop the parentheses around *np, freeing their nodes. */
static void
unparen_inplace(struct ast_node **np)
{
	while ((*np)->kind == AST_PAREN) {
		struct ast_node *p = *np;

		*np = p->x;
		p->x = NULL;
		ast_free(p);
	}
}

static int
vec_step(struct ev *ev, void *arg, struct ev_vector *in, int64_t ts,
    struct ev_vector *out)
{
	struct ev_call *c = arg;

	return c->node->fn->vec(ev, c, in, ts, out);
}

/* timestamp(selector): the time of each sample found, not the step's. */
static int
timestamp_step(struct ev *ev, void *arg, struct ev_vector *in, int64_t ts,
    struct ev_vector *out)
{
	struct ev_call *c = arg;
	struct ast_node *vs = ast_unparen(ast_unwrap(c->node->args[0]));
	struct ev_vector v = { NULL, 0, 0 };
	int rc = 0;

	(void)in;
	for (size_t i = 0; vs->sel != NULL && i < vs->sel->n && rc == 0; i++) {
		/* With @, Prometheus looks at the @ time itself (its
		 * offset is ignored, issue 8433). */
		int64_t reft = vs->has_at ? vs->at : ev_sub(ts, vs->offset), t;
		double val;

		if (ev_lookup(ev, &vs->sel->s[i], reft, &t, &val))
			rc = ev_vector_add(ev, &v, vs->sel->s[i].ls, t, val);
	}
	if (rc == 0)
		rc = c->node->fn->vec(ev, c, &v, ts, out);
	ev_vector_free(ev, &v);
	return rc;
}

/* absent()'s labels: the selector's equality matchers, unless a name
 * is matched twice (createLabelsForAbsentFunction). */
const struct promql_lset *
ev_absent_labels(struct ev *ev, const struct ast_node *arg)
{
	const struct promql_lset *ls = ev->q->in.empty;
	const struct ast_node *vs = NULL;
	char **empty = NULL;
	size_t nempty = 0;

	if (arg->kind == AST_VECSEL)
		vs = arg;
	else if (arg->kind == AST_MATSEL)
		vs = arg->x;
	if (vs == NULL)
		return ls;
	if ((empty = pool_calloc(&ev->q->pool, vs->nm + 1,
	    sizeof(*empty))) == NULL)
		return NULL;
	for (size_t i = 0; i < vs->nm && ls != NULL; i++) {
		const struct matcher *m = &vs->m[i];
		size_t len = strlen(m->name);

		if (strcmp(m->name, "__name__") == 0)
			continue;
		if (m->type == MATCHER_EQ && lset_get(ls, m->name, len) == NULL)
			ls = lset_set(&ev->q->in, ls, m->name, len, m->value,
			    m->vlen);
		else
			empty[nempty++] = m->name;
	}
	if (ls != NULL)
		ls = lset_drop(&ev->q->in, ls, empty, nempty, 0);
	pool_free(&ev->q->pool, empty);
	return ls;
}

static int
absent_over_time_post(struct ev *ev, struct ast_node *arg,
    struct ev_matrix *mat)
{
	size_t steps = ev_steps(ev);
	const struct promql_lset *ls;
	unsigned char *found;
	struct ev_series *s;
	size_t nfound = 0;

	for (size_t i = 0; i < mat->n; i++)
		if (mat->s[i].n == steps) {
			ev_matrix_free(ev, mat);
			return 0;
		}
	if (steps >= SIZE_MAX / 2 ||
	    (found = pool_calloc(&ev->q->pool, steps + 1, 1)) == NULL)
		return ev_nomem(ev);
	for (size_t i = 0; i < mat->n; i++)
		for (size_t j = 0; j < mat->s[i].n; j++) {
			size_t k = (size_t)(((uint64_t)mat->s[i].p[j].t -
			    (uint64_t)ev->start) / (uint64_t)ev->interval);

			if (!found[k]) {
				found[k] = 1;
				nfound++;
			}
		}
	ev_matrix_free(ev, mat);
	if (nfound == steps) {
		pool_free(&ev->q->pool, found);
		return 0;
	}
	if ((ls = ev_absent_labels(ev, arg)) == NULL ||
	    (s = ev_matrix_add(ev, mat, ls)) == NULL) {
		pool_free(&ev->q->pool, found);
		return ev->q->rc ? -1 : ev_nomem(ev);
	}
	for (size_t k = 0; k < steps; k++)
		if (!found[k] && ev_series_add(ev, s, ev_step_ts(ev, k),
		    1) == -1)
			return -1;
	pool_free(&ev->q->pool, found);
	return 0;
}

/* A function of a range vector: arg mi is a range selector or subquery. */
static int
call_matrix(struct ev *ev, struct ast_node *n, size_t mi,
    struct ast_node *marg, struct ev_matrix *out)
{
	struct ev_query *q = ev->q;
	const struct promql_func *fn = n->fn;
	struct ev_matrix sub = { NULL, 0, 0 }, *others = NULL;
	struct wsrc *src = NULL;
	size_t nsrc = 0, steps, winpts = 0;
	int64_t range, offset;
	double *sargs = NULL;
	int keep_name = strcmp(fn->name, "last_over_time") == 0, dup;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	steps = ev_steps(ev);
	if ((others = pool_calloc(&q->pool, n->nargs, sizeof(*others))) ==
	    NULL || (sargs = pool_calloc(&q->pool, n->nargs,
	    sizeof(*sargs))) == NULL)
		return ev_nomem(ev);
	if (marg->kind == AST_SUBQUERY) {
		if (ev_subquery(ev, marg, &sub) == -1)
			goto out;
		range = marg->range;
		/* The subquery's offset, or with @ one relative to this
		 * evaluation's start (evalSubquery). */
		offset = marg->has_at ? ev_add(marg->orig_offset,
		    ev_sub(ev->start, marg->at)) : marg->offset;
		if (sub.n && (src = pool_calloc(&q->pool, sub.n,
		    sizeof(*src))) == NULL) {
			ev_nomem(ev);
			goto out;
		}
		for (size_t i = 0; i < sub.n; i++)
			src[nsrc++] = (struct wsrc){ sub.s[i].ls, sub.s[i].p,
			    sub.s[i].n };
	} else {
		const struct ast_node *vs = marg->x;

		range = marg->range;
		offset = vs->offset;
		if (vs->sel && vs->sel->n && (src = pool_calloc(&q->pool,
		    vs->sel->n, sizeof(*src))) == NULL) {
			ev_nomem(ev);
			goto out;
		}
		for (size_t i = 0; vs->sel && i < vs->sel->n; i++)
			src[nsrc++] = (struct wsrc){ vs->sel->s[i].ls,
			    vs->sel->s[i].p, vs->sel->s[i].n };
	}
	for (size_t i = 0; i < n->nargs; i++)
		if (i != mi && ev_eval(ev, n->args[i], &others[i]) == -1)
			goto out;
	for (size_t i = 0; i < nsrc; i++) {
		const struct wsrc *s = &src[i];
		const struct promql_lset *ls = s->ls;
		struct ev_series *o = NULL;
		size_t lo = 0, hi = 0;

		if (ev_check_done(ev) == -1)
			goto out;
		q->cur_samples -= winpts;
		winpts = 0;
		if (!keep_name && (ls = lset_drop_name(&q->in, ls)) == NULL) {
			ev_nomem(ev);
			goto out;
		}
		for (size_t step = 0; step < steps; step++) {
			int64_t ts = ev_step_ts(ev, step);
			int64_t maxt = ev_sub(ts, offset);
			int64_t mint = ev_sub(maxt, range);
			struct ev_window w;
			double v;
			int got;

			if (step % 4096 == 4095 && ev_check_done(ev) == -1)
				goto out;
			/* Scalar arguments have a value at every step. */
			for (size_t j = 0; j < n->nargs; j++)
				if (j != mi && others[j].n > 0 &&
				    step < others[j].s[0].n)
					sargs[j] = others[j].s[0].p[step].v;
			while (lo < s->n && s->p[lo].t < mint)
				lo++;
			if (hi < lo)
				hi = lo;
			while (hi < s->n && s->p[hi].t <= maxt)
				hi++;
			q->cur_samples -= winpts;
			winpts = hi - lo;
			q->cur_samples += winpts;
			if (q->cur_samples > q->opts.max_samples) {
				ev_too_many_samples(ev);
				goto out;
			}
			if (hi == lo)
				continue;
			w.p = s->p + lo;
			w.n = hi - lo;
			w.ts = ts;
			w.range = range;
			w.offset = offset;
			w.sargs = sargs;
			w.ls = s->ls;
			if ((got = fn->range(ev, &w, &v)) == -1)
				goto out;
			if (got == 0)
				continue;
			if (o == NULL && (o = ev_matrix_add(ev, out, ls)) ==
			    NULL)
				goto out;
			if (ev_series_add(ev, o, ts, v) == -1)
				goto out;
		}
		if (o != NULL) {
			if (q->cur_samples + o->n > q->opts.max_samples) {
				ev_too_many_samples(ev);
				goto out;
			}
			q->cur_samples += o->n;
		}
	}
	q->cur_samples -= winpts;
	winpts = 0;
	if (strcmp(fn->name, "absent_over_time") == 0) {
		rc = absent_over_time_post(ev, marg, out);
		goto out;
	}
	if (ev_matrix_dup(ev, out, &dup) == -1)
		goto out;
	if (dup) {
		ev_fail(ev, PROMQL_EXEC, "vector cannot contain metrics with "
		    "the same labelset");
		goto out;
	}
	rc = 0;
out:
	q->cur_samples -= winpts;
	if (sub.n)
		q->cur_samples -= ev_matrix_points(&sub) <= q->cur_samples ?
		    ev_matrix_points(&sub) : q->cur_samples;
	ev_matrix_free(ev, &sub);
	for (size_t i = 0; i < n->nargs; i++)
		ev_matrix_free(ev, &others[i]);
	pool_free(&q->pool, others);
	pool_free(&q->pool, sargs);
	pool_free(&q->pool, src);
	return rc;
}

int
ev_call(struct ev *ev, struct ast_node *n, struct ev_matrix *out)
{
	struct ev_call c = { n, NULL, NULL };
	int rc;

	if (strcmp(n->fn->name, "timestamp") == 0 && n->nargs == 1) {
		struct ast_node *arg;

		unparen_inplace(&n->args[0]);
		arg = ast_unparen(ast_unwrap(n->args[0]));
		if (arg->kind == AST_VECSEL)
			return ev_range(ev, NULL, 0, NULL, NULL,
			    timestamp_step, &c, out);
	}
	for (size_t i = 0; i < n->nargs; i++) {
		struct ast_node *a;

		/* Parentheses go, as Prometheus unwraps them in place (up
		 * to the range argument). */
		unparen_inplace(&n->args[i]);
		a = ast_unparen(ast_unwrap(n->args[i]));
		if (a->kind == AST_MATSEL || a->kind == AST_SUBQUERY)
			return call_matrix(ev, n, i, a, out);
	}
	rc = ev_range(ev, n->args, n->nargs, NULL, NULL, vec_step, &c, out);
	if (c.state_free != NULL)
		c.state_free(c.state);
	return rc;
}
