/*
 * promql-test: run Prometheus' PromQL test files (promql/testdata, *.test,
 * format in tests/promql/README.md) against our engine, judging results
 * as Prometheus 2.42's own framework (promql/test.go) does:
 *
 *  - load/clear build an in-memory storage (memstore.h);
 *  - every eval runs as an instant query, then as a range query from
 *    t-1m to t+1m step 1m whose middle step must give the same result
 *    (not for eval_ordered); eval_fail must fail as an instant query;
 *  - if the expression has no function that depends on the evaluation
 *    time, it runs again with @ t on every selector and subquery, at
 *    -10t, 0, t/5, t and 10t (or -1s, 0, 1s when t is 0);
 *  - values match when equal, both NaN, or within a relative 1e-6.
 *
 * One line per failing case ("file:line: why"), a summary per file, and
 * exit status 1 if anything failed.  Cases listed in a skip file
 * ("file.test:line reason") are counted as skipped, never run.
 */
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/io.h"
#include "base/labels.h"
#include "base/parse.h"
#include "promql/ast.h"
#include "promql/func.h"
#include "promql/gofmt.h"
#include "promql/memstore.h"
#include "promql/parse.h"
#include "promql/promql.h"
#include "series/jsonl.h"

#define EXIT_USAGE	2

static int verbose;

/* --- small helpers ------------------------------------------------------- */

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* A label set as one comparable string: name\0value\0... sorted. */
static char *
labels_key(const struct labels *l0)
{
	struct labels l = LABELS_INIT;
	struct buf b = BUF_INIT(BUF_NOMAX);
	char *k;

	if (labels_copy(&l, l0) == -1)
		err(1, "labels");
	labels_sort(&l);
	for (size_t i = 0; i < l.n; i++) {
		if (l.v[i].value.n == 0)
			continue;
		buf_add(&b, l.v[i].name.p, l.v[i].name.n);
		buf_addch(&b, '\0');
		buf_add(&b, l.v[i].value.p, l.v[i].value.n);
		buf_addch(&b, '\0');
	}
	buf_addch(&b, '\1');
	labels_release(&l);
	if ((k = buf_detach(&b, NULL)) == NULL)
		err(1, "labels");
	return k;
}

static int
key_eq(const char *a, const char *b)
{
	for (;; a++, b++) {
		if (*a != *b)
			return 0;
		if (*a == '\1')
			return 1;
	}
}

static void
labels_string(struct buf *b, const struct labels *l)
{
	buf_addch(b, '{');
	for (size_t i = 0; i < l->n; i++) {
		buf_addf(b, "%s%.*s=", i ? ", " : "", (int)l->v[i].name.n,
		    l->v[i].name.p);
		gofmt_quote(b, l->v[i].value.p, l->v[i].value.n);
	}
	buf_addch(b, '}');
}

static int
almost_equal(double a, double b)
{
	const double min_normal = 2.2250738585072014e-308, eps = 0.000001;
	double diff;

	if (isnan(a) && isnan(b))
		return 1;
	if (a == b)
		return 1;
	diff = fabs(a - b);
	if (a == 0 || b == 0 || diff < min_normal)
		return diff < eps * min_normal;
	return diff / (fabs(a) + fabs(b)) < eps;
}

/* --- series descriptions: name{l="v",...} values -------------------------- */

struct sdesc {
	struct labels	 labels;
	char		*strings;	/* owns the label bytes */
	double		*v;
	int		*omitted;
	size_t		 n, cap;
};

static void
sdesc_release(struct sdesc *d)
{
	labels_release(&d->labels);
	free(d->strings);
	free(d->v);
	free(d->omitted);
	memset(d, 0, sizeof(*d));
}

static void
sdesc_push(struct sdesc *d, double v, int omitted)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		d->v = reallocarray(d->v, d->cap, sizeof(*d->v));
		d->omitted = reallocarray(d->omitted, d->cap,
		    sizeof(*d->omitted));
		if (d->v == NULL || d->omitted == NULL)
			err(1, "values");
	}
	d->v[d->n] = v;
	d->omitted[d->n] = omitted;
	d->n++;
}

static int
is_ident(int c)
{
	return isalnum(c) || c == '_' || c == ':';
}

/* A number as the series-description lexer reads it (no hex) and
 * PromQL's parser converts it. */
static const char *
scan_number(const char *p, double *v, char *err)
{
	const char *s = p;

	if (strncasecmp(p, "inf", 3) == 0 && !is_ident(p[3])) {
		*v = INFINITY;
		return p + 3;
	}
	if (strncasecmp(p, "nan", 3) == 0 && !is_ident(p[3])) {
		*v = NAN;
		return p + 3;
	}
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (p == s) {
		errbuf_set(err, "bad number at '%s'", s);
		return NULL;
	}
	if (gofmt_parse_number(s, (size_t)(p - s), v, err) == -1)
		return NULL;
	return p;
}

static const char *
scan_uint(const char *p, uint64_t *n, char *err)
{
	char *end;

	errno = 0;
	*n = strtoull(p, &end, 10);
	if (end == p || errno) {
		errbuf_set(err, "bad repetition at '%s'", p);
		return NULL;
	}
	return end;
}

/* One item of a value sequence. */
static int
parse_item(struct sdesc *d, const char *p, char *err)
{
	double v, step = 0;
	uint64_t times;
	int has_step = 0;

	if (*p == '_') {
		p++;
		if (*p == '\0') {
			sdesc_push(d, 0, 1);
			return 0;
		}
		if (*p++ != 'x' || (p = scan_uint(p, &times, err)) == NULL)
			return errbuf_set(err, "bad blank repetition");
		for (uint64_t i = 0; i < times; i++)
			sdesc_push(d, 0, 1);
		return *p ? errbuf_set(err, "junk after '_'") : 0;
	}
	if (strcmp(p, "stale") == 0) {
		double s;
		uint64_t bits = JSONL_STALE_BITS;

		memcpy(&s, &bits, sizeof(s));
		sdesc_push(d, s, 0);
		return 0;
	}
	if (*p == '+' || *p == '-') {
		int neg = *p == '-';

		if ((p = scan_number(p + 1, &v, err)) == NULL)
			return -1;
		if (neg)
			v = -v;
	} else if ((p = scan_number(p, &v, err)) == NULL) {
		return -1;
	}
	if (*p == '+' || *p == '-') {
		int neg = *p == '-';

		if ((p = scan_number(p + 1, &step, err)) == NULL)
			return -1;
		if (neg)
			step = -step;
		has_step = 1;
	}
	if (*p == '\0' && !has_step) {
		sdesc_push(d, v, 0);
		return 0;
	}
	if (*p++ != 'x' || (p = scan_uint(p, &times, err)) == NULL || *p)
		return errbuf_set(err, "bad value sequence item");
	/* a+bxN: N+1 values, adding b each time as Prometheus does (by
	 * repeated addition, which is what the expected values assume). */
	for (uint64_t i = 0; i <= times; i++) {
		sdesc_push(d, v, 0);
		v += step;
	}
	return 0;
}

static int
parse_sdesc(const char *line, struct sdesc *d, char *errb)
{
	struct labels l = LABELS_INIT;
	struct buf strs = BUF_INIT(BUF_NOMAX);
	const char *p = line, *name = NULL;
	size_t namelen = 0, nstrs = 0;
	char *tmp, *tok, *save;
	size_t *offs = NULL;

	memset(d, 0, sizeof(*d));
	if (is_ident((unsigned char)*p) && !isdigit((unsigned char)*p)) {
		name = p;
		while (is_ident((unsigned char)*p))
			p++;
		namelen = (size_t)(p - name);
	}
	/* Names and values go into one buffer; offsets fix them up. */
	if (name) {
		buf_addstr(&strs, "__name__");
		buf_add(&strs, name, namelen);
		offs = reallocarray(offs, 4, sizeof(*offs));
		offs[0] = 0;
		offs[1] = 8;
		offs[2] = 8;
		offs[3] = 8 + namelen;
		nstrs = 1;
	}
	if (*p == '{') {
		p++;
		for (;;) {
			const char *ln;
			size_t lnlen, qlen, vstart;
			char qerr[ERR_MAX];
			char q;

			while (isspace((unsigned char)*p))
				p++;
			if (*p == '}') {
				p++;
				break;
			}
			ln = p;
			while (isalnum((unsigned char)*p) || *p == '_')
				p++;
			lnlen = (size_t)(p - ln);
			while (isspace((unsigned char)*p))
				p++;
			if (lnlen == 0 || *p++ != '=') {
				errbuf_set(errb, "bad label set in '%s'", line);
				goto fail;
			}
			while (isspace((unsigned char)*p))
				p++;
			q = *p;
			if (q != '"' && q != '\'' && q != '`') {
				errbuf_set(errb, "bad label value in '%s'", line);
				goto fail;
			}
			for (qlen = 1; p[qlen] && p[qlen] != q; qlen++)
				if (p[qlen] == '\\' && q != '`' && p[qlen + 1])
					qlen++;
			if (p[qlen] != q) {
				errbuf_set(errb, "unterminated string in '%s'",
				    line);
				goto fail;
			}
			qlen++;
			offs = reallocarray(offs, (nstrs + 1) * 4,
			    sizeof(*offs));
			offs[nstrs * 4] = strs.len;
			buf_add(&strs, ln, lnlen);
			offs[nstrs * 4 + 1] = strs.len;
			vstart = strs.len;
			if (promql_unquote(p, qlen, &strs, qerr) == -1) {
				errbuf_set(errb, "%s in '%s'", qerr, line);
				goto fail;
			}
			offs[nstrs * 4 + 2] = vstart;
			offs[nstrs * 4 + 3] = strs.len;
			nstrs++;
			p += qlen;
			while (isspace((unsigned char)*p))
				p++;
			if (*p == ',')
				p++;
		}
	}
	d->strings = buf_detach(&strs, NULL);
	for (size_t i = 0; i < nstrs; i++) {
		struct str n = { d->strings + offs[i * 4],
		    offs[i * 4 + 1] - offs[i * 4] };
		struct str v = { d->strings + offs[i * 4 + 2],
		    offs[i * 4 + 3] - offs[i * 4 + 2] };

		labels_add(&l, n, v);
	}
	free(offs);
	offs = NULL;
	labels_sort(&l);
	d->labels = l;
	if ((tmp = strdup(p)) == NULL)
		err(1, "strdup");
	for (tok = strtok_r(tmp, " \t", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t", &save))
		if (parse_item(d, tok, errb) == -1) {
			free(tmp);
			sdesc_release(d);
			return -1;
		}
	free(tmp);
	return 0;
fail:
	free(offs);
	buf_release(&strs);
	labels_release(&l);
	return -1;
}

/* --- one test file --------------------------------------------------------- */

struct expect {
	char		*key;		/* NULL: the scalar */
	struct buf	 text;
	double		 v;
	int		 pos;
};

struct evalcmd {
	const char	*file;
	int		 line;
	char		*expr;
	int64_t		 t;
	int		 fail, ordered;
	struct expect	*exp;
	size_t		 nexp;
};

struct stats {
	int		 passed, failed, skipped;
};

static struct buf failmsg;

static int
failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
failf(const char *fmt, ...)
{
	va_list ap;

	if (failmsg.len > 0)
		return -1;
	va_start(ap, fmt);
	buf_vaddf(&failmsg, fmt, ap);
	va_end(ap);
	return -1;
}

/* compareResult for an instant result (or a range one's middle step). */
static int
compare(const struct evalcmd *c, const struct promql_result *r)
{
	char **seen;
	int rc = 0;

	if (r->type == PROMQL_MATRIX)
		return failf("received range result on instant evaluation");
	if (r->type == PROMQL_STRING)
		return failf("unexpected string result");
	if (r->type == PROMQL_SCALAR) {
		for (size_t i = 0; i < c->nexp; i++)
			if (c->exp[i].key == NULL) {
				if (!almost_equal(c->exp[i].v, r->scalar))
					return failf("expected scalar %.17g "
					    "but got %.17g", c->exp[i].v,
					    r->scalar);
				return 0;
			}
		return failf("got scalar %.17g, expected series", r->scalar);
	}
	if ((seen = calloc(c->nexp + 1, sizeof(*seen))) == NULL)
		err(1, "calloc");
	for (size_t i = 0; i < r->nseries && rc == 0; i++) {
		char *k = labels_key(&r->series[i].labels);
		struct buf lb = BUF_INIT(BUF_NOMAX);
		size_t j;

		labels_string(&lb, &r->series[i].labels);
		for (j = 0; j < c->nexp; j++)
			if (c->exp[j].key && key_eq(c->exp[j].key, k))
				break;
		if (j == c->nexp)
			rc = failf("unexpected metric %s in result", lb.data);
		else if (c->ordered && c->exp[j].pos != (int)i + 1)
			rc = failf("expected metric %s at position %d but "
			    "was at %zu", lb.data, c->exp[j].pos, i + 1);
		else if (!almost_equal(c->exp[j].v, r->series[i].v[0]))
			rc = failf("expected %.17g for %s but got %.17g",
			    c->exp[j].v, lb.data, r->series[i].v[0]);
		else
			seen[j] = k, k = NULL;
		free(k);
		buf_release(&lb);
	}
	for (size_t j = 0; j < c->nexp && rc == 0; j++)
		if (seen[j] == NULL)
			rc = failf("expected metric %s with %.17g not found",
			    c->exp[j].key ? c->exp[j].text.data : "(scalar)",
			    c->exp[j].v);
	for (size_t j = 0; j < c->nexp; j++)
		free(seen[j]);
	free(seen);
	return rc;
}

static struct promql_opts
test_opts(void)
{
	struct promql_opts o = PROMQL_OPTS_INIT;

	/* The test framework's engine: 10000 samples, 100 s, 1m default
	 * subquery step. */
	o.max_samples = 10000;
	o.timeout_ms = 100000;
	o.subquery_step_ms = 60000;
	return o;
}

/* One query at one time: instant, then the range check. */
static int
run_query(const struct evalcmd *c, const char *expr, int64_t t,
    const struct promql_storage *st)
{
	struct promql_opts o = test_opts();
	struct promql_result r = PROMQL_RESULT_INIT, rr = PROMQL_RESULT_INIT;
	struct promql_result mid = PROMQL_RESULT_INIT;
	struct promql_expr *e;
	char e1[ERR_MAX];
	int rc;

	if (promql_parse(expr, &e, e1) != 0)
		return failf("parse %s: %s", expr, e1);
	rc = promql_instant(e, st, t, &o, &r, e1);
	if (rc != 0) {
		promql_expr_free(e);
		if (c->fail)
			return 0;
		return failf("error evaluating query \"%s\": %s", expr, e1);
	}
	if (c->fail) {
		promql_result_release(&r);
		promql_expr_free(e);
		return failf("expected error evaluating query \"%s\" but got "
		    "none", expr);
	}
	if (compare(c, &r) == -1)
		goto out;
	rc = promql_range(e, st, t - 60000, t + 60000, 60000, &o, &rr, e1);
	if (rc != 0) {
		failf("error evaluating query \"%s\" in range mode: %s", expr,
		    e1);
		goto out;
	}
	if (c->ordered)
		goto out;
	/* The middle step, as an instant result of the same type. */
	mid.type = r.type == PROMQL_SCALAR ? PROMQL_SCALAR : PROMQL_VECTOR;
	mid.series = calloc(rr.nseries + 1, sizeof(*mid.series));
	for (size_t i = 0; i < rr.nseries; i++)
		for (size_t j = 0; j < rr.series[i].n; j++)
			if (rr.series[i].t[j] == t) {
				struct promql_series *s =
				    &mid.series[mid.nseries++];

				promql_series_set_labels(s, &rr.series[i].labels);
				s->t = malloc(sizeof(*s->t));
				s->v = malloc(sizeof(*s->v));
				s->t[0] = t;
				s->v[0] = rr.series[i].v[j];
				s->n = 1;
				break;
			}
	if (mid.type == PROMQL_SCALAR) {
		if (mid.nseries == 0) {
			failf("no scalar at the middle step in range mode");
			goto out;
		}
		mid.scalar = mid.series[0].v[0];
	}
	if (compare(c, &mid) == -1) {
		struct buf m = BUF_INIT(BUF_NOMAX);

		buf_addf(&m, "%s (range mode)", failmsg.data);
		buf_reset(&failmsg);
		buf_addstr(&failmsg, m.data);
		buf_release(&m);
	}
out:
	promql_result_release(&mid);
	promql_result_release(&rr);
	promql_result_release(&r);
	promql_expr_free(e);
	return failmsg.len ? -1 : 0;
}

/* atModifierTestCases: @ t on every selector and subquery that has
 * none (not inside subqueries); 0 when a function reads the time. */
static int
set_at(struct ast_node *n, int64_t t)
{
	int unsafe = 0;

	if (n == NULL)
		return 0;
	switch (n->kind) {
	case AST_VECSEL:
		if (n->at_kind == AST_AT_NONE) {
			n->at_kind = AST_AT_TS;
			n->at = t;
			n->has_at = 1;
		}
		return 0;
	case AST_MATSEL:
		return set_at(n->x, t);
	case AST_SUBQUERY:
		if (n->at_kind == AST_AT_NONE) {
			n->at_kind = AST_AT_TS;
			n->at = t;
			n->has_at = 1;
		}
		return 0;
	case AST_CALL:
		unsafe = n->fn->at_unsafe;
		break;
	default:
		break;
	}
	unsafe |= set_at(n->x, t);
	unsafe |= set_at(n->y, t);
	for (size_t i = 0; i < n->nargs; i++)
		unsafe |= set_at(n->args[i], t);
	return unsafe;
}

static int
run_eval(const struct evalcmd *c, const struct promql_storage *st)
{
	struct ast_node *root;
	struct buf b = BUF_INIT(BUF_NOMAX);
	char e1[ERR_MAX];
	int64_t times[5], t = c->t;
	size_t ntimes;

	if (run_query(c, c->expr, c->t, st) == -1)
		return -1;
	if (promql_parse_ast(c->expr, strlen(c->expr), &root, e1) == -1)
		return failf("parse: %s", e1);
	if (set_at(root, t)) {
		ast_free(root);
		return 0;
	}
	promql_print(&b, root);
	ast_free(root);
	if (t == 0) {
		times[0] = -1000, times[1] = 0, times[2] = 1000;
		ntimes = 3;
	} else {
		times[0] = -10 * t, times[1] = 0, times[2] = t / 5;
		times[3] = t, times[4] = 10 * t;
		ntimes = 5;
	}
	for (size_t i = 0; i < ntimes; i++)
		if (run_query(c, b.data, times[i], st) == -1) {
			struct buf m = BUF_INIT(BUF_NOMAX);

			buf_addf(&m, "%s [@ variant at %lld ms]", failmsg.data,
			    (long long)times[i]);
			buf_reset(&failmsg);
			buf_addstr(&failmsg, m.data);
			buf_release(&m);
			buf_release(&b);
			return -1;
		}
	buf_release(&b);
	return 0;
}

static char **skips;
static size_t nskips;

static const char *
skipped(const char *file, int line)
{
	const char *base = strrchr(file, '/');
	char key[512];

	base = base ? base + 1 : file;
	snprintf(key, sizeof(key), "%s:%d", base, line);
	for (size_t i = 0; i < nskips; i++) {
		size_t n = strlen(key);

		if (strncmp(skips[i], key, n) == 0 &&
		    (skips[i][n] == ' ' || skips[i][n] == '\t' ||
		    skips[i][n] == '\0'))
			return skips[i] + n;
	}
	return NULL;
}

static void
load_skips(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;

	if (f == NULL)
		err(1, "%s", path);
	while (getline(&line, &cap, f) != -1) {
		char *s = trim(line);

		if (*s == '\0' || *s == '#')
			continue;
		skips = reallocarray(skips, nskips + 1, sizeof(*skips));
		if (skips == NULL || (skips[nskips++] = strdup(s)) == NULL)
			err(1, "skip list");
	}
	free(line);
	fclose(f);
}

/* A load command's definitions: later lines replace earlier ones. */
struct loaddef {
	struct sdesc	*d;
	char		**keys;
	size_t		 n;
};

static void
apply_load(struct memstore *ms, struct loaddef *ld, int64_t gap)
{
	for (size_t i = 0; i < ld->n; i++) {
		struct sdesc *d = &ld->d[i];
		int64_t *t = calloc(d->n + 1, sizeof(*t));
		double *v = calloc(d->n + 1, sizeof(*v));
		size_t k = 0;

		if (t == NULL || v == NULL)
			err(1, "load");
		for (size_t j = 0; j < d->n; j++) {
			if (d->omitted[j])
				continue;
			t[k] = (int64_t)j * gap;
			v[k++] = d->v[j];
		}
		if (memstore_add(ms, &d->labels, t, v, k) == -1)
			err(1, "load");
		free(t);
		free(v);
		sdesc_release(d);
		free(ld->keys[i]);
	}
	free(ld->d);
	free(ld->keys);
	memset(ld, 0, sizeof(*ld));
}

static void
free_eval(struct evalcmd *c)
{
	for (size_t i = 0; i < c->nexp; i++) {
		free(c->exp[i].key);
		buf_release(&c->exp[i].text);
	}
	free(c->exp);
	free(c->expr);
}

/* strconv.ParseInt(s, 0, 64), then ParseFloat: a bare scalar line. */
static int
parse_scalar_line(const char *s, double *v)
{
	char e1[ERR_MAX];

	return gofmt_parse_number(s, strlen(s), v, e1);
}

static int
run_file(const char *path, struct stats *st)
{
	FILE *f = fopen(path, "r");
	struct memstore ms = MEMSTORE_INIT;
	struct promql_storage stor = memstore_storage(&ms);
	char **lines = NULL, *line = NULL;
	size_t nlines = 0, cap = 0;

	if (f == NULL) {
		warn("%s", path);
		return -1;
	}
	while (getline(&line, &cap, f) != -1) {
		char *s = trim(line);

		if (*s == '#')
			*s = '\0';
		lines = reallocarray(lines, nlines + 1, sizeof(*lines));
		if (lines == NULL || (lines[nlines++] = strdup(s)) == NULL)
			err(1, "read %s", path);
	}
	free(line);
	fclose(f);
	for (size_t i = 0; i < nlines; i++) {
		char *l = lines[i], e1[ERR_MAX];

		if (*l == '\0')
			continue;
		if (strcmp(l, "clear") == 0) {
			memstore_clear(&ms);
			continue;
		}
		if (strncmp(l, "load", 4) == 0 && isspace((unsigned char)l[4])) {
			struct loaddef ld = { NULL, NULL, 0 };
			int64_t gap;

			if (parse_duration(trim(l + 4), &gap, e1) == -1)
				errx(1, "%s:%zu: %s", path, i + 1, e1);
			while (i + 1 < nlines && *lines[i + 1] != '\0') {
				struct sdesc d;
				char *k;
				size_t j;

				i++;
				if (parse_sdesc(lines[i], &d, e1) == -1)
					errx(1, "%s:%zu: %s", path, i + 1, e1);
				k = labels_key(&d.labels);
				for (j = 0; j < ld.n; j++)
					if (key_eq(ld.keys[j], k))
						break;
				if (j < ld.n) {
					sdesc_release(&ld.d[j]);
					free(ld.keys[j]);
				} else {
					ld.d = reallocarray(ld.d, ld.n + 1,
					    sizeof(*ld.d));
					ld.keys = reallocarray(ld.keys, ld.n + 1,
					    sizeof(*ld.keys));
					if (ld.d == NULL || ld.keys == NULL)
						err(1, "load");
					j = ld.n++;
				}
				ld.d[j] = d;
				ld.keys[j] = k;
			}
			apply_load(&ms, &ld, gap);
			continue;
		}
		if (strncmp(l, "eval", 4) == 0) {
			struct evalcmd c;
			const char *why;
			char *p = l + 4, *at;
			int64_t t;

			memset(&c, 0, sizeof(c));
			c.file = path;
			c.line = (int)i + 1;
			if (strncmp(p, "_fail", 5) == 0)
				c.fail = 1, p += 5;
			else if (strncmp(p, "_ordered", 8) == 0)
				c.ordered = 1, p += 8;
			p = trim(p);
			if (strncmp(p, "instant", 7) != 0)
				errx(1, "%s:%zu: only instant evaluations are "
				    "known", path, i + 1);
			p = trim(p + 7);
			if (strncmp(p, "at", 2) != 0 ||
			    !isspace((unsigned char)p[2]))
				errx(1, "%s:%zu: eval needs 'at'", path, i + 1);
			at = trim(p + 2);
			for (p = at; *p && !isspace((unsigned char)*p); p++)
				;
			*p++ = '\0';
			if (parse_duration(at, &t, e1) == -1)
				errx(1, "%s:%zu: %s", path, i + 1, e1);
			c.t = t;
			if ((c.expr = strdup(trim(p))) == NULL)
				err(1, "strdup");
			for (int j = 1; i + 1 < nlines && *lines[i + 1] != '\0';
			    j++) {
				struct expect *x;
				struct sdesc d;
				double v;

				i++;
				c.exp = reallocarray(c.exp, c.nexp + 1,
				    sizeof(*c.exp));
				if (c.exp == NULL)
					err(1, "expect");
				x = &c.exp[c.nexp++];
				memset(x, 0, sizeof(*x));
				buf_init(&x->text, BUF_NOMAX);
				x->pos = j;
				if (parse_scalar_line(lines[i], &v) == 0) {
					x->v = v;
					x->pos = 0;
					break;
				}
				if (parse_sdesc(lines[i], &d, e1) == -1)
					errx(1, "%s:%zu: %s", path, i + 1, e1);
				if (d.n != 1)
					errx(1, "%s:%zu: expecting multiple "
					    "values in instant evaluation not "
					    "allowed", path, i + 1);
				x->key = labels_key(&d.labels);
				labels_string(&x->text, &d.labels);
				x->v = d.v[0];
				sdesc_release(&d);
			}
			if ((why = skipped(path, c.line)) != NULL) {
				if (verbose)
					printf("%s:%d: skipped:%s\n", path,
					    c.line, why);
				st->skipped++;
			} else {
				buf_reset(&failmsg);
				if (run_eval(&c, &stor) == -1) {
					printf("%s:%d: %s: %s\n", path, c.line,
					    c.expr, failmsg.data);
					st->failed++;
				} else {
					if (verbose)
						printf("%s:%d: ok\n", path,
						    c.line);
					st->passed++;
				}
			}
			free_eval(&c);
			continue;
		}
		errx(1, "%s:%zu: invalid command \"%s\"", path, i + 1, l);
	}
	for (size_t i = 0; i < nlines; i++)
		free(lines[i]);
	free(lines);
	memstore_clear(&ms);
	return 0;
}

static void __attribute__((noreturn))
usage(FILE *fp, int status)
{
	fprintf(fp, "usage: %s [-v] [--skip FILE] file.test...\n",
	    program_invocation_short_name);
	exit(status);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "skip", required_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	int ch, failed = 0;

	while ((ch = getopt_long(argc, argv, "hs:v", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout, EXIT_SUCCESS);
		case 's':
			load_skips(optarg);
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			usage(stderr, EXIT_USAGE);
		}
	}
	if (optind == argc)
		usage(stderr, EXIT_USAGE);
	buf_init(&failmsg, BUF_NOMAX);
	for (int i = optind; i < argc; i++) {
		struct stats st = { 0, 0, 0 };

		if (run_file(argv[i], &st) == -1)
			failed = 1;
		printf("%s: %d passed, %d failed, %d skipped\n", argv[i],
		    st.passed, st.failed, st.skipped);
		if (st.failed)
			failed = 1;
	}
	buf_release(&failmsg);
	for (size_t i = 0; i < nskips; i++)
		free(skips[i]);
	free(skips);
	if (io_close_stdout() == -1)
		return EXIT_FAILURE;
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
