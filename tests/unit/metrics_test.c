/*
 * metrics_test: the exact text of a small registry, number formatting,
 * escaping, name checks, re-registration, exact sums under concurrent
 * updates, process metrics, and the output fed to "promtool check
 * metrics" when promtool is installed.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/metrics.h"
#include "unit.h"

static char *
render(struct metrics *reg)
{
	struct buf b = BUF_INIT(BUF_NOMAX);

	CHECK_INT(metrics_render(reg, &b), 0);
	return buf_detach(&b, NULL);
}

static void
test_exact(void)
{
	static const char *const lab[] = { "code", "method", NULL };
	static const char *const hlab[] = { "handler", NULL };
	static const double hb[] = { 0.1, 1, 10 };
	struct metrics *reg;
	struct metric *c, *g, *h, *u;
	char err[ERR_MAX], *s;

	CHECK((reg = metrics_new()) != NULL);
	CHECK((c = metrics_counter(reg, "app_requests_total",
	    "Requests by code.", lab, err)) != NULL);
	CHECK((g = metrics_gauge(reg, "app_temperature_celsius",
	    "A gauge.", NULL, err)) != NULL);
	CHECK((h = metrics_histogram(reg, "app_duration_seconds",
	    "Durations.", hlab, hb, 3, err)) != NULL);
	/* Registered, but without children: not written. */
	CHECK((u = metrics_counter(reg, "app_unused_total", "Unused.", lab,
	    err)) != NULL);

	CHECK_INT(metric_inc(c, "500", "GET"), 0);
	CHECK_INT(metric_add(c, 2, "200", "POST"), 0);
	CHECK_INT(metric_inc(c, "200", "GET"), 0);
	CHECK_INT(metric_inc(c, "200", "GET"), 0);
	CHECK_INT(metric_set(g, -2.5), 0);
	CHECK_INT(metric_observe(h, 0.05, "query"), 0);
	CHECK_INT(metric_observe(h, 0.5, "query"), 0);
	CHECK_INT(metric_observe(h, 100, "query"), 0);
	CHECK_INT(metric_observe(h, 1, "api"), 0);

	s = render(reg);
	CHECK_STR(s,
	    "# HELP app_duration_seconds Durations.\n"
	    "# TYPE app_duration_seconds histogram\n"
	    "app_duration_seconds_bucket{handler=\"api\",le=\"0.1\"} 0\n"
	    "app_duration_seconds_bucket{handler=\"api\",le=\"1\"} 1\n"
	    "app_duration_seconds_bucket{handler=\"api\",le=\"10\"} 1\n"
	    "app_duration_seconds_bucket{handler=\"api\",le=\"+Inf\"} 1\n"
	    "app_duration_seconds_sum{handler=\"api\"} 1\n"
	    "app_duration_seconds_count{handler=\"api\"} 1\n"
	    "app_duration_seconds_bucket{handler=\"query\",le=\"0.1\"} 1\n"
	    "app_duration_seconds_bucket{handler=\"query\",le=\"1\"} 2\n"
	    "app_duration_seconds_bucket{handler=\"query\",le=\"10\"} 2\n"
	    "app_duration_seconds_bucket{handler=\"query\",le=\"+Inf\"} 3\n"
	    "app_duration_seconds_sum{handler=\"query\"} 100.55\n"
	    "app_duration_seconds_count{handler=\"query\"} 3\n"
	    "# HELP app_requests_total Requests by code.\n"
	    "# TYPE app_requests_total counter\n"
	    "app_requests_total{code=\"200\",method=\"GET\"} 2\n"
	    "app_requests_total{code=\"200\",method=\"POST\"} 2\n"
	    "app_requests_total{code=\"500\",method=\"GET\"} 1\n"
	    "# HELP app_temperature_celsius A gauge.\n"
	    "# TYPE app_temperature_celsius gauge\n"
	    "app_temperature_celsius -2.5\n");
	free(s);

	/* Wrong use is refused and changes nothing. */
	CHECK_INT(metric_inc(c, "200"), -1);
	CHECK_INT(errno, EINVAL);
	CHECK_INT(metric_inc(c, "200", "GET", "x"), -1);
	CHECK_INT(metric_inc(c, "200", (const char *)NULL), -1);
	CHECK_INT(metric_add(c, -1, "200", "GET"), -1);
	CHECK_INT(metric_add(c, NAN, "200", "GET"), -1);
	CHECK_INT(metric_set(c, 5, "200", "GET"), -1);
	CHECK_INT(metric_observe(c, 5, "200", "GET"), -1);
	CHECK_INT(metric_observe(g, 5), -1);
	CHECK_INT(metric_add(h, 5, "api"), -1);
	CHECK_INT(metric_inc(NULL), -1);
	CHECK_INT(metric_add(g, 3.5), 0);	/* gauges go both ways */
	CHECK_INT(metric_add(g, -1), 0);

	s = render(reg);
	CHECK(strstr(s, "app_requests_total{code=\"200\",method=\"GET\"} 2\n")
	    != NULL);
	CHECK(strstr(s, "\napp_temperature_celsius 0\n") != NULL);
	free(s);
	metrics_free(reg);
}

static void
test_numbers(void)
{
	static const struct {
		double		 v;
		const char	*want;
	} cases[] = {
		{ 0, "0" }, { 1, "1" }, { -1, "-1" }, { 1e6, "1000000" },
		{ 9007199254740992.0, "9007199254740992" },
		{ 18014398509481984.0, "1.8014398509481984e+16" }, { 1e20, "1e+20" },
		{ 0.1, "0.1" }, { 1.0 / 3, "0.3333333333333333" },
		{ 1e-5, "1e-05" }, { 123.456, "123.456" }, { 1e300, "1e+300" },
		{ 5e-324, "5e-324" }, { 2.5e-3, "0.0025" },
	};
	struct metrics *reg = metrics_new();
	struct metric *g;
	char err[ERR_MAX], want[128], *s;
	size_t i;

	g = metrics_gauge(reg, "n", NULL, NULL, err);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_INT(metric_set(g, cases[i].v), 0);
		s = render(reg);
		snprintf(want, sizeof(want), "# TYPE n gauge\nn %s\n",
		    cases[i].want);
		CHECK_STR(s, want);
		free(s);
	}
	CHECK_INT(metric_set(g, INFINITY), 0);
	s = render(reg);
	CHECK_STR(s, "# TYPE n gauge\nn +Inf\n");
	free(s);
	CHECK_INT(metric_set(g, -INFINITY), 0);
	s = render(reg);
	CHECK_STR(s, "# TYPE n gauge\nn -Inf\n");
	free(s);
	CHECK_INT(metric_set(g, NAN), 0);
	s = render(reg);
	CHECK_STR(s, "# TYPE n gauge\nn NaN\n");
	free(s);
	metrics_free(reg);
}

static void
test_escaping(void)
{
	static const char *const lab[] = { "path", NULL };
	struct metrics *reg = metrics_new();
	struct metric *c;
	char err[ERR_MAX], *s;

	CHECK((c = metrics_counter(reg, "esc_total",
	    "Back\\slash, \"quotes\"\nand a newline.", lab, err)) != NULL);
	CHECK_INT(metric_inc(c, "a\\b\"c\nd"), 0);
	CHECK_INT(metric_inc(c, ""), 0);
	s = render(reg);
	CHECK_STR(s,
	    "# HELP esc_total Back\\\\slash, \"quotes\"\\nand a newline.\n"
	    "# TYPE esc_total counter\n"
	    "esc_total{path=\"\"} 1\n"
	    "esc_total{path=\"a\\\\b\\\"c\\nd\"} 1\n");
	free(s);
	metrics_free(reg);
}

static void
test_names(void)
{
	static const char *const bad_labels[][3] = {
		{ "0a", NULL }, { "a-b", NULL }, { "a:b", NULL },
		{ "__reserved", NULL }, { "", NULL }, { "x", "x", NULL },
	};
	static const char *const bad_names[] = {
		"", "0abc", "a-b", "a b", "é", "a.b",
	};
	static const char *const le[] = { "le", NULL };
	static const char *const lab[] = { "a", NULL };
	static const char *const lab2[] = { "b", NULL };
	static const double dup[] = { 1, 1 }, inf[] = { 1, INFINITY };
	struct metrics *reg = metrics_new();
	struct metric *m, *m2;
	char err[ERR_MAX];
	size_t i;

	for (i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		err[0] = '\0';
		CHECK(metrics_counter(reg, bad_names[i], "", NULL, err) ==
		    NULL);
		CHECK(strncmp(err, "bad metric name", 15) == 0);
	}
	CHECK(metrics_counter(reg, NULL, "", NULL, err) == NULL);
	for (i = 0; i < sizeof(bad_labels) / sizeof(bad_labels[0]); i++)
		CHECK(metrics_gauge(reg, "ok", "", bad_labels[i], err) ==
		    NULL);
	CHECK(metrics_histogram(reg, "h", "", le, NULL, 0, err) == NULL);
	CHECK_STR(err, "bad label name 'le' in metric h");
	CHECK(metrics_gauge(reg, "le_ok:x", "", le, err) != NULL);
	CHECK(metrics_histogram(reg, "h", "", NULL, dup, 2, err) == NULL);
	CHECK_STR(err, "histogram h: buckets not strictly increasing");

	/* The same again is the same family; anything different is not. */
	CHECK((m = metrics_counter(reg, "c_total", "C.", lab, err)) != NULL);
	CHECK((m2 = metrics_counter(reg, "c_total", "C.", lab, err)) == m);
	CHECK(metrics_gauge(reg, "c_total", "C.", lab, err) == NULL);
	CHECK_STR(err, "metric c_total already registered differently");
	CHECK(metrics_counter(reg, "c_total", "Other.", lab, err) == NULL);
	CHECK(metrics_counter(reg, "c_total", "C.", lab2, err) == NULL);
	CHECK(metrics_counter(reg, "c_total", "C.", NULL, err) == NULL);
	/* A trailing +Inf is implied, so it makes no difference. */
	CHECK((m = metrics_histogram(reg, "h", "", NULL, inf, 2, err)) !=
	    NULL);
	CHECK(metrics_histogram(reg, "h", "", NULL, inf, 1, err) == m);
	CHECK(metrics_histogram(reg, "h", "", NULL, NULL, 0, err) == NULL);
	metrics_free(reg);
}

struct worker {
	struct metric	*c, *g, *h;
	int		 id;
};

#define NTHREADS	4
#define NUPDATES	50000

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	char lv[8];
	int i;

	for (i = 0; i < NUPDATES; i++) {
		snprintf(lv, sizeof(lv), "%d", i % 3);
		metric_inc(w->c, lv);
		metric_add(w->g, 0.5);
		metric_add(w->g, -0.25);
		metric_observe(w->h, (double)(i % 4), lv);
	}
	return NULL;
}

static int
render_main_count;

static void *
render_main(void *arg)
{
	struct metrics *reg = arg;
	int i;

	for (i = 0; i < 50; i++) {
		char *s = render(reg);

		render_main_count += s != NULL;
		free(s);
	}
	return NULL;
}

static void
test_threads(void)
{
	static const char *const lab[] = { "k", NULL };
	static const double hb[] = { 0.5, 1.5, 2.5 };
	struct metrics *reg = metrics_new();
	struct worker w[NTHREADS];
	pthread_t tid[NTHREADS], rt;
	char err[ERR_MAX], *s, want[256];
	int i;

	w[0].c = metrics_counter(reg, "t_total", "", lab, err);
	w[0].g = metrics_gauge(reg, "t_gauge", "", NULL, err);
	w[0].h = metrics_histogram(reg, "t_hist", "", lab, hb, 3, err);
	for (i = 0; i < NTHREADS; i++) {
		w[i] = w[0];
		w[i].id = i;
		CHECK_INT(pthread_create(&tid[i], NULL, worker_main, &w[i]),
		    0);
	}
	CHECK_INT(pthread_create(&rt, NULL, render_main, reg), 0);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(tid[i], NULL);
	pthread_join(rt, NULL);
	CHECK_INT(render_main_count, 50);

	s = render(reg);
	/* 50000 = 16667 + 16667 + 16666 per thread. */
	CHECK(strstr(s, "t_total{k=\"0\"} 66668\n") != NULL);
	CHECK(strstr(s, "t_total{k=\"1\"} 66668\n") != NULL);
	CHECK(strstr(s, "t_total{k=\"2\"} 66664\n") != NULL);
	snprintf(want, sizeof(want), "\nt_gauge %d\n",
	    NTHREADS * NUPDATES / 4);
	CHECK(strstr(s, want) != NULL);
	/* k="0" gets i = 0, 3, 6, ...: values 0, 3, 2, 1, 0, 3, ... */
	CHECK(strstr(s, "t_hist_count{k=\"0\"} 66668\n") != NULL);
	CHECK(strstr(s, "t_hist_bucket{k=\"0\",le=\"+Inf\"} 66668\n") !=
	    NULL);
	free(s);
	metrics_free(reg);
}

static int
fn_value(void *arg, double *v)
{
	*v = *(double *)arg;
	return 0;
}

static int
fn_fail(void *arg, double *v)
{
	(void)arg;
	(void)v;
	return -1;
}

static void
test_funcs(void)
{
	struct metrics *reg = metrics_new();
	char err[ERR_MAX], *s;
	double x = 42;

	CHECK_INT(metrics_gauge_func(reg, "f", "F.", fn_value, &x, err), 0);
	CHECK_INT(metrics_gauge_func(reg, "f", "F.", fn_value, &x, err), 0);
	CHECK_INT(metrics_gauge_func(reg, "f", "F.", fn_fail, &x, err), -1);
	CHECK_INT(metrics_counter_func(reg, "g_total", "", fn_fail, NULL,
	    err), 0);
	s = render(reg);
	CHECK_STR(s, "# HELP f F.\n# TYPE f gauge\nf 42\n");
	free(s);
	x = 0.5;
	s = render(reg);
	CHECK_STR(s, "# HELP f F.\n# TYPE f gauge\nf 0.5\n");
	free(s);
	metrics_free(reg);
}

static double
sample(const char *text, const char *name)
{
	char key[128];
	const char *p;

	snprintf(key, sizeof(key), "\n%s ", name);
	if ((p = strstr(text, key)) == NULL)
		return -1;
	return strtod(p + strlen(key), NULL);
}

static void
test_process(void)
{
	struct metrics *reg = metrics_new();
	char err[ERR_MAX], *s;
	double start;

	CHECK_INT(metrics_add_process(reg, err), 0);
	CHECK_INT(metrics_add_process(reg, err), 0);
	CHECK_INT(metrics_add_build_info(reg, "strata_build_info", "1.2.3",
	    err), 0);
	CHECK_INT(metrics_add_build_info(reg, "bad-name", "1", err), -1);
	s = render(reg);
	CHECK(strstr(s, "\nstrata_build_info{version=\"1.2.3\"} 1\n") != NULL);
	CHECK(sample(s, "process_cpu_seconds_total") >= 0);
	CHECK(sample(s, "process_resident_memory_bytes") > 1 << 20);
	CHECK(sample(s, "process_virtual_memory_bytes") > 1 << 20);
	CHECK(sample(s, "process_open_fds") >= 3);
	CHECK(sample(s, "process_max_fds") >= 64);
	start = sample(s, "process_start_time_seconds");
	CHECK(fabs(start - (double)time(NULL)) < 600);
	free(s);
	metrics_free(reg);
}

/* The rendered text of a full registry through promtool's parser and
 * linter, when promtool is there. */
static void
test_promtool(void)
{
	static const char *const lab[] = { "code", "handler", NULL };
	struct metrics *reg = metrics_new();
	struct metric *c, *h;
	char err[ERR_MAX], *s;
	FILE *fp;
	int st;

	if (system("command -v promtool >/dev/null 2>&1") != 0) {
		fprintf(stderr, "metrics_test: no promtool, check skipped\n");
		metrics_free(reg);
		return;
	}
	c = metrics_counter(reg, "http_requests_total",
	    "Requests by \"code\"\\handler.", lab, err);
	h = metrics_histogram(reg, "http_request_duration_seconds",
	    "Request durations.", lab + 1, NULL, 0, err);
	metric_inc(c, "200", "a\"b\\c\nd");
	metric_inc(c, "404", "");
	metric_observe(h, 0.3, "x");
	metric_observe(h, INFINITY, "y");
	metrics_add_process(reg, err);
	metrics_add_build_info(reg, "strata_build_info", "0.1", err);
	s = render(reg);
	CHECK((fp = popen("promtool check metrics", "w")) != NULL);
	if (fp != NULL) {
		fputs(s, fp);
		st = pclose(fp);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	free(s);
	metrics_free(reg);
}

int
main(void)
{
	test_exact();
	test_numbers();
	test_escaping();
	test_names();
	test_threads();
	test_funcs();
	test_process();
	test_promtool();
	return unit_done();
}
