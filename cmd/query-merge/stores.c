#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/jsonstr.h"
#include "base/log.h"
#include "net/extlabels.h"
#include "net/http.h"
#include "net/promapi.h"
#include "stores.h"

#define INFO_MAX_BODY	((size_t)16 << 20)

int
stores_init(struct stores *s, const char *const *specs, size_t n,
    const char *dns_server, int64_t interval_ms, long timeout_ms, char *err)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->mu, NULL);
	s->interval_ms = interval_ms;
	s->timeout_ms = timeout_ms;
	if (dns_server != NULL && (s->dns_server = strdup(dns_server)) == NULL)
		return errbuf_sys(err, "stores");
	if ((s->specs = calloc(n ? n : 1, sizeof(*s->specs))) == NULL)
		return errbuf_sys(err, "stores");
	for (size_t i = 0; i < n; i++) {
		if (endpoint_parse(&s->specs[i], specs[i], err) == -1)
			return -1;
		s->nspecs++;
	}
	return 0;
}

static void
lset_release(struct lset *l)
{
	labels_release(&l->l);
	free(l->mem);
}

static void
store_release(struct store *st)
{
	for (size_t i = 0; i < st->nlsets; i++)
		lset_release(&st->lsets[i]);
	free(st->lsets);
	free(st->url);
	memset(st, 0, sizeof(*st));
}

/* A label set from a JSON object of strings, sorted. */
static int
lset_from_json(struct lset *out, json_t *obj)
{
	const char *k;
	json_t *v;
	size_t size = 0, off = 0;

	memset(out, 0, sizeof(*out));
	json_object_foreach(obj, k, v) {
		if (!json_is_string(v))
			return -1;
		size += strlen(k) + json_string_length(v) + 2;
	}
	if ((out->mem = malloc(size ? size : 1)) == NULL)
		return -1;
	json_object_foreach(obj, k, v) {
		size_t kn = strlen(k), vn = json_string_length(v);
		char *kp = out->mem + off, *vp = kp + kn + 1;

		memcpy(kp, k, kn + 1);
		memcpy(vp, json_string_value(v), vn);
		vp[vn] = '\0';
		off += kn + vn + 2;
		if (labels_add(&out->l, (struct str){ kp, kn },
		    (struct str){ vp, vn }) == -1)
			return -1;
	}
	labels_sort(&out->l);
	return 0;
}

static int
lsets_equal(const struct lset *a, const struct lset *b)
{
	return labels_compare(&a->l, &b->l) == 0;
}

/* Add a copy of a label set unless it is there already. */
static int
add_lset(struct store *st, json_t *obj)
{
	struct lset l, *nv;

	if (lset_from_json(&l, obj) == -1) {
		lset_release(&l);
		return -1;
	}
	for (size_t i = 0; i < st->nlsets; i++)
		if (lsets_equal(&st->lsets[i], &l)) {
			lset_release(&l);
			return 0;
		}
	if ((nv = realloc(st->lsets, (st->nlsets + 1) * sizeof(*nv))) ==
	    NULL) {
		lset_release(&l);
		return -1;
	}
	st->lsets = nv;
	st->lsets[st->nlsets++] = l;
	return 0;
}

static void
widen(struct store *st, int64_t mint, int64_t maxt)
{
	if (mint < st->mint)
		st->mint = mint;
	if (maxt > st->maxt)
		st->maxt = maxt;
}

/* A store-serve: {"blocks":[meta.json, ...]}. */
static int
info_blocks(struct store *st, json_t *data)
{
	json_t *blocks = json_object_get(data, "blocks"), *b;
	size_t i;

	if (!json_is_array(blocks))
		return -1;
	st->kind = STORE_STORE;
	st->mint = INT64_MAX;
	st->maxt = INT64_MIN;
	json_array_foreach(blocks, i, b) {
		json_t *lab = json_object_get(json_object_get(b, "thanos"),
		    "labels");

		/* meta.json's maxTime is exclusive. */
		widen(st, json_integer_value(json_object_get(b, "minTime")),
		    json_integer_value(json_object_get(b, "maxTime")) - 1);
		if (json_is_object(lab) && add_lset(st, lab) == -1)
			return -1;
	}
	return 0;
}

/* A query-merge: {"store":[...], "prometheus":[...], ...}. */
static int
info_stores(struct store *st, json_t *data)
{
	const char *kind;
	json_t *list, *e, *ls, *l;
	size_t i, j;

	if (!json_is_object(data))
		return -1;
	st->kind = STORE_QUERY;
	st->mint = INT64_MAX;
	st->maxt = INT64_MIN;
	json_object_foreach(data, kind, list) {
		json_array_foreach(list, i, e) {
			if (json_is_string(json_object_get(e, "lastError")))
				continue;
			widen(st, json_integer_value(json_object_get(e,
			    "minTime")), json_integer_value(json_object_get(e,
			    "maxTime")));
			ls = json_object_get(e, "labelSets");
			json_array_foreach(ls, j, l)
				if (add_lset(st, l) == -1)
					return -1;
		}
	}
	return 0;
}

/* prometheus_tsdb_lowest_timestamp from a Prometheus' /metrics. */
static int64_t
lowest_timestamp(const char *url, long timeout_ms)
{
	struct http_request rq = HTTP_REQUEST_INIT;
	struct http_response rs;
	struct buf u = BUF_INIT(BUF_NOMAX);
	const char *p, *key = "\nprometheus_tsdb_lowest_timestamp ";
	int64_t t = INT64_MIN;
	char err[ERR_MAX];
	double d;

	buf_addf(&u, "%s/metrics", url);
	rq.url = u.data;
	rq.timeout_ms = timeout_ms;
	http_response_init(&rs);
	if (http_do(&rq, &rs, err) == 0 && rs.status == 200 &&
	    (p = strstr(rs.body.data, key)) != NULL) {
		d = strtod(p + strlen(key), NULL);
		/* An empty TSDB says 9.223372036854776e+18. */
		if (d > -9e18 && d < 9e18)
			t = (int64_t)d;
	}
	http_response_release(&rs);
	buf_release(&u);
	return t;
}

/* A Prometheus: its external labels, data from its lowest timestamp. */
static int
info_prometheus(struct store *st, char *err)
{
	struct extlabels e = EXTLABELS_INIT;
	struct lset *l;
	size_t size = 0, off = 0;

	if (extlabels_fetch(&e, st->url, -1, err) == -1)
		return -1;
	st->kind = STORE_PROMETHEUS;
	st->mint = lowest_timestamp(st->url, 5000);
	st->maxt = INT64_MAX;
	if (e.n > 0) {
		if ((st->lsets = calloc(1, sizeof(*st->lsets))) == NULL)
			goto nomem;
		l = &st->lsets[0];
		st->nlsets = 1;
		for (size_t i = 0; i < e.n; i++)
			size += strlen(e.name[i]) + strlen(e.value[i]) + 2;
		if ((l->mem = malloc(size)) == NULL)
			goto nomem;
		for (size_t i = 0; i < e.n; i++) {
			size_t kn = strlen(e.name[i]), vn = strlen(e.value[i]);
			char *kp = l->mem + off, *vp = kp + kn + 1;

			memcpy(kp, e.name[i], kn + 1);
			memcpy(vp, e.value[i], vn + 1);
			off += kn + vn + 2;
			if (labels_add(&l->l, (struct str){ kp, kn },
			    (struct str){ vp, vn }) == -1)
				goto nomem;
		}
	}
	extlabels_release(&e);
	return 0;
nomem:
	extlabels_release(&e);
	return errbuf_sys(err, "%s", st->url);
}

/* Ask url what it is and what it holds. */
static void
probe(struct store *st, long timeout_ms)
{
	struct buf u = BUF_INIT(BUF_NOMAX);
	json_t *doc = NULL, *data = NULL;
	char err[ERR_MAX], e2[ERR_MAX];

	st->last_check = clock_real_ms();
	st->last_error[0] = '\0';
	if (promapi_get(st->url, "/api/v1/blocks", -1, timeout_ms,
	    INFO_MAX_BODY, &u, &doc, &data, err) == 0) {
		if (info_blocks(st, data) == -1)
			errbuf_set(st->last_error, "%s: bad /api/v1/blocks "
			    "answer", st->url);
	} else if (buf_reset(&u), promapi_get(st->url, "/api/v1/stores", -1,
	    timeout_ms, INFO_MAX_BODY, &u, &doc, &data, e2) == 0) {
		if (info_stores(st, data) == -1)
			errbuf_set(st->last_error, "%s: bad /api/v1/stores "
			    "answer", st->url);
	} else if (info_prometheus(st, e2) == -1) {
		/* Neither: report what a Prometheus said. */
		memcpy(st->last_error, e2, sizeof(e2));
	}
	json_decref(doc);
	buf_release(&u);
}

static int
cmp_url(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
stores_refresh(struct stores *s)
{
	struct endpoint_resolver *r;
	struct store *nv = NULL;
	char **all = NULL, **urls, err[ERR_MAX];
	size_t nall = 0, n, nn;
	int dns_failed = 0;

	if ((r = endpoint_resolver_new(s->dns_server, err)) == NULL) {
		log_error("dns resolver", "err", err);
		return;
	}
	for (size_t i = 0; i < s->nspecs; i++) {
		if (endpoint_resolve(r, &s->specs[i], &urls, &n, err) == -1) {
			log_warn("store discovery failed", "spec",
			    s->specs[i].text, "err", err);
			pthread_mutex_lock(&s->mu);
			memcpy(s->dns_error, err, sizeof(err));
			pthread_mutex_unlock(&s->mu);
			dns_failed = 1;
			/* Keep what that spec gave before: every known URL
			 * stays, as the spec's own are among them. */
			pthread_mutex_lock(&s->mu);
			for (size_t k = 0; k < s->n; k++) {
				char **na = realloc(all, (nall + 1) *
				    sizeof(*all));

				if (na == NULL)
					break;
				all = na;
				all[nall++] = strdup(s->v[k].url);
			}
			pthread_mutex_unlock(&s->mu);
			continue;
		}
		char **na = realloc(all, (nall + n + 1) * sizeof(*all));
		if (na == NULL) {
			endpoint_urls_free(urls, n);
			continue;
		}
		all = na;
		memcpy(all + nall, urls, n * sizeof(*urls));
		nall += n;
		free(urls);
	}
	endpoint_resolver_free(r);
	/* Drop NULLs (strdup failures), sort, unique. */
	nn = 0;
	for (size_t i = 0; i < nall; i++)
		if (all[i] != NULL)
			all[nn++] = all[i];
	nall = nn;
	endpoint_urls_uniq(all, &nall);
	if (!dns_failed) {
		pthread_mutex_lock(&s->mu);
		s->dns_error[0] = '\0';
		pthread_mutex_unlock(&s->mu);
	}
	/* Ask each one, outside the lock: a slow store delays only the
	 * refresh, never a query. */
	if ((nv = calloc(nall ? nall : 1, sizeof(*nv))) == NULL) {
		endpoint_urls_free(all, nall);
		return;
	}
	for (size_t i = 0; i < nall; i++) {
		size_t len = strlen(all[i]);

		while (len > 0 && all[i][len - 1] == '/')
			all[i][--len] = '\0';
		nv[i].url = all[i];
		all[i] = NULL;
		probe(&nv[i], s->timeout_ms);
		if (nv[i].last_error[0] != '\0')
			log_warn("store unreachable", "store", nv[i].url,
			    "err", nv[i].last_error);
	}
	qsort(nv, nall, sizeof(*nv), cmp_url);
	free(all);
	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < s->n; i++)
		store_release(&s->v[i]);
	free(s->v);
	s->v = nv;
	s->n = nall;
	s->refreshed = 1;
	pthread_mutex_unlock(&s->mu);
}

/*
 * Can a store hold series that match every matcher of a selector?  Not
 * when a matcher on one of its external labels fails on every label set
 * (Thanos' rule; a store without label sets can hold anything).
 */
static int
lsets_can_match(const struct store *st, struct matcher *m, size_t nm)
{
	if (st->nlsets == 0)
		return 1;
	for (size_t i = 0; i < st->nlsets; i++) {
		int ok = 1;

		for (size_t k = 0; k < nm && ok; k++) {
			const struct str *v = labels_get(&st->lsets[i].l,
			    str_of(m[k].name));

			if (v != NULL && !matcher_matches(&m[k], v->p, v->n))
				ok = 0;
		}
		if (ok)
			return 1;
	}
	return 0;
}

int
stores_pick(struct stores *s, struct matcher *const *m, const size_t *nm,
    size_t nsel, int64_t mint, int64_t maxt, struct store_pick *out)
{
	int rc = 0;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&s->mu);
	if ((out->url = calloc(s->n ? s->n : 1, sizeof(*out->url))) == NULL)
		rc = -1;
	for (size_t i = 0; rc == 0 && i < s->n; i++) {
		const struct store *st = &s->v[i];
		int want = 0;

		/* An unknown store is asked anyway: its failure becomes a
		 * warning, as Thanos reports a store it cannot reach. */
		if (st->kind != STORE_UNKNOWN &&
		    (st->maxt < mint || st->mint > maxt))
			continue;
		for (size_t k = 0; k < nsel && !want; k++)
			want = lsets_can_match(st, m[k], nm[k]);
		if (nsel == 0)
			want = 1;
		if (!want)
			continue;
		if ((out->url[out->n] = strdup(st->url)) == NULL)
			rc = -1;
		else
			out->n++;
	}
	pthread_mutex_unlock(&s->mu);
	if (rc == -1)
		store_pick_release(out);
	return rc;
}

void
store_pick_release(struct store_pick *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->url[i]);
	free(p->url);
	memset(p, 0, sizeof(*p));
}

static const char *
kind_name(enum store_kind k)
{
	switch (k) {
	case STORE_PROMETHEUS:
		return "prometheus";
	case STORE_STORE:
		return "store";
	case STORE_QUERY:
		return "query";
	default:
		return "unknown";
	}
}

int
stores_json(struct stores *s, struct buf *out)
{
	static const enum store_kind kinds[] = { STORE_PROMETHEUS,
	    STORE_STORE, STORE_QUERY, STORE_UNKNOWN };
	char ts[CLOCK_RFC3339_MAX];

	pthread_mutex_lock(&s->mu);
	buf_addch(out, '{');
	for (size_t ki = 0, nk = 0; ki < 4; ki++) {
		size_t nin = 0;

		for (size_t i = 0; i < s->n; i++) {
			const struct store *st = &s->v[i];

			if (st->kind != kinds[ki])
				continue;
			if (nin++ == 0) {
				buf_addf(out, "%s\"%s\":[", nk++ ? "," : "",
				    kind_name(kinds[ki]));
			} else {
				buf_addch(out, ',');
			}
			clock_rfc3339(st->last_check, ts);
			buf_addstr(out, "{\"name\":");
			jsonstr_add(out, st->url, strlen(st->url));
			buf_addf(out, ",\"lastCheck\":\"%s\",\"lastError\":", ts);
			if (st->last_error[0] != '\0')
				jsonstr_add(out, st->last_error,
				    strlen(st->last_error));
			else
				buf_addstr(out, "null");
			buf_addstr(out, ",\"labelSets\":[");
			for (size_t j = 0; j < st->nlsets; j++) {
				if (j > 0)
					buf_addch(out, ',');
				jsonstr_add_labels(out, &st->lsets[j].l);
			}
			buf_addf(out, "],\"minTime\":%" PRId64 ",\"maxTime\":%"
			    PRId64 "}", st->kind == STORE_UNKNOWN ? 0 :
			    st->mint, st->kind == STORE_UNKNOWN ? 0 : st->maxt);
		}
		if (nin > 0)
			buf_addch(out, ']');
	}
	buf_addch(out, '}');
	pthread_mutex_unlock(&s->mu);
	return 0;
}

void
stores_release(struct stores *s)
{
	for (size_t i = 0; i < s->n; i++)
		store_release(&s->v[i]);
	free(s->v);
	for (size_t i = 0; i < s->nspecs; i++)
		endpoint_spec_release(&s->specs[i]);
	free(s->specs);
	free(s->dns_server);
	pthread_mutex_destroy(&s->mu);
	memset(s, 0, sizeof(*s));
}
