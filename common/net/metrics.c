#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "base/floatfmt.h"
#include "base/parse.h"
#include "net/metrics.h"

enum kind { KIND_COUNTER, KIND_GAUGE, KIND_HISTOGRAM };

static const char *const kind_names[] = { "counter", "gauge", "histogram" };

/*
 * One child: a set of label values and its numbers.  For a histogram,
 * value is the sum and buckets[] the per-bucket (not yet cumulative)
 * counts, the last one for +Inf.  One allocation holds the struct, the
 * buckets, the value pointers and the strings.
 */
struct child {
	const char	**values;
	double		  value;
	uint64_t	  count;
	uint64_t	  buckets[];
};

struct metric {
	char		 *name;
	char		 *help;
	enum kind	  kind;
	char		**labels;	/* nlabels, NULL-terminated */
	size_t		  nlabels;
	double		 *bounds;	/* histogram upper bounds, no +Inf */
	size_t		  nbounds;
	int		(*fn)(void *, double *);	/* _func families */
	void		 *arg;
	pthread_mutex_t	  mu;		/* guards the children and values */
	struct child	**children;	/* sorted by label values */
	size_t		  nchildren;
	size_t		  capchildren;
};

struct metrics {
	pthread_mutex_t	  mu;		/* guards fams; held by render */
	struct metric	**fams;		/* sorted by name */
	size_t		  nfams;
	size_t		  capfams;
};

struct metrics *
metrics_new(void)
{
	struct metrics *reg;

	if ((reg = calloc(1, sizeof(*reg))) == NULL)
		return NULL;
	pthread_mutex_init(&reg->mu, NULL);
	return reg;
}

static void
family_free(struct metric *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nchildren; i++)
		free(m->children[i]);
	free(m->children);
	for (i = 0; i < m->nlabels; i++)
		free(m->labels[i]);
	free(m->labels);
	free(m->bounds);
	free(m->name);
	free(m->help);
	pthread_mutex_destroy(&m->mu);
	free(m);
}

void
metrics_free(struct metrics *reg)
{
	size_t i;

	if (reg == NULL)
		return;
	for (i = 0; i < reg->nfams; i++)
		family_free(reg->fams[i]);
	free(reg->fams);
	pthread_mutex_destroy(&reg->mu);
	free(reg);
}

static int
valid_name(const char *s, int colon)
{
	const char *p;

	if (*s == '\0' || (*s >= '0' && *s <= '9'))
		return 0;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' ||
		    (colon && *p == ':')))
			return 0;
	return 1;
}

/* Names and labels of a new family, checked before anything is made. */
static int
check_names(const char *name, const char *const *labelnames, enum kind kind,
    char *err)
{
	char q[PARSE_QUOTE_MAX];
	size_t i, j;

	if (name == NULL || !valid_name(name, 1))
		return errbuf_set(err, "bad metric name '%s'",
		    parse_quote(name ? name : "", q));
	for (i = 0; labelnames && labelnames[i]; i++) {
		if (!valid_name(labelnames[i], 0) ||
		    strncmp(labelnames[i], "__", 2) == 0 ||
		    (kind == KIND_HISTOGRAM &&
		    strcmp(labelnames[i], "le") == 0))
			return errbuf_set(err, "bad label name '%s' in "
			    "metric %s", parse_quote(labelnames[i], q), name);
		for (j = 0; j < i; j++)
			if (strcmp(labelnames[i], labelnames[j]) == 0)
				return errbuf_set(err, "label '%s' twice in "
				    "metric %s", labelnames[i], name);
	}
	return 0;
}

static int
check_bounds(const double *b, size_t *n, const char *name, char *err)
{
	size_t i;

	if (*n > 0 && isinf(b[*n - 1]) && b[*n - 1] > 0)
		(*n)--;
	for (i = 0; i < *n; i++)
		if (isnan(b[i]) || (i > 0 && !(b[i] > b[i - 1])))
			return errbuf_set(err, "histogram %s: buckets not "
			    "strictly increasing", name);
	return 0;
}

/* 1 if the registered family m is what the caller asks for again. */
static int
same_family(const struct metric *m, enum kind kind, const char *help,
    const char *const *labelnames, const double *bounds, size_t nbounds,
    int (*fn)(void *, double *), void *arg)
{
	size_t i;

	if (m->kind != kind || strcmp(m->help, help) != 0 || m->fn != fn ||
	    m->arg != arg || m->nbounds != nbounds)
		return 0;
	for (i = 0; i < m->nlabels; i++)
		if (labelnames == NULL || labelnames[i] == NULL ||
		    strcmp(labelnames[i], m->labels[i]) != 0)
			return 0;
	if (labelnames && labelnames[i])
		return 0;
	for (i = 0; i < nbounds; i++)
		if (m->bounds[i] != bounds[i])
			return 0;
	return 1;
}

static struct metric *
family_make(const char *name, const char *help, enum kind kind,
    const char *const *labelnames, const double *bounds, size_t nbounds)
{
	struct metric *m;
	size_t n = 0;

	while (labelnames && labelnames[n])
		n++;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	pthread_mutex_init(&m->mu, NULL);
	m->kind = kind;
	m->name = strdup(name);
	m->help = strdup(help);
	m->labels = calloc(n + 1, sizeof(char *));
	m->bounds = malloc((nbounds + 1) * sizeof(double));
	if (!m->name || !m->help || !m->labels || !m->bounds) {
		family_free(m);
		return NULL;
	}
	for (; m->nlabels < n; m->nlabels++)
		if ((m->labels[m->nlabels] =
		    strdup(labelnames[m->nlabels])) == NULL) {
			family_free(m);
			return NULL;
		}
	if (nbounds)
		memcpy(m->bounds, bounds, nbounds * sizeof(double));
	m->nbounds = nbounds;
	return m;
}

/* Binary search of reg->fams; the index where name is or would go. */
static size_t
family_pos(const struct metrics *reg, const char *name, int *found)
{
	size_t lo = 0, hi = reg->nfams, mid;
	int c;

	*found = 0;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(reg->fams[mid]->name, name)) == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
insert_ptr(void ***arr, size_t *n, size_t *cap, size_t pos, void *p)
{
	void **na;
	size_t ncap;

	if (*n == *cap) {
		ncap = *cap ? *cap * 2 : 8;
		if ((na = realloc(*arr, ncap * sizeof(void *))) == NULL)
			return -1;
		*arr = na;
		*cap = ncap;
	}
	memmove(*arr + pos + 1, *arr + pos, (*n - pos) * sizeof(void *));
	(*arr)[pos] = p;
	(*n)++;
	return 0;
}

static struct child *child_get(struct metric *, const char *const *);

/* The one registration path of every kind of family. */
static struct metric *
family_register(struct metrics *reg, const char *name, const char *help,
    enum kind kind, const char *const *labelnames, const double *bounds,
    size_t nbounds, int (*fn)(void *, double *), void *arg, char *err)
{
	struct metric *m = NULL;
	size_t pos;
	int found;

	if (help == NULL)
		help = "";
	if (check_names(name, labelnames, kind, err) == -1)
		return NULL;
	pthread_mutex_lock(&reg->mu);
	pos = family_pos(reg, name, &found);
	if (found) {
		m = reg->fams[pos];
		if (!same_family(m, kind, help, labelnames, bounds, nbounds,
		    fn, arg)) {
			errbuf_set(err, "metric %s already registered "
			    "differently", name);
			m = NULL;
		}
		goto out;
	}
	if ((m = family_make(name, help, kind, labelnames, bounds,
	    nbounds)) == NULL)
		goto nomem;
	m->fn = fn;
	m->arg = arg;
	/* A label-less family shows its one child from the start, as
	 * client_golang does. */
	if ((m->nlabels == 0 && fn == NULL && child_get(m, NULL) == NULL) ||
	    insert_ptr((void ***)&reg->fams, &reg->nfams, &reg->capfams,
	    pos, m) == -1) {
		family_free(m);
		goto nomem;
	}
out:
	pthread_mutex_unlock(&reg->mu);
	return m;
nomem:
	pthread_mutex_unlock(&reg->mu);
	errno = ENOMEM;
	errbuf_sys(err, "metric %s", name);
	return NULL;
}

struct metric *
metrics_counter(struct metrics *reg, const char *name, const char *help,
    const char *const *labelnames, char *err)
{
	return family_register(reg, name, help, KIND_COUNTER, labelnames,
	    NULL, 0, NULL, NULL, err);
}

struct metric *
metrics_gauge(struct metrics *reg, const char *name, const char *help,
    const char *const *labelnames, char *err)
{
	return family_register(reg, name, help, KIND_GAUGE, labelnames,
	    NULL, 0, NULL, NULL, err);
}

struct metric *
metrics_histogram(struct metrics *reg, const char *name, const char *help,
    const char *const *labelnames, const double *buckets, size_t nbuckets,
    char *err)
{
	static const double def[] = METRICS_DEFAULT_BUCKETS;

	if (buckets == NULL) {
		buckets = def;
		nbuckets = sizeof(def) / sizeof(def[0]);
	}
	if (check_bounds(buckets, &nbuckets, name ? name : "", err) == -1)
		return NULL;
	return family_register(reg, name, help, KIND_HISTOGRAM, labelnames,
	    buckets, nbuckets, NULL, NULL, err);
}

int
metrics_gauge_func(struct metrics *reg, const char *name, const char *help,
    int (*fn)(void *, double *), void *arg, char *err)
{
	if (fn == NULL)
		return errbuf_set(err, "metric %s: no function", name);
	return family_register(reg, name, help, KIND_GAUGE, NULL, NULL, 0,
	    fn, arg, err) ? 0 : -1;
}

int
metrics_counter_func(struct metrics *reg, const char *name, const char *help,
    int (*fn)(void *, double *), void *arg, char *err)
{
	if (fn == NULL)
		return errbuf_set(err, "metric %s: no function", name);
	return family_register(reg, name, help, KIND_COUNTER, NULL, NULL, 0,
	    fn, arg, err) ? 0 : -1;
}

/* Children. */

static int
values_cmp(const char *const *a, const char *const *b, size_t n)
{
	size_t i;
	int c;

	for (i = 0; i < n; i++)
		if ((c = strcmp(a[i], b[i])) != 0)
			return c;
	return 0;
}

static struct child *
child_make(const struct metric *m, const char *const *values)
{
	struct child *c;
	size_t i, head, len = 0, nb;
	char *p;

	nb = m->kind == KIND_HISTOGRAM ? m->nbounds + 1 : 0;
	head = sizeof(*c) + nb * sizeof(uint64_t);
	for (i = 0; i < m->nlabels; i++)
		len += strlen(values[i]) + 1;
	if ((c = calloc(1, head + m->nlabels * sizeof(char *) + len)) == NULL)
		return NULL;
	c->values = (const char **)((char *)c + head);
	p = (char *)(c->values + m->nlabels);
	for (i = 0; i < m->nlabels; i++) {
		len = strlen(values[i]) + 1;
		memcpy(p, values[i], len);
		c->values[i] = p;
		p += len;
	}
	return c;
}

/* The child for values, made if new; m->mu held.  NULL on ENOMEM. */
static struct child *
child_get(struct metric *m, const char *const *values)
{
	size_t lo = 0, hi = m->nchildren, mid;
	struct child *c;
	int r;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		r = values_cmp(m->children[mid]->values, values, m->nlabels);
		if (r == 0)
			return m->children[mid];
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if ((c = child_make(m, values)) == NULL)
		return NULL;
	if (insert_ptr((void ***)&m->children, &m->nchildren,
	    &m->capchildren, lo, c) == -1) {
		free(c);
		return NULL;
	}
	return c;
}

enum op { OP_ADD, OP_SET, OP_OBSERVE };

static int
op_allowed(const struct metric *m, enum op op, double v)
{
	if (m->fn != NULL)
		return 0;
	switch (m->kind) {
	case KIND_COUNTER:
		return op == OP_ADD && v >= 0;	/* false for NaN too */
	case KIND_GAUGE:
		return op != OP_OBSERVE;
	case KIND_HISTOGRAM:
		return op == OP_OBSERVE;
	}
	return 0;
}

static void
child_observe(const struct metric *m, struct child *c, double v)
{
	size_t i;

	/* NaN compares false everywhere and lands in +Inf, as in Go. */
	for (i = 0; i < m->nbounds; i++)
		if (v <= m->bounds[i])
			break;
	c->buckets[i]++;
	c->count++;
	c->value += v;
}

static int
update(struct metric *m, enum op op, double v, const char *const *values,
    size_t n)
{
	struct child *c;
	size_t i;

	if (m == NULL || n != m->nlabels || !op_allowed(m, op, v)) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < n; i++)
		if (values[i] == NULL) {
			errno = EINVAL;
			return -1;
		}
	pthread_mutex_lock(&m->mu);
	if ((c = child_get(m, values)) == NULL) {
		pthread_mutex_unlock(&m->mu);
		errno = ENOMEM;
		return -1;
	}
	if (op == OP_ADD)
		c->value += v;
	else if (op == OP_SET)
		c->value = v;
	else
		child_observe(m, c, v);
	pthread_mutex_unlock(&m->mu);
	return 0;
}

int
metric_add_values(struct metric *m, double v, const char *const *values,
    size_t n)
{
	return update(m, OP_ADD, v, values, n);
}

int
metric_set_values(struct metric *m, double v, const char *const *values,
    size_t n)
{
	return update(m, OP_SET, v, values, n);
}

int
metric_observe_values(struct metric *m, double v, const char *const *values,
    size_t n)
{
	return update(m, OP_OBSERVE, v, values, n);
}

/* Rendering. */

#define NUM_MAX	FLOATFMT_MAX

/*
 * v as Prometheus reads it back exactly: Go's shortest form (floatfmt),
 * but whole numbers up to 2^53 in full ("1000000", not "1e+06"), since
 * every such integer is exact and reads better.
 */
static const char *
fmt_num(double v, char out[NUM_MAX])
{
	if (v == trunc(v) && fabs(v) <= 9007199254740992.0) {
		snprintf(out, NUM_MAX, "%.0f", v);
		return out;
	}
	return floatfmt_g(v, out);
}

/* s with each of the characters in special escaped: \\, \n, and \" when
 * quote is set (label values; HELP text leaves quotes alone). */
static int
add_escaped(struct buf *b, const char *s, int quote)
{
	const char *p;
	int r = 0;

	for (p = s; *p && r == 0; p++) {
		if (*p == '\\')
			r = buf_add(b, "\\\\", 2);
		else if (*p == '\n')
			r = buf_add(b, "\\n", 2);
		else if (*p == '"' && quote)
			r = buf_add(b, "\\\"", 2);
		else
			r = buf_addch(b, *p);
	}
	return r;
}

/* {a="x",b="y"} for c's labels plus one extra pair (le) if lname is set;
 * nothing when there are no labels at all. */
static int
add_labels(struct buf *b, const struct metric *m, const struct child *c,
    const char *lname, const char *lvalue)
{
	size_t i;
	int r = 0;

	if (m->nlabels == 0 && lname == NULL)
		return 0;
	r |= buf_addch(b, '{');
	for (i = 0; i < m->nlabels; i++) {
		r |= buf_addf(b, "%s%s=\"", i ? "," : "", m->labels[i]);
		r |= add_escaped(b, c->values[i], 1);
		r |= buf_addch(b, '"');
	}
	if (lname)
		r |= buf_addf(b, "%s%s=\"%s\"", m->nlabels ? "," : "", lname,
		    lvalue);
	r |= buf_addch(b, '}');
	return r ? -1 : 0;
}

static int
add_sample(struct buf *b, const struct metric *m, const struct child *c,
    const char *suffix, const char *lname, const char *lvalue,
    const char *value)
{
	int r = 0;

	r |= buf_addf(b, "%s%s", m->name, suffix);
	r |= add_labels(b, m, c, lname, lvalue);
	r |= buf_addf(b, " %s\n", value);
	return r ? -1 : 0;
}

static int
render_histogram(struct buf *b, const struct metric *m,
    const struct child *c)
{
	char num[NUM_MAX], le[NUM_MAX];
	uint64_t cum = 0;
	size_t i;
	int r = 0;

	for (i = 0; i <= m->nbounds; i++) {
		cum += c->buckets[i];
		snprintf(num, sizeof(num), "%" PRIu64, cum);
		r |= add_sample(b, m, c, "_bucket", "le", i < m->nbounds ?
		    fmt_num(m->bounds[i], le) : "+Inf", num);
	}
	r |= add_sample(b, m, c, "_sum", NULL, NULL, fmt_num(c->value, num));
	snprintf(num, sizeof(num), "%" PRIu64, c->count);
	r |= add_sample(b, m, c, "_count", NULL, NULL, num);
	return r ? -1 : 0;
}

static int
render_head(struct buf *b, const struct metric *m)
{
	int r = 0;

	if (m->help[0] != '\0') {
		r |= buf_addf(b, "# HELP %s ", m->name);
		r |= add_escaped(b, m->help, 0);
		r |= buf_addch(b, '\n');
	}
	r |= buf_addf(b, "# TYPE %s %s\n", m->name, kind_names[m->kind]);
	return r ? -1 : 0;
}

static int
render_func(struct buf *b, const struct metric *m)
{
	char num[NUM_MAX];
	double v;

	if (m->fn(m->arg, &v) == -1)
		return 0;
	if (render_head(b, m) == -1 ||
	    buf_addf(b, "%s %s\n", m->name, fmt_num(v, num)) == -1)
		return -1;
	return 0;
}

/* One family; m->mu held so its children hold still. */
static int
render_family(struct buf *b, struct metric *m)
{
	char num[NUM_MAX];
	size_t i;
	int r = 0;

	if (m->fn)
		return render_func(b, m);
	if (m->nchildren == 0)
		return 0;
	r |= render_head(b, m);
	for (i = 0; i < m->nchildren && r == 0; i++) {
		if (m->kind == KIND_HISTOGRAM)
			r |= render_histogram(b, m, m->children[i]);
		else
			r |= add_sample(b, m, m->children[i], "", NULL, NULL,
			    fmt_num(m->children[i]->value, num));
	}
	return r ? -1 : 0;
}

int
metrics_render(struct metrics *reg, struct buf *out)
{
	struct metric *m;
	size_t i;
	int r = 0;

	pthread_mutex_lock(&reg->mu);
	for (i = 0; i < reg->nfams && r == 0; i++) {
		m = reg->fams[i];
		pthread_mutex_lock(&m->mu);
		r = render_family(out, m);
		pthread_mutex_unlock(&m->mu);
	}
	pthread_mutex_unlock(&reg->mu);
	if (r != 0 && errno != ENOBUFS)
		errno = ENOMEM;
	return r ? -1 : 0;
}

/* Process metrics, from /proc as client_golang's procfs reads them. */

struct procstat {
	double	cpu;	/* utime + stime, seconds */
	double	start;	/* starttime, seconds since boot */
	double	vsize;	/* bytes */
	double	rss;	/* bytes */
};

static int
read_small(const char *path, char *p, size_t cap)
{
	FILE *fp;
	size_t n;

	if ((fp = fopen(path, "re")) == NULL)
		return -1;
	n = fread(p, 1, cap - 1, fp);
	fclose(fp);
	p[n] = '\0';
	return n > 0 ? 0 : -1;
}

/*
 * Fields of /proc/self/stat (proc(5)), counted after the ") " that ends
 * the command name, which may itself hold spaces and parentheses: the
 * third field (state) is the first one there.
 */
static int
proc_stat(struct procstat *ps)
{
	char line[1024], *p, *end;
	double tck, page;
	unsigned long long v[22];
	int i;

	if (read_small("/proc/self/stat", line, sizeof(line)) == -1 ||
	    (p = strrchr(line, ')')) == NULL || p[1] != ' ' || p[2] == '\0')
		return -1;
	for (p += 2; *p != ' ' && *p != '\0'; p++)
		;	/* field 3, the state letter */
	for (i = 0; i < 22; i++) {
		errno = 0;
		v[i] = strtoull(p, &end, 10);
		if (end == p || errno != 0)
			return -1;
		p = end;
	}
	/* v[0] is field 4 (ppid): utime 14, stime 15, starttime 22,
	 * vsize 23, rss 24 (in pages). */
	tck = (double)sysconf(_SC_CLK_TCK);
	page = (double)sysconf(_SC_PAGESIZE);
	ps->cpu = (double)(v[10] + v[11]) / tck;
	ps->start = (double)v[18] / tck;
	ps->vsize = (double)v[19];
	ps->rss = (double)v[20] * page;
	return 0;
}

static int
proc_cpu(void *arg, double *v)
{
	struct procstat ps;

	(void)arg;
	if (proc_stat(&ps) == -1)
		return -1;
	*v = ps.cpu;
	return 0;
}

static int
proc_rss(void *arg, double *v)
{
	struct procstat ps;

	(void)arg;
	if (proc_stat(&ps) == -1)
		return -1;
	*v = ps.rss;
	return 0;
}

static int
proc_vsize(void *arg, double *v)
{
	struct procstat ps;

	(void)arg;
	if (proc_stat(&ps) == -1)
		return -1;
	*v = ps.vsize;
	return 0;
}

static int
proc_open_fds(void *arg, double *v)
{
	struct dirent *de;
	DIR *d;
	double n = 0;

	(void)arg;
	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	/* Not counting the fd that reads the directory. */
	*v = n > 0 ? n - 1 : 0;
	return 0;
}

static int
proc_max_fds(void *arg, double *v)
{
	struct rlimit rl;

	(void)arg;
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return -1;
	*v = rl.rlim_cur == RLIM_INFINITY ? INFINITY : (double)rl.rlim_cur;
	return 0;
}

/* Boot time in Unix seconds, the "btime" line of /proc/stat. */
static int
boot_time(double *bt)
{
	char text[16384], *p;
	unsigned long long v;

	if (read_small("/proc/stat", text, sizeof(text)) == -1 ||
	    (p = strstr(text, "\nbtime ")) == NULL ||
	    sscanf(p + 7, "%llu", &v) != 1)
		return -1;
	*bt = (double)v;
	return 0;
}

int
metrics_add_process(struct metrics *reg, char *err)
{
	struct procstat ps;
	struct metric *start;
	double bt;

	if (proc_stat(&ps) == -1 || boot_time(&bt) == -1)
		return errbuf_set(err, "cannot read /proc/self/stat or "
		    "/proc/stat");
	if (metrics_counter_func(reg, "process_cpu_seconds_total",
	    "Total user and system CPU time spent in seconds.", proc_cpu,
	    NULL, err) == -1 ||
	    metrics_gauge_func(reg, "process_resident_memory_bytes",
	    "Resident memory size in bytes.", proc_rss, NULL, err) == -1 ||
	    metrics_gauge_func(reg, "process_virtual_memory_bytes",
	    "Virtual memory size in bytes.", proc_vsize, NULL, err) == -1 ||
	    metrics_gauge_func(reg, "process_open_fds",
	    "Number of open file descriptors.", proc_open_fds, NULL,
	    err) == -1 ||
	    metrics_gauge_func(reg, "process_max_fds",
	    "Maximum number of open file descriptors.", proc_max_fds, NULL,
	    err) == -1)
		return -1;
	if ((start = metrics_gauge(reg, "process_start_time_seconds",
	    "Start time of the process since unix epoch in seconds.", NULL,
	    err)) == NULL)
		return -1;
	return metric_set(start, bt + ps.start) == -1 ?
	    errbuf_sys(err, "process_start_time_seconds") : 0;
}

int
metrics_add_build_info(struct metrics *reg, const char *name,
    const char *version, char *err)
{
	static const char *const labels[] = { "version", NULL };
	struct metric *m;

	if ((m = metrics_gauge(reg, name, "A metric with a constant '1' "
	    "value labeled by version.", labels, err)) == NULL)
		return -1;
	if (metric_set(m, 1, version) == -1)
		return errbuf_sys(err, "metric %s", name);
	return 0;
}
