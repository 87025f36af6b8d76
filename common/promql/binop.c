/*
 * binop: binary operators, as Prometheus 2.42's engine applies them:
 * between scalars, between a vector and a scalar, and between vectors
 * with one-to-one, many-to-one (group_left), one-to-many (group_right)
 * and set (and, or, unless) matching on a signature of on()/ignoring()
 * labels.  The signature is an interned label set, so matching is a
 * pointer lookup.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "promql/eval.h"

/* +, -, *, /, ^, % drop the metric name; comparisons and atan2 keep it. */
static int
drops_name(enum promql_tok op)
{
	return op == TOK_ADD || op == TOK_SUB || op == TOK_MUL ||
	    op == TOK_DIV || op == TOK_POW || op == TOK_MOD;
}

/* vectorElemBinop: the value, and whether a comparison keeps it. */
static double
elem(enum promql_tok op, double l, double r, int *keep)
{
	*keep = 1;
	switch (op) {
	case TOK_ADD: return l + r;
	case TOK_SUB: return l - r;
	case TOK_MUL: return l * r;
	case TOK_DIV: return l / r;
	case TOK_POW: return ev_go_pow(l, r);
	case TOK_MOD: return fmod(l, r);
	case TOK_ATAN2: return atan2(l, r);
	case TOK_EQLC: *keep = l == r; return l;
	case TOK_NEQ: *keep = l != r; return l;
	case TOK_GTR: *keep = l > r; return l;
	case TOK_LSS: *keep = l < r; return l;
	case TOK_GTE: *keep = l >= r; return l;
	case TOK_LTE: *keep = l <= r; return l;
	default: return NAN;
	}
}

static int
scalar_step(struct ev *ev, void *arg, struct ev_vector *in, int64_t ts,
    struct ev_vector *out)
{
	const struct ast_node *n = arg;
	double l, r, v;
	int keep;

	if (in[0].n == 0 || in[1].n == 0)
		return 0;
	l = in[0].s[0].v;
	r = in[1].s[0].v;
	v = elem(n->op, l, r, &keep);
	/* Between scalars a comparison is always "bool". */
	if (promql_tok_is_comparison(n->op))
		v = keep ? 1 : 0;
	return ev_vector_add(ev, out, ev->q->in.empty, ts, v);
}

/* Vector op scalar (swap: scalar op vector). */
static int
vs_step(struct ev *ev, const struct ast_node *n, struct ev_vector *vec,
    double s, int swap, int64_t ts, struct ev_vector *out)
{
	for (size_t i = 0; i < vec->n; i++) {
		const struct promql_lset *ls = vec->s[i].ls;
		double l = vec->s[i].v, r = s, v;
		int keep;

		if (swap)
			l = s, r = vec->s[i].v;
		v = elem(n->op, l, r, &keep);
		/* A comparison keeps the vector's value, even on the
		 * right. */
		if (promql_tok_is_comparison(n->op) && swap)
			v = r;
		if (n->ret_bool) {
			v = keep ? 1 : 0;
			keep = 1;
		}
		if (!keep)
			continue;
		if ((drops_name(n->op) || n->ret_bool) &&
		    (ls = lset_drop_name(&ev->q->in, ls)) == NULL)
			return ev_nomem(ev);
		if (ev_vector_add(ev, out, ls, ts, v) == -1)
			return -1;
	}
	return 0;
}

static int
vector_scalar_step(struct ev *ev, void *arg, struct ev_vector *in,
    int64_t ts, struct ev_vector *out)
{
	if (in[1].n == 0)
		return 0;
	return vs_step(ev, arg, &in[0], in[1].s[0].v, 0, ts, out);
}

static int
scalar_vector_step(struct ev *ev, void *arg, struct ev_vector *in,
    int64_t ts, struct ev_vector *out)
{
	if (in[0].n == 0)
		return 0;
	return vs_step(ev, arg, &in[1], in[0].s[0].v, 1, ts, out);
}

/* The matching signature of a series: on() labels, or all but the
 * ignoring() ones and the name. */
static int
signature(struct ev *ev, void *arg, size_t argi,
    const struct promql_lset *ls, const void **aux)
{
	const struct ast_node *n = arg;

	(void)argi;
	*aux = n->on ? lset_keep(&ev->q->in, ls, n->mlabels, n->nmlabels) :
	    lset_drop(&ev->q->in, ls, n->mlabels, n->nmlabels, 1);
	return *aux == NULL ? ev_nomem(ev) : 0;
}

static int
set_step(struct ev *ev, void *arg, struct ev_vector *in, int64_t ts,
    struct ev_vector *out)
{
	const struct ast_node *n = arg;
	struct ev_vector *l = &in[0], *r = &in[1];
	struct pmap sigs;
	size_t x;
	int rc = 0;

	(void)ts;
	if (n->op == TOK_LAND && (l->n == 0 || r->n == 0))
		return 0;
	if ((n->op == TOK_LOR && (l->n == 0 || r->n == 0)) ||
	    (n->op == TOK_LUNLESS && (l->n == 0 || r->n == 0))) {
		const struct ev_vector *all = n->op == TOK_LOR && l->n == 0 ?
		    r : l;

		for (size_t i = 0; i < all->n; i++)
			if (ev_vector_add(ev, out, all->s[i].ls, all->s[i].t,
			    all->s[i].v) == -1)
				return -1;
		return 0;
	}
	pmap_init(&sigs, &ev->q->pool);
	if (n->op == TOK_LOR) {
		for (size_t i = 0; i < l->n && rc == 0; i++)
			if (pmap_put(&sigs, l->s[i].aux, i) == -1 ||
			    ev_vector_add(ev, out, l->s[i].ls, l->s[i].t,
			    l->s[i].v) == -1)
				rc = -1;
		for (size_t i = 0; i < r->n && rc == 0; i++)
			if (!pmap_get(&sigs, r->s[i].aux, &x) &&
			    ev_vector_add(ev, out, r->s[i].ls, r->s[i].t,
			    r->s[i].v) == -1)
				rc = -1;
	} else {
		for (size_t i = 0; i < r->n && rc == 0; i++)
			if (pmap_put(&sigs, r->s[i].aux, i) == -1)
				rc = -1;
		for (size_t i = 0; i < l->n && rc == 0; i++)
			if (pmap_get(&sigs, l->s[i].aux, &x) ==
			    (n->op == TOK_LAND) &&
			    ev_vector_add(ev, out, l->s[i].ls, l->s[i].t,
			    l->s[i].v) == -1)
				rc = -1;
	}
	pmap_release(&sigs);
	return rc == -1 ? (ev->q->rc ? -1 : ev_nomem(ev)) : 0;
}

/* resultMetric: the labels of a matched pair; l is the "many" side. */
static const struct promql_lset *
result_metric(struct ev *ev, const struct ast_node *n,
    const struct promql_lset *l, const struct promql_lset *r)
{
	struct lset_interner *in = &ev->q->in;
	const struct promql_lset *m = l;

	if (drops_name(n->op))
		m = lset_drop_name(in, m);
	if (m != NULL && n->card == AST_ONE_TO_ONE)
		m = n->on ? lset_keep(in, m, n->mlabels, n->nmlabels) :
		    lset_drop(in, m, n->mlabels, n->nmlabels, 0);
	for (size_t i = 0; m != NULL && i < n->ninclude; i++) {
		const char *name = n->include[i];
		const struct str *v = lset_get(r, name, strlen(name));

		m = lset_set(in, m, name, strlen(name), v ? v->p : "",
		    v ? v->n : 0);
	}
	return m;
}

static int
dup_error(struct ev *ev, const struct ast_node *n, const struct ev_sample *rs,
    const struct ev_sample *dupl)
{
	struct buf b = BUF_INIT(ERR_MAX - 1);
	int rc;

	buf_addstr(&b, "found duplicate series for the match group ");
	lset_format(&b, rs->aux);
	buf_addf(&b, " on the %s hand-side of the operation: [",
	    n->card == AST_ONE_TO_MANY ? "left" : "right");
	lset_format(&b, rs->ls);
	buf_addstr(&b, ", ");
	lset_format(&b, dupl->ls);
	buf_addstr(&b, "];many-to-many matching not allowed: matching labels "
	    "must be unique on one side");
	rc = ev_fail(ev, PROMQL_EXEC, "%s", b.data ? b.data : "duplicate");
	buf_release(&b);
	return rc;
}

static int
vector_step(struct ev *ev, void *arg, struct ev_vector *in, int64_t ts,
    struct ev_vector *out)
{
	const struct ast_node *n = arg;
	struct ev_vector *l = &in[0], *r = &in[1];
	struct pmap right, matched, inserted;
	size_t x;
	int rc = -1;

	if (l->n == 0 || r->n == 0)
		return 0;
	/* One-to-many is many-to-one with the sides swapped. */
	if (n->card == AST_ONE_TO_MANY) {
		struct ev_vector *t = l;

		l = r;
		r = t;
	}
	pmap_init(&right, &ev->q->pool);
	pmap_init(&matched, &ev->q->pool);
	pmap_init(&inserted, &ev->q->pool);
	for (size_t i = 0; i < r->n; i++) {
		if (pmap_get(&right, r->s[i].aux, &x)) {
			dup_error(ev, n, &r->s[i], &r->s[x]);
			goto out;
		}
		if (pmap_put(&right, r->s[i].aux, i) == -1) {
			ev_nomem(ev);
			goto out;
		}
	}
	for (size_t i = 0; i < l->n; i++) {
		const struct ev_sample *ls = &l->s[i], *rs;
		const struct promql_lset *m;
		double vl, vr, v;
		int keep;

		if (!pmap_get(&right, ls->aux, &x))
			continue;
		rs = &r->s[x];
		vl = ls->v;
		vr = rs->v;
		if (n->card == AST_ONE_TO_MANY)
			vl = rs->v, vr = ls->v;
		v = elem(n->op, vl, vr, &keep);
		if (n->ret_bool)
			v = keep ? 1 : 0;
		else if (!keep)
			continue;
		if ((m = result_metric(ev, n, ls->ls, rs->ls)) == NULL ||
		    (n->ret_bool &&
		    (m = lset_drop_name(&ev->q->in, m)) == NULL)) {
			ev_nomem(ev);
			goto out;
		}
		if (n->card == AST_ONE_TO_ONE) {
			if (pmap_get(&matched, ls->aux, &x)) {
				ev_fail(ev, PROMQL_EXEC, "multiple matches for "
				    "labels: many-to-one matching must be "
				    "explicit (group_left/group_right)");
				goto out;
			}
			if (pmap_put(&matched, ls->aux, 0) == -1) {
				ev_nomem(ev);
				goto out;
			}
		} else {
			/* Within one match group the result labels must
			 * differ. */
			if (pmap_get(&inserted, m, &x) &&
			    x == (size_t)(uintptr_t)ls->aux) {
				ev_fail(ev, PROMQL_EXEC, "multiple matches for "
				    "labels: grouping labels must ensure "
				    "unique matches");
				goto out;
			}
			if (pmap_put(&inserted, m,
			    (size_t)(uintptr_t)ls->aux) == -1) {
				ev_nomem(ev);
				goto out;
			}
		}
		if (ev_vector_add(ev, out, m, ts, v) == -1)
			goto out;
	}
	rc = 0;
out:
	pmap_release(&right);
	pmap_release(&matched);
	pmap_release(&inserted);
	return rc;
}

int
ev_binary(struct ev *ev, struct ast_node *n, struct ev_matrix *out)
{
	enum promql_vtype lt = ast_type(n->x), rt = ast_type(n->y);
	struct ast_node *args[2] = { n->x, n->y };

	if (lt == PROMQL_SCALAR && rt == PROMQL_SCALAR)
		return ev_range(ev, args, 2, NULL, NULL, scalar_step, n, out);
	if (lt == PROMQL_VECTOR && rt == PROMQL_VECTOR)
		return ev_range(ev, args, 2, signature, n,
		    promql_tok_is_setop(n->op) ? set_step : vector_step, n,
		    out);
	if (lt == PROMQL_VECTOR)
		return ev_range(ev, args, 2, NULL, NULL, vector_scalar_step, n,
		    out);
	return ev_range(ev, args, 2, NULL, NULL, scalar_vector_step, n, out);
}
