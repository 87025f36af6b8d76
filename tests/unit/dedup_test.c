#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errbuf.h"
#include "series/dedup.h"
#include "unit.h"

/* Timestamps in seconds (x1000), values = replica number. */
static struct dedup_out out;

static void
run(enum dedup_func f, const double *a, size_t na, const double *b,
    size_t nb)
{
	int64_t ta[64], tb[64];
	double va[64], vb[64];
	struct dedup_replica r[2];

	for (size_t i = 0; i < na; i++)
		ta[i] = (int64_t)llround(a[i] * 1000), va[i] = 1;
	for (size_t i = 0; i < nb; i++)
		tb[i] = (int64_t)llround(b[i] * 1000), vb[i] = 2;
	r[0] = (struct dedup_replica){ ta, va, na };
	r[1] = (struct dedup_replica){ tb, vb, nb };
	CHECK_INT(dedup_merge(f, r, 2, &out), 0);
}

static int
same(const double *want, size_t n)
{
	if (out.n != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (out.t[i] != (int64_t)llround(want[i] * 1000))
			return 0;
	return 1;
}

#define N(a)	(sizeof(a) / sizeof((a)[0]))

/* Thanos' own vectors (iter_test.go TestDedupSeriesIterator) and the
 * worked example of thanos-notes.md 5.3, for the penalty function. */
static void
test_penalty(void)
{
	static const double a1[] = { 10, 20, 30, 40 };
	static const double b2[] = { 10.1, 20.1, 30.1, 40.1 };
	static const double a3[] = { 10, 20, 40 };
	static const double b4[] = { 15, 25, 35, 45 };
	static const double a5[] = { 10, 20, 30, 60, 70 };
	static const double b5[] = { 10.1, 20.1, 30.1, 40.1, 50.1, 60.1 };
	static const double w5[] = { 10, 20, 30, 50.1, 60.1 };
	static const double ea[] = { 0, 15, 30, 45, 105, 120, 135, 150, 165,
	    180 };
	static const double eb[] = { 5, 20, 35, 50, 65, 80, 95, 110, 125, 170,
	    185 };
	static const double ew[] = { 0, 15, 30, 45, 80, 95, 110, 125, 165,
	    180 };

	run(DEDUP_PENALTY, a1, N(a1), a1, N(a1));
	CHECK(same(a1, N(a1)) && out.v[0] == 1);
	run(DEDUP_PENALTY, b2, N(b2), a1, N(a1));
	CHECK(same(a1, N(a1)) && out.v[0] == 2);
	run(DEDUP_PENALTY, a3, N(a3), a1, N(a1));
	CHECK(same(a3, N(a3)) && out.v[2] == 1);
	run(DEDUP_PENALTY, a3, N(a3), b4, N(b4));
	CHECK(same(a3, N(a3)));
	run(DEDUP_PENALTY, a5, N(a5), b5, N(b5));
	CHECK(same(w5, N(w5)));
	run(DEDUP_PENALTY, ea, N(ea), eb, N(eb));
	CHECK(same(ew, N(ew)));
}

static void
test_chain(void)
{
	static const double a[] = { 0, 15, 30 };
	static const double b[] = { 5, 15, 35 };
	static const double w[] = { 0, 5, 15, 30, 35 };

	run(DEDUP_CHAIN, a, N(a), b, N(b));
	CHECK(same(w, N(w)));
	CHECK(out.v[2] == 1);	/* the tie goes to the first replica */
}

static void
test_gapless(void)
{
	static const double ea[] = { 0, 15, 30, 45, 105, 120, 135, 150, 165,
	    180 };
	static const double eb[] = { 5, 20, 35, 50, 65, 80, 95, 110, 125, 170,
	    185 };
	/* Stay on a, take b at 65 (the first >= 45 + 7.5), stay on b until
	 * its gap after 125, take a at 135. */
	static const double w[] = { 0, 15, 30, 45, 65, 80, 95, 110, 125, 135,
	    150, 165, 180 };
	static const double same_a[] = { 10, 20, 30, 40 };
	static const double near[] = { 10.001, 20.001, 30.001, 40.001 };

	run(DEDUP_GAPLESS, ea, N(ea), eb, N(eb));
	CHECK(same(w, N(w)));
	/* Two replicas on the same cadence: one, never switching. */
	run(DEDUP_GAPLESS, same_a, N(same_a), near, N(near));
	CHECK(same(same_a, N(same_a)));
	for (size_t i = 0; i < out.n; i++)
		CHECK(out.v[i] == 1);
}

/* Properties on random replicas with gaps, jitter and offsets. */
static void
test_gapless_random(void)
{
	enum { K = 3, MAXN = 2000 };
	static int64_t t[K][MAXN];
	static double v[K][MAXN];
	struct dedup_replica r[K];

	srand(7);
	for (int round = 0; round < 200; round++) {
		int64_t step = 5000 + 5000 * (rand() % 3);

		for (int k = 0; k < K; k++) {
			int64_t base = rand() % step;
			size_t n = 0;

			for (int64_t i = 0; i < 500; i++) {
				/* Replica k is down for a stretch now and then. */
				if ((i / 60) % K == k && rand() % 4 == 0)
					continue;
				t[k][n] = base + i * step + rand() % (step / 10);
				v[k][n] = k;
				n++;
			}
			r[k] = (struct dedup_replica){ t[k], v[k], n };
		}
		CHECK_INT(dedup_merge(DEDUP_GAPLESS, r, K, &out), 0);
		for (size_t i = 0; i < out.n; i++) {
			int found = 0;

			/* Every output sample is an input sample. */
			for (int k = 0; k < K && !found; k++)
				for (size_t j = 0; j < r[k].n; j++)
					if (r[k].t[j] == out.t[i] &&
					    r[k].v[j] == out.v[i])
						found = 1;
			CHECK(found);
			if (i == 0)
				continue;
			CHECK(out.t[i] > out.t[i - 1]);
			/* A hole over 1.5 steps only where nobody could fill
			 * it: no sample anywhere in [last + step/2, next). */
			if (out.t[i] - out.t[i - 1] > step * 3 / 2 + step / 10) {
				for (int k = 0; k < K; k++)
					for (size_t j = 0; j < r[k].n; j++)
						CHECK(!(r[k].t[j] >= out.t[i - 1] +
						    step / 2 && r[k].t[j] <
						    out.t[i]));
			}
		}
	}
}

/* --- the struct API ---------------------------------------------------- */

/* What a sink was given: each group as one series line, so that it can
 * be compared with what dedup_feed writes. */
struct got {
	struct buf	 lines;
	int		 calls, fail_at;
};

static int
collect(void *arg, const struct labels *l, const int64_t *t, const double *v,
    size_t n, char *err)
{
	struct got *g = arg;

	if (++g->calls == g->fail_at)
		return errbuf_set(err, "sink says no");
	CHECK(n > 0);
	return jsonl_add_values(&g->lines, l, t, v, n);
}

/* A series: name, instance, replica (NULL for none), samples. */
struct ser {
	char		 inst[16], rep[8];
	int64_t		 t[64];
	double		 v[64];
	size_t		 n;
	int		 has_rep;
};

static void
ser_labels(const struct ser *x, struct labels *l)
{
	labels_reset(l);
	labels_add(l, STR("__name__"), STR("up"));
	labels_add(l, STR("instance"), str_of(x->inst));
	if (x->has_rep)
		labels_add(l, STR("replica"), str_of(x->rep));
}

static void
ser_random(struct ser *x, int inst, int rep)
{
	int64_t t = (int64_t)(rand() % 5000);

	snprintf(x->inst, sizeof(x->inst), "i%03d", inst);
	x->has_rep = rep >= 0;
	snprintf(x->rep, sizeof(x->rep), "%c", 'a' + (rep < 0 ? 0 : rep));
	x->n = (size_t)(rand() % 40);
	for (size_t i = 0; i < x->n; i++) {
		t += 5000 + rand() % 20000;
		x->t[i] = t;
		x->v[i] = rand() % 7 == 0 ? (double)rand() / 3 : inst * 100 + rep;
	}
}

static int
same_rep(const struct ser *a, const struct ser *b)
{
	return a->has_rep == b->has_rep && (!a->has_rep ||
	    strcmp(a->rep, b->rep) == 0);
}

static void
shuffle(const struct ser *x, size_t k, struct dedup_replica *mem,
    struct labels *rv)
{
	size_t perm[16], used[16] = { 0 };

	for (size_t m = 0; m < k; m++) {
		size_t j = (size_t)rand() % (m + 1);

		perm[m] = perm[j];
		perm[j] = m;
	}
	/* Where equal ones landed, put them back in their own order. */
	for (size_t m = 0; m < k; m++) {
		size_t next = 0;

		if (used[m])
			continue;
		for (size_t j = 0; j < k; j++)
			if (same_rep(&x[perm[j]], &x[m])) {
				while (!same_rep(&x[next], &x[m]))
					next++;
				perm[j] = next++;
				used[perm[j]] = 1;
			}
	}
	for (size_t j = 0; j < k; j++) {
		const struct ser *s = &x[perm[j]];

		mem[j] = (struct dedup_replica){ s->t, s->v, s->n };
		rv[j] = (struct labels)LABELS_INIT;
		if (s->has_rep)
			labels_add(&rv[j], STR("replica"), str_of(s->rep));
	}
}

/* Random streams, sorted as lines must be (replica values last, equal
 * ones adjacent): dedup_put into a sink and dedup_feed of the same as
 * lines give the same groups; dedup_group on each group, its members
 * shuffled, gives them too. */
static void
test_put_feed_group(void)
{
	enum { G = 40, M = 6 };
	static struct ser ser[G * M];
	struct labels l = LABELS_INIT, rv[M];
	struct buf line = BUF_INIT(BUF_NOMAX), want = BUF_INIT(BUF_NOMAX);
	struct dedup_replica mem[M];
	struct dedup_out o = { 0 };
	char err[ERR_MAX], *text;
	size_t textlen;

	for (size_t i = 0; i < M; i++)
		rv[i] = (struct labels)LABELS_INIT;
	srand(11);
	for (int f = 0; f < 3; f++) {
		for (int round = 0; round < 20; round++) {
			struct dedup dp = DEDUP_INIT, df = DEDUP_INIT;
			struct got g = { BUF_INIT(BUF_NOMAX), 0, 0 };
			size_t ns = 0;
			FILE *fp = open_memstream(&text, &textlen);

			dp.func = df.func = (enum dedup_func)f;
			dedup_add_label(&dp, "replica");
			dedup_add_label(&df, "replica");
			dedup_set_sink(&dp, collect, &g);
			buf_reset(&want);
			for (int gi = 0; gi < G; gi++) {
				size_t k = 1 + (size_t)(rand() % M), first = ns;
				int rep = rand() % 2 ? -1 : 0;

				for (size_t m = 0; m < k; m++) {
					/* Replica values ascend; some repeat. */
					if (m > 0 && (rep < 0 || rand() % 3 != 0))
						rep++;
					ser_random(&ser[ns], gi, rep);
					ser_labels(&ser[ns], &l);
					CHECK_INT(dedup_put(&dp, &l, ser[ns].t,
					    ser[ns].v, ser[ns].n, err), 0);
					buf_reset(&line);
					jsonl_add_values(&line, &l, ser[ns].t,
					    ser[ns].v, ser[ns].n);
					CHECK_INT(dedup_feed(&df, line.data,
					    line.len, fp, err), 0);
					ns++;
				}
				/* The same group by dedup_group, shuffled but
				 * for members with equal replica values, whose
				 * order decides ties. */
				shuffle(&ser[first], k, mem, rv);
				CHECK_INT(dedup_group((enum dedup_func)f, mem,
				    rv, k, &o), 0);
				for (size_t m = 0; m < k; m++)
					labels_release(&rv[m]);
				labels_reset(&l);
				labels_add(&l, STR("__name__"), STR("up"));
				labels_add(&l, STR("instance"),
				    str_of(ser[first].inst));
				if (o.n > 0)
					jsonl_add_values(&want, &l, o.t, o.v,
					    o.n);
			}
			CHECK_INT(dedup_end(&dp, err), 0);
			CHECK_INT(dedup_flush(&df, fp, err), 0);
			fclose(fp);
			CHECK(g.lines.len == textlen && memcmp(g.lines.data,
			    text, textlen) == 0);
			CHECK(want.len == textlen && memcmp(want.data, text,
			    textlen) == 0);

			free(text);
			buf_release(&g.lines);
			dedup_release(&dp);
			dedup_release(&df);
		}
	}
	dedup_out_release(&o);
	labels_release(&l);
	buf_release(&line);
	buf_release(&want);
}

static void
test_put_errors(void)
{
	struct dedup d = DEDUP_INIT;
	struct got g = { BUF_INIT(BUF_NOMAX), 0, 0 };
	struct labels l = LABELS_INIT;
	static const int64_t t[] = { 1, 2, 3 }, bad_t[] = { 1, 3, 2 };
	static const double v[] = { 1, 2, 3 };
	char err[ERR_MAX];

	dedup_add_label(&d, "replica");
	/* No sink, no FILE from dedup_feed: nowhere to put a group. */
	labels_add(&l, STR("a"), STR("1"));
	CHECK_INT(dedup_put(&d, &l, t, v, 3, err), 0);
	labels_reset(&l);
	labels_add(&l, STR("a"), STR("2"));
	CHECK_INT(dedup_put(&d, &l, t, v, 3, err), -1);
	CHECK(strstr(err, "no sink") != NULL);
	dedup_release(&d);

	d = (struct dedup)DEDUP_INIT;
	dedup_add_label(&d, "replica");
	dedup_set_sink(&d, collect, &g);
	labels_reset(&l);
	labels_add(&l, STR("b"), STR("1"));
	labels_add(&l, STR("a"), STR("1"));
	CHECK_INT(dedup_put(&d, &l, t, v, 3, err), -1);
	CHECK_STR(err, "labels not sorted by name");
	labels_reset(&l);
	labels_add(&l, STR("a"), STR("1"));
	CHECK_INT(dedup_put(&d, &l, bad_t, v, 3, err), -1);
	CHECK_STR(err, "sample 3: timestamps do not increase");
	labels_add(&l, STR("replica"), STR("b"));
	CHECK_INT(dedup_put(&d, &l, t, v, 3, err), 0);
	labels_reset(&l);
	labels_add(&l, STR("a"), STR("1"));
	labels_add(&l, STR("replica"), STR("a"));
	CHECK_INT(dedup_put(&d, &l, t, v, 3, err), -1);
	CHECK(strncmp(err, "not sorted", 10) == 0);
	/* A group without samples is not passed on. */
	labels_reset(&l);
	labels_add(&l, STR("a"), STR("2"));
	CHECK_INT(dedup_put(&d, &l, t, v, 0, err), 0);
	labels_reset(&l);
	labels_add(&l, STR("a"), STR("3"));
	CHECK_INT(dedup_put(&d, &l, t, v, 3, err), 0);
	CHECK_INT(g.calls, 1);
	/* The sink's error stops the stream, with its words. */
	g.fail_at = 2;
	CHECK_INT(dedup_end(&d, err), -1);
	CHECK_STR(err, "sink says no");
	CHECK_STR(g.lines.data, "{\"metric\":{\"a\":\"1\"},\"values\":[1,2,3],"
	    "\"timestamps\":[1,2,3]}\n");
	buf_release(&g.lines);
	labels_release(&l);
	dedup_release(&d);
}

/* dedup_group: members in any order, equal replica values merged first,
 * the earlier member's sample winning a tie; NULL values: all distinct,
 * as given. */
static void
test_group(void)
{
	static const int64_t ta[] = { 0, 15000, 30000 }, tb[] = { 15000, 45000 };
	static const double va[] = { 1, 1, 1 }, vb[] = { 2, 2 };
	struct dedup_replica m[3] = { { tb, vb, 2 }, { ta, va, 3 },
	    { tb, vb, 2 } };
	struct labels rv[3] = { LABELS_INIT, LABELS_INIT, LABELS_INIT };
	struct dedup_out o = { 0 };

	labels_add(&rv[0], STR("replica"), STR("a"));
	labels_add(&rv[1], STR("replica"), STR("a"));
	labels_add(&rv[2], STR("replica"), STR("b"));
	/* a = tb U ta (tb first: 15000 from tb), b = tb. */
	CHECK_INT(dedup_group(DEDUP_CHAIN, m, rv, 3, &o), 0);
	CHECK_INT(o.n, 4);
	CHECK(o.t[1] == 15000 && o.v[1] == 2 && o.t[3] == 45000);
	CHECK(o.v[0] == 1 && o.v[2] == 1);
	CHECK_INT(dedup_group(DEDUP_CHAIN, m, NULL, 3, &o), 0);
	CHECK(o.n == 4 && o.v[1] == 2);
	CHECK_INT(dedup_group(DEDUP_GAPLESS, m, rv, 0, &o), 0);
	CHECK_INT(o.n, 0);
	for (int i = 0; i < 3; i++)
		labels_release(&rv[i]);
	dedup_out_release(&o);
}

int
main(void)
{
	test_penalty();
	test_chain();
	test_gapless();
	test_gapless_random();
	test_put_feed_group();
	test_put_errors();
	test_group();
	dedup_out_release(&out);
	return unit_done();
}
