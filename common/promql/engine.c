/*
 * engine: the public entry points (promql.h): parse, evaluate at an
 * instant or over a range, and turn the evaluator's matrix into the
 * result Prometheus' API returns, as execEvalStmt does.
 */
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "promql/eval.h"
#include "promql/parse.h"

const char *
promql_errtype(int rc)
{
	switch (rc) {
	case PROMQL_BAD_DATA: return "bad_data";
	case PROMQL_EXEC: return "execution";
	case PROMQL_TIMEOUT: return "timeout";
	case PROMQL_CANCELED: return "canceled";
	default: return "internal";
	}
}

int
promql_http_status(int rc)
{
	switch (rc) {
	case PROMQL_OK: return 200;
	case PROMQL_BAD_DATA: return 400;
	case PROMQL_EXEC: return 422;
	case PROMQL_TIMEOUT:
	case PROMQL_CANCELED: return 503;
	default: return 500;
	}
}

int
promql_parse(const char *query, struct promql_expr **out, char *err)
{
	struct promql_expr *e = calloc(1, sizeof(*e));

	*out = NULL;
	if (e == NULL || (e->query = strdup(query)) == NULL) {
		free(e);
		errbuf_set(err, "out of memory");
		return PROMQL_INTERNAL;
	}
	if (promql_parse_ast(e->query, strlen(e->query), &e->root, err) ==
	    -1) {
		promql_expr_free(e);
		return PROMQL_BAD_DATA;
	}
	*out = e;
	return 0;
}

void
promql_expr_free(struct promql_expr *e)
{
	if (e == NULL)
		return;
	ast_free(e->root);
	free(e->query);
	free(e);
}

enum promql_vtype
promql_expr_type(const struct promql_expr *e)
{
	return ast_type(e->root);
}

int
promql_expr_string(const struct promql_expr *e, struct buf *b)
{
	return promql_print(b, e->root);
}

/* --- series and results ---------------------------------------------------- */

int
promql_series_set_labels(struct promql_series *s, const struct labels *l)
{
	struct labels sorted = LABELS_INIT;
	size_t bytes = 0;
	char *p;

	for (size_t i = 0; i < l->n; i++)
		bytes += l->v[i].name.n + l->v[i].value.n;
	if (labels_copy(&sorted, l) == -1)
		return -1;
	labels_sort(&sorted);
	if ((p = malloc(bytes + 1)) == NULL) {
		labels_release(&sorted);
		return -1;
	}
	labels_release(&s->labels);
	free(s->strings);
	s->strings = p;
	for (size_t i = 0; i < sorted.n; i++) {
		memcpy(p, sorted.v[i].name.p, sorted.v[i].name.n);
		sorted.v[i].name.p = p;
		p += sorted.v[i].name.n;
		memcpy(p, sorted.v[i].value.p, sorted.v[i].value.n);
		sorted.v[i].value.p = p;
		p += sorted.v[i].value.n;
	}
	s->labels = sorted;
	return 0;
}

void
promql_series_free(struct promql_series *s, size_t n)
{
	for (size_t i = 0; s != NULL && i < n; i++) {
		labels_release(&s[i].labels);
		free(s[i].strings);
		free(s[i].t);
		free(s[i].v);
	}
	free(s);
}

void
promql_result_release(struct promql_result *r)
{
	promql_series_free(r->series, r->nseries);
	free(r->string);
	memset(r, 0, sizeof(*r));
}

static int
cmp_series(const void *a, const void *b)
{
	const struct ev_series *x = a, *y = b;

	return lset_cmp(x->ls, y->ls);
}

/* Copy the evaluator's matrix out of the query's pool. */
static int
to_result(const struct ev_matrix *m, int vector, int64_t t,
    struct promql_result *res)
{
	if (m->n == 0)
		return 0;
	if ((res->series = calloc(m->n, sizeof(*res->series))) == NULL)
		return -1;
	for (size_t i = 0; i < m->n; i++) {
		const struct ev_series *s = &m->s[i];
		struct promql_series *o = &res->series[res->nseries++];
		struct labels l;
		size_t n = vector ? 1 : s->n;

		lset_view(s->ls, &l);
		if (promql_series_set_labels(o, &l) == -1 ||
		    (o->t = malloc((n ? n : 1) * sizeof(*o->t))) == NULL ||
		    (o->v = malloc((n ? n : 1) * sizeof(*o->v))) == NULL)
			return -1;
		for (size_t j = 0; j < n; j++) {
			/* A vector's samples all carry the evaluation time
			 * (Prometheus forces it). */
			o->t[j] = vector ? t : s->p[j].t;
			o->v[j] = s->p[j].v;
		}
		o->n = n;
	}
	return 0;
}

static int
run(const struct promql_expr *e, const struct promql_storage *st,
    int64_t start, int64_t end, int64_t interval, int instant,
    const struct promql_opts *opts, struct promql_result *res, char *err)
{
	static const struct promql_opts defaults = PROMQL_OPTS_INIT;
	struct ev_query q;
	struct ev ev;
	struct ev_matrix m = { NULL, 0, 0 };
	struct ast_node *root;
	enum promql_vtype type = ast_type(e->root);
	int rc = 0;

	memset(res, 0, sizeof(*res));
	memset(&q, 0, sizeof(q));
	q.st = st;
	q.opts = opts ? *opts : defaults;
	q.err = err;
	if (q.opts.timeout_ms > 0)
		q.deadline = clock_mono_ms() + q.opts.timeout_ms;
	ev.q = &q;
	ev.start = start;
	ev.end = end;
	ev.interval = interval;
	if ((root = ast_clone(e->root)) == NULL) {
		errbuf_set(err, "out of memory");
		return PROMQL_INTERNAL;
	}
	if ((root = ev_preprocess(root, start, end)) == NULL) {
		errbuf_set(err, "out of memory");
		return PROMQL_INTERNAL;
	}
	if (lset_init(&q.in, &q.pool) == -1) {
		ev_nomem(&ev);
		goto out;
	}
	ev_set_offsets(root, start);
	if (ev_select_all(&ev, root) == -1)
		goto out;
	if (type == PROMQL_STRING) {
		const struct ast_node *s = ast_unparen(ast_unwrap(root));

		res->type = PROMQL_STRING;
		res->t = start;
		if ((res->string = malloc(s->slen + 1)) == NULL) {
			ev_nomem(&ev);
			goto out;
		}
		memcpy(res->string, s->str, s->slen + 1);
		res->slen = s->slen;
		goto out;
	}
	if (ev_eval(&ev, root, &m) == -1)
		goto out;
	if (!instant) {
		if (m.n > 1)
			qsort(m.s, m.n, sizeof(*m.s), cmp_series);
		res->type = PROMQL_MATRIX;
		if (to_result(&m, 0, start, res) == -1)
			ev_nomem(&ev);
		goto out;
	}
	res->type = type;
	res->t = start;
	switch (type) {
	case PROMQL_SCALAR:
		res->scalar = m.n && m.s[0].n ? m.s[0].p[0].v : 0;
		break;
	case PROMQL_VECTOR:
	case PROMQL_MATRIX:
		if (to_result(&m, type == PROMQL_VECTOR, start, res) == -1)
			ev_nomem(&ev);
		break;
	default:
		break;
	}
out:
	rc = q.rc;
	if (rc != 0)
		promql_result_release(res);
	ast_free(root);
	pool_release(&q.pool);
	return rc;
}

int
promql_instant(const struct promql_expr *e, const struct promql_storage *st,
    int64_t t, const struct promql_opts *opts, struct promql_result *res,
    char *err)
{
	/* An instant query is a one-step range with interval 1, as in
	 * Prometheus. */
	return run(e, st, t, t, 1, 1, opts, res, err);
}

int
promql_range(const struct promql_expr *e, const struct promql_storage *st,
    int64_t start, int64_t end, int64_t step, const struct promql_opts *opts,
    struct promql_result *res, char *err)
{
	enum promql_vtype t = ast_type(e->root);

	memset(res, 0, sizeof(*res));
	if (t != PROMQL_VECTOR && t != PROMQL_SCALAR) {
		errbuf_set(err, "invalid expression type \"%s\" for range "
		    "query, must be Scalar or instant Vector",
		    ast_type_doc(t));
		return PROMQL_BAD_DATA;
	}
	if (step <= 0) {
		errbuf_set(err, "zero or negative query resolution step "
		    "widths are not accepted. Try a positive integer");
		return PROMQL_BAD_DATA;
	}
	if (end < start) {
		errbuf_set(err, "end timestamp must not be before start time");
		return PROMQL_BAD_DATA;
	}
	return run(e, st, start, end, step, 0, opts, res, err);
}
