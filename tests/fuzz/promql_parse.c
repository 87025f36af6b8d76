/*
 * Fuzz the PromQL parser, printer and evaluator.  Whatever parses must
 * print as text that parses again to an expression of the same type (the
 * printer's output is what Prometheus' test framework re-parses; it is
 * not always the same text again: "+Inf ^ 2" prints with one more "+",
 * in Prometheus too, as the number's "+" turns into a unary plus); and
 * evaluating
 * it, at an instant and over a short range, against two small series,
 * must end (within a timeout) with a result or an error, never a crash
 * or a leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "promql/memstore.h"
#include "promql/promql.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct memstore store = MEMSTORE_INIT;

static void
load(void)
{
	static const int64_t t[] = { 0, 15000, 30000, 45000, 60000, 75000 };
	static const double v[] = { 1, 2, 3, 0, 5, 8 };
	struct labels l = LABELS_INIT;

	labels_add(&l, STR("__name__"), STR("up"));
	labels_add(&l, STR("job"), STR("a"));
	memstore_add(&store, &l, t, v, 6);
	l.v[1].value = STR("b");
	memstore_add(&store, &l, t, v, 4);
	labels_release(&l);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct promql_storage st;
	struct promql_opts o = PROMQL_OPTS_INIT;
	struct promql_result r = PROMQL_RESULT_INIT;
	struct promql_expr *e, *e2;
	struct buf b1 = BUF_INIT(BUF_NOMAX), b2 = BUF_INIT(BUF_NOMAX);
	char err[ERR_MAX], *q;

	if (store.n == 0)
		load();
	st = memstore_storage(&store);
	if ((q = malloc(size + 1)) == NULL)
		return 0;
	memcpy(q, data, size);
	q[size] = '\0';
	if (promql_parse(q, &e, err) != 0) {
		free(q);
		return 0;
	}
	if (promql_expr_string(e, &b1) == -1 ||
	    promql_parse(b1.data, &e2, err) != 0)
		abort();
	if (promql_expr_type(e2) != promql_expr_type(e) ||
	    promql_expr_string(e2, &b2) == -1)
		abort();
	o.timeout_ms = 200;
	o.max_samples = 100000;
	if (promql_instant(e, &st, 60000, &o, &r, err) == 0) {
		struct buf j = BUF_INIT(BUF_NOMAX);

		if (promql_result_json(&r, &j) == -1)
			abort();
		buf_release(&j);
	}
	promql_result_release(&r);
	if (promql_range(e, &st, 0, 90000, 15000, &o, &r, err) == 0 &&
	    r.type != PROMQL_MATRIX)
		abort();
	promql_result_release(&r);
	promql_expr_free(e);
	promql_expr_free(e2);
	buf_release(&b1);
	buf_release(&b2);
	free(q);
	return 0;
}
