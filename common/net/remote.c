#include <errno.h>
#include <inttypes.h>
#include <snappy-c.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/crc32c.h"
#include "base/dec.h"
#include "base/errbuf.h"
#include "base/labels.h"
#include "net/remote.h"
#include "net/remote.pb-c.h"
#include "tsdb/matcher.h"
#include "tsdb/xorchunk.h"

const char *const remote_request_headers[] = {
	"Content-Encoding: " REMOTE_ENCODING,
	"Accept-Encoding: " REMOTE_ENCODING,
	"Content-Type: " REMOTE_CT_SAMPLES,
	"User-Agent: strata/" VERSION,
	"X-Prometheus-Remote-Read-Version: " REMOTE_VERSION,
	NULL
};

/* Wire types and keys of the fields written by hand (see add_msg). */
#define WT_VARINT	0
#define WT_I64		1
#define WT_LEN		2
/* Samples per chunk when chunks are made anew: Prometheus' own. */
#define CHUNK_SAMPLES	120
#define KEY(f, wt)	((unsigned char)((f) << 3 | (wt)))

/* snappy's format stores the decoded length as a 32-bit uvarint. */
#define SNAPPY_MAX	((size_t)UINT32_MAX)

/* errbuf_set, returning code: decoders say whose fault a failure was. */
static int __attribute__((format(printf, 3, 4)))
fail(int code, char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, ERR_MAX, fmt, ap);
	va_end(ap);
	return code;
}

/* errbuf_sys for a system failure (out of memory): REMOTE_ESYS. */
static int __attribute__((format(printf, 2, 3)))
fail_sys(char *err, const char *fmt, ...)
{
	int saved = errno;
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, ERR_MAX, fmt, ap);
	va_end(ap);
	n = strlen(err);
	snprintf(err + n, ERR_MAX - n, ": %s", strerror(saved));
	errno = saved;
	return REMOTE_ESYS;
}

/* --- protobuf-c glue ------------------------------------------------------ */

/*
 * protobuf-c allocates a struct for every message it unpacks, so two
 * bytes of input (an empty Query) cost some eighty of memory: without a
 * budget a 32 MiB request could take gigabytes.  The budget only counts
 * allocations while unpacking; freeing is plain free, so a message can be
 * freed with pb_plain long after its budget has gone.
 */
struct pb_budget {
	ProtobufCAllocator	 a;
	size_t			 left;
};

static void *
pb_alloc(void *data, size_t n)
{
	struct pb_budget *b = data;

	if (b != NULL) {
		if (n > b->left) {
			errno = ENOBUFS;
			return NULL;
		}
		b->left -= n;
	}
	return malloc(n);
}

static void
pb_free(void *data, void *p)
{
	(void)data;
	free(p);
}

static ProtobufCAllocator pb_plain = { pb_alloc, pb_free, NULL };

static void
pb_budget_init(struct pb_budget *b, size_t len)
{
	b->a.alloc = pb_alloc;
	b->a.free = pb_free;
	b->a.allocator_data = b;
	b->left = len > (SIZE_MAX - ((size_t)1 << 20)) / 8 ? SIZE_MAX :
	    len * 8 + ((size_t)1 << 20);
}

/*
 * Append one length-delimited field: its key, uvarint(size), and the
 * message as protobuf-c packs it.  This is what an element of a repeated
 * embedded message looks like on the wire, so a response can be written
 * a series at a time instead of as one tree; protobuf-c still writes
 * every byte of each message.
 */
static int
add_msg(struct buf *b, unsigned field, const ProtobufCMessage *m)
{
	unsigned char hdr[1 + ENC_UVARINT_MAX];
	size_t n, h;

	n = protobuf_c_message_get_packed_size(m);
	hdr[0] = KEY(field, WT_LEN);
	h = 1 + enc_uvarint_put(hdr + 1, n);
	if (buf_grow(b, h + n) == -1)
		return -1;
	memcpy(b->data + b->len, hdr, h);
	protobuf_c_message_pack(m, (uint8_t *)b->data + b->len + h);
	b->len += h + n;
	b->data[b->len] = '\0';
	return 0;
}

static ProtobufCBinaryData
bin(struct str s)
{
	ProtobufCBinaryData d;

	d.len = s.n;
	/* protobuf-c only reads it when packing. */
	d.data = (uint8_t *)(uintptr_t)s.p;
	return d;
}

static struct str
str_bin(ProtobufCBinaryData d)
{
	struct str s;

	s.p = d.len ? (const char *)d.data : "";
	s.n = d.len;
	return s;
}

/* --- snappy --------------------------------------------------------------- */

static int
snappy_add(struct buf *out, const void *p, size_t n)
{
	size_t clen;

	if (n > SNAPPY_MAX) {
		errno = ENOBUFS;
		return -1;
	}
	clen = snappy_max_compressed_length(n);
	if (buf_grow(out, clen) == -1)
		return -1;
	if (snappy_compress(p, n, out->data + out->len, &clen) != SNAPPY_OK) {
		/* Only a too-small output fails, and it was big enough. */
		errno = EINVAL;
		return -1;
	}
	out->len += clen;
	out->data[out->len] = '\0';
	return 0;
}

/* Decode a snappy block of at most max decoded bytes into a new
 * allocation.  Go's snappy says "snappy: corrupt input" for any bad
 * block, and 2.42 sends that line as its 400 body: we do too. */
static int
snappy_get(const void *p, size_t n, size_t max, char **out, size_t *outlen,
    char *err)
{
	size_t dlen;
	char *d;

	*out = NULL;
	*outlen = 0;
	if (snappy_uncompressed_length(p, n, &dlen) != SNAPPY_OK)
		return fail(REMOTE_EBAD, err, "snappy: corrupt input");
	if (dlen > max)
		return fail(REMOTE_EBAD, err,
		    "snappy: decoded size %zu exceeds the "
		    "limit of %zu bytes", dlen, max);
	/* One byte more so that an empty result is not malloc(0). */
	if ((d = malloc(dlen + 1)) == NULL)
		return fail_sys(err, "snappy");
	if (snappy_uncompress(p, n, d, &dlen) != SNAPPY_OK) {
		free(d);
		return fail(REMOTE_EBAD, err, "snappy: corrupt input");
	}
	*out = d;
	*outlen = dlen;
	return 0;
}

/* What a failed unpack means: the budget or malloc ran out (errno says
 * which), or the bytes are not the message. */
static int
unpack_error(char *err, const char *what, int saved)
{
	if (saved == ENOBUFS)
		return fail(REMOTE_EBAD, err, "%s: too many parts for its size",
		    what);
	if (saved == ENOMEM) {
		errno = ENOMEM;
		return fail_sys(err, "%s", what);
	}
	return fail(REMOTE_EBAD, err, "%s: malformed protobuf", what);
}

/* --- the request ---------------------------------------------------------- */

void
remote_request_init(struct remote_request *rq)
{
	memset(rq, 0, sizeof(*rq));
}

static void
hints_release(struct remote_hints *h)
{
	free(h->func);
	for (size_t i = 0; i < h->ngrouping; i++)
		free(h->grouping[i]);
	free(h->grouping);
	memset(h, 0, sizeof(*h));
}

void
remote_request_release(struct remote_request *rq)
{
	for (size_t i = 0; i < rq->nqueries; i++) {
		matchers_free(rq->queries[i].matchers,
		    rq->queries[i].nmatchers);
		hints_release(&rq->queries[i].hints);
	}
	free(rq->queries);
	free(rq->types);
	memset(rq, 0, sizeof(*rq));
}

/* Make room for one more element of an array of size n and capacity
 * *cap, doubling. */
static void *
grow_one(void *p, size_t n, size_t *cap, size_t size)
{
	size_t ncap;

	if (n < *cap)
		return p;
	ncap = *cap ? *cap * 2 : 4;
	if ((p = reallocarray(p, ncap, size)) != NULL)
		*cap = ncap;
	return p;
}

int
remote_request_add_query(struct remote_request *rq, int64_t start_ms,
    int64_t end_ms, struct matcher *m, size_t n)
{
	struct remote_query *q;

	q = grow_one(rq->queries, rq->nqueries, &rq->qcap, sizeof(*q));
	if (q == NULL)
		return -1;
	rq->queries = q;
	q += rq->nqueries++;
	memset(q, 0, sizeof(*q));
	q->start_ms = start_ms;
	q->end_ms = end_ms;
	q->matchers = m;
	q->nmatchers = n;
	return 0;
}

int
remote_request_add_type(struct remote_request *rq, int32_t type)
{
	int32_t *t;

	t = grow_one(rq->types, rq->ntypes, &rq->tcap, sizeof(*t));
	if (t == NULL)
		return -1;
	rq->types = t;
	rq->types[rq->ntypes++] = type;
	return 0;
}

static int
convert_hints(struct remote_hints *h, const Prometheus__ReadHints *ph,
    char *err)
{
	h->step_ms = ph->step_ms;
	h->start_ms = ph->start_ms;
	h->end_ms = ph->end_ms;
	h->by = ph->by != 0;
	h->range_ms = ph->range_ms;
	if (ph->func != NULL && *ph->func != '\0' &&
	    (h->func = strdup(ph->func)) == NULL)
		return fail_sys(err, "hints");
	if (ph->n_grouping == 0)
		return 0;
	if ((h->grouping = calloc(ph->n_grouping, sizeof(char *))) == NULL)
		return fail_sys(err, "hints");
	for (; h->ngrouping < ph->n_grouping; h->ngrouping++)
		if ((h->grouping[h->ngrouping] =
		    strdup(ph->grouping[h->ngrouping])) == NULL)
			return fail_sys(err, "hints");
	return 0;
}

/* The matcher's error quotes the pattern, which may hold a newline: the
 * error becomes an HTTP body and a log value, one line each, so control
 * bytes are shown as \xNN (cut short if that does not fit). */
static void
oneline(char *e)
{
	char tmp[ERR_MAX];
	size_t k = 0;

	for (const char *p = e; *p != '\0' && k + 5 < sizeof(tmp); p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c == 0x7f)
			k += (size_t)snprintf(tmp + k, sizeof(tmp) - k,
			    "\\x%02x", c);
		else
			tmp[k++] = (char)c;
	}
	tmp[k] = '\0';
	memcpy(e, tmp, k + 1);
}

static int
convert_query(struct remote_query *q, const Prometheus__Query *pq, size_t qi,
    char *err)
{
	char e[ERR_MAX];

	q->start_ms = pq->start_timestamp_ms;
	q->end_ms = pq->end_timestamp_ms;
	if (pq->n_matchers > 0 &&
	    (q->matchers = calloc(pq->n_matchers, sizeof(*q->matchers))) ==
	    NULL)
		return fail_sys(err, "query %zu", qi);
	for (; q->nmatchers < pq->n_matchers; q->nmatchers++) {
		const Prometheus__LabelMatcher *pm = pq->matchers[q->nmatchers];
		struct str name = str_bin(pm->name), value = str_bin(pm->value);
		char *cname;
		int r;

		if ((unsigned)pm->type > PROMETHEUS__LABEL_MATCHER__TYPE__NRE)
			return fail(REMOTE_EQUERY, err,
			    "query %zu: matcher %zu: invalid "
			    "matcher type", qi, q->nmatchers);
		/* matcher_init takes the name as a C string. */
		if (memchr(name.p, '\0', name.n) != NULL)
			return fail(REMOTE_EBAD, err,
			    "query %zu: matcher %zu: label "
			    "name holds a NUL byte", qi, q->nmatchers);
		if ((cname = strndup(name.p, name.n)) == NULL)
			return fail_sys(err, "query %zu", qi);
		errno = 0;
		r = matcher_init(&q->matchers[q->nmatchers],
		    (enum matcher_type)pm->type, cname, value.p, value.n, e);
		free(cname);
		if (r == -1) {
			/* The regex's fault unless memory ran out. */
			if (errno == ENOMEM)
				return fail(REMOTE_ESYS, err,
				    "query %zu: %s", qi, e);
			oneline(e);
			return fail(REMOTE_EQUERY, err,
			    "query %zu: matcher %zu: %s", qi,
			    q->nmatchers, e);
		}
	}
	if (pq->hints != NULL) {
		q->has_hints = 1;
		return convert_hints(&q->hints, pq->hints, err);
	}
	return 0;
}

int
remote_request_decode(struct remote_request *rq, const void *body,
    size_t len, char *err)
{
	Prometheus__ReadRequest *pr;
	struct pb_budget budget;
	char *raw;
	size_t rawlen;
	int r, saved;

	remote_request_init(rq);
	if (len > REMOTE_MAX_BODY)
		return fail(REMOTE_EBAD, err,
		    "request body of %zu bytes exceeds the "
		    "limit of %zu bytes", len, REMOTE_MAX_BODY);
	if ((r = snappy_get(body, len, REMOTE_MAX_BODY, &raw, &rawlen,
	    err)) != 0)
		return r;
	pb_budget_init(&budget, rawlen);
	errno = 0;
	pr = prometheus__read_request__unpack(&budget.a, rawlen,
	    (const uint8_t *)raw);
	saved = errno;
	free(raw);
	if (pr == NULL)
		return unpack_error(err, "ReadRequest", saved);

	r = 0;
	if (pr->n_queries > 0 &&
	    (rq->queries = calloc(pr->n_queries, sizeof(*rq->queries))) ==
	    NULL)
		r = fail_sys(err, "ReadRequest");
	rq->qcap = pr->n_queries;
	for (size_t i = 0; r == 0 && i < pr->n_queries; i++) {
		/* Count it first: a half-built query is released too. */
		rq->nqueries++;
		r = convert_query(&rq->queries[i], pr->queries[i], i, err);
	}
	if (r == 0 && pr->n_accepted_response_types > 0) {
		if ((rq->types = calloc(pr->n_accepted_response_types,
		    sizeof(*rq->types))) == NULL)
			r = fail_sys(err, "ReadRequest");
		rq->tcap = pr->n_accepted_response_types;
		for (size_t i = 0; r == 0 &&
		    i < pr->n_accepted_response_types; i++)
			rq->types[rq->ntypes++] =
			    (int32_t)pr->accepted_response_types[i];
	}
	prometheus__read_request__free_unpacked(pr, &pb_plain);
	if (r != 0)
		remote_request_release(rq);
	return r;
}

int
remote_http_status(int rc)
{
	switch (rc) {
	case 0:
		return 200;
	case REMOTE_EBAD:
		return 400;
	default:
		return 500;
	}
}

/* The heap tree protobuf-c packs a ReadRequest from; pointers into rq. */
struct req_tree {
	Prometheus__Query		*q, **qp;
	Prometheus__LabelMatcher	*m, **mp;
	Prometheus__ReadHints		*h;
	Prometheus__ReadRequest__ResponseType *types;
};

static void
req_tree_free(struct req_tree *t)
{
	free(t->q);
	free(t->qp);
	free(t->m);
	free(t->mp);
	free(t->h);
	free(t->types);
}

static int
req_tree_build(struct req_tree *t, const struct remote_request *rq,
    Prometheus__ReadRequest *pr)
{
	size_t nm = 0, k = 0;

	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < rq->nqueries; i++)
		nm += rq->queries[i].nmatchers;
	/* One more of each so that nothing is malloc(0). */
	if ((t->q = calloc(rq->nqueries + 1, sizeof(*t->q))) == NULL ||
	    (t->qp = calloc(rq->nqueries + 1, sizeof(*t->qp))) == NULL ||
	    (t->h = calloc(rq->nqueries + 1, sizeof(*t->h))) == NULL ||
	    (t->m = calloc(nm + 1, sizeof(*t->m))) == NULL ||
	    (t->mp = calloc(nm + 1, sizeof(*t->mp))) == NULL ||
	    (t->types = calloc(rq->ntypes + 1, sizeof(*t->types))) == NULL)
		return -1;
	for (size_t i = 0; i < rq->nqueries; i++) {
		const struct remote_query *q = &rq->queries[i];
		Prometheus__Query *pq = &t->q[i];

		prometheus__query__init(pq);
		pq->start_timestamp_ms = q->start_ms;
		pq->end_timestamp_ms = q->end_ms;
		pq->n_matchers = q->nmatchers;
		pq->matchers = &t->mp[k];
		for (size_t j = 0; j < q->nmatchers; j++, k++) {
			const struct matcher *m = &q->matchers[j];

			prometheus__label_matcher__init(&t->m[k]);
			t->m[k].type = (Prometheus__LabelMatcher__Type)m->type;
			t->m[k].name = bin(str_of(m->name));
			t->m[k].value = bin((struct str){ m->value, m->vlen });
			t->mp[k] = &t->m[k];
		}
		if (q->has_hints) {
			Prometheus__ReadHints *h = &t->h[i];

			prometheus__read_hints__init(h);
			h->step_ms = q->hints.step_ms;
			h->func = q->hints.func ? q->hints.func :
			    (char *)protobuf_c_empty_string;
			h->start_ms = q->hints.start_ms;
			h->end_ms = q->hints.end_ms;
			h->n_grouping = q->hints.ngrouping;
			h->grouping = q->hints.grouping;
			h->by = q->hints.by != 0;
			h->range_ms = q->hints.range_ms;
			pq->hints = h;
		}
		t->qp[i] = pq;
	}
	for (size_t i = 0; i < rq->ntypes; i++)
		t->types[i] =
		    (Prometheus__ReadRequest__ResponseType)rq->types[i];
	prometheus__read_request__init(pr);
	pr->n_queries = rq->nqueries;
	pr->queries = t->qp;
	pr->n_accepted_response_types = rq->ntypes;
	pr->accepted_response_types = t->types;
	return 0;
}

int
remote_request_encode(const struct remote_request *rq, struct buf *out,
    char *err)
{
	Prometheus__ReadRequest pr;
	struct req_tree t;
	uint8_t *msg = NULL;
	size_t n;
	int r = -1;

	if (req_tree_build(&t, rq, &pr) == 0) {
		n = prometheus__read_request__get_packed_size(&pr);
		if ((msg = malloc(n + 1)) != NULL) {
			prometheus__read_request__pack(&pr, msg);
			r = snappy_add(out, msg, n);
		}
	}
	if (r == -1)
		fail_sys(err, "encode ReadRequest");
	free(msg);
	req_tree_free(&t);
	return r;
}

int
remote_request_pick_type(const struct remote_request *rq,
    enum remote_type *type, char *err)
{
	struct buf b = BUF_INIT(ERR_MAX);

	if (rq->ntypes == 0) {
		*type = REMOTE_SAMPLES;
		return 0;
	}
	for (size_t i = 0; i < rq->ntypes; i++) {
		if (rq->types[i] == REMOTE_SAMPLES ||
		    rq->types[i] == REMOTE_STREAMED_XOR_CHUNKS) {
			*type = (enum remote_type)rq->types[i];
			return 0;
		}
	}
	/* Go's %v of the list: unknown enum values print as numbers. */
	for (size_t i = 0; i < rq->ntypes; i++)
		if (buf_addf(&b, "%s%" PRId32, i ? " " : "", rq->types[i]) ==
		    -1)
			break;
	fail(REMOTE_EBAD, err, "server does not support any of the requested "
	    "response types: [%s]; supported: map[SAMPLES:{} "
	    "STREAMED_XOR_CHUNKS:{}]", b.data ? b.data : "");
	buf_release(&b);
	return -1;
}

/* --- decoded series ----------------------------------------------------- */

static void
series_release(struct remote_series *s)
{
	labels_release(&s->labels);
	free(s->t);
	free(s->v);
	free(s->chunks);
	memset(s, 0, sizeof(*s));
}

static int
convert_labels(struct labels *out, Prometheus__Label **pl, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (labels_add(out, str_bin(pl[i]->name),
		    str_bin(pl[i]->value)) == -1)
			return -1;
	return 0;
}

void
remote_response_release(struct remote_response *r)
{
	for (size_t i = 0; i < r->nresults; i++) {
		for (size_t j = 0; j < r->results[i].nseries; j++)
			series_release(&r->results[i].series[j]);
		free(r->results[i].series);
	}
	free(r->results);
	if (r->msg != NULL)
		prometheus__read_response__free_unpacked(r->msg, &pb_plain);
	memset(r, 0, sizeof(*r));
}

static int
convert_samples(struct remote_series *s, const Prometheus__TimeSeries *ts)
{
	if (convert_labels(&s->labels, ts->labels, ts->n_labels) == -1)
		return -1;
	if (ts->n_samples == 0)
		return 0;
	if ((s->t = calloc(ts->n_samples, sizeof(*s->t))) == NULL ||
	    (s->v = calloc(ts->n_samples, sizeof(*s->v))) == NULL)
		return -1;
	for (size_t i = 0; i < ts->n_samples; i++) {
		s->t[i] = ts->samples[i]->timestamp;
		/* As bits: a NaN's payload is the stale marker. */
		memcpy(&s->v[i], &ts->samples[i]->value, sizeof(double));
	}
	s->n = ts->n_samples;
	return 0;
}

int
remote_samples_decode(struct remote_response *r, const void *body,
    size_t len, size_t max, char *err)
{
	Prometheus__ReadResponse *pr;
	struct pb_budget budget;
	char *raw;
	size_t rawlen;
	int rc, saved;

	memset(r, 0, sizeof(*r));
	if ((rc = snappy_get(body, len, max ? max : REMOTE_MAX_RESPONSE, &raw,
	    &rawlen, err)) != 0)
		return rc;
	pb_budget_init(&budget, rawlen);
	errno = 0;
	pr = prometheus__read_response__unpack(&budget.a, rawlen,
	    (const uint8_t *)raw);
	saved = errno;
	free(raw);
	if (pr == NULL)
		return unpack_error(err, "ReadResponse", saved);
	r->msg = pr;
	/* Zeroed arrays, counted at once: release copes with any point. */
	if (pr->n_results > 0 &&
	    (r->results = calloc(pr->n_results, sizeof(*r->results))) == NULL)
		goto nomem;
	r->nresults = pr->n_results;
	for (size_t i = 0; i < pr->n_results; i++) {
		const Prometheus__QueryResult *q = pr->results[i];
		struct remote_result *res = &r->results[i];

		if (q->n_timeseries > 0 && (res->series =
		    calloc(q->n_timeseries, sizeof(*res->series))) == NULL)
			goto nomem;
		res->nseries = q->n_timeseries;
		for (size_t j = 0; j < q->n_timeseries; j++)
			if (convert_samples(&res->series[j],
			    q->timeseries[j]) == -1)
				goto nomem;
	}
	return 0;
nomem:
	fail_sys(err, "ReadResponse");
	remote_response_release(r);
	return REMOTE_ESYS;
}

/* --- STREAMED_XOR_CHUNKS: frame writer ------------------------------------ */

void
remote_frame_enc_init(struct remote_frame_enc *e, struct buf *out,
    size_t max_bytes)
{
	memset(e, 0, sizeof(*e));
	e->out = out;
	e->max_bytes = max_bytes ? max_bytes : REMOTE_FRAME_BYTES;
	buf_init(&e->labels, BUF_NOMAX);
	buf_init(&e->chunks, BUF_NOMAX);
}

/* Write the pending chunks as one frame: uvarint(size), BE32 CRC32C of
 * the message, the message.  The message is ChunkedReadResponse{
 * chunked_series: [{labels, chunks}], query_index }, put together from
 * the packed parts: field 1 holding the series, then field 2 as a
 * varint unless it is 0 (proto3 leaves zeros out, and 2.42 does). */
static int
emit_frame(struct remote_frame_enc *e)
{
	unsigned char hdr[1 + ENC_UVARINT_MAX], qi[1 + ENC_UVARINT_MAX];
	unsigned char sz[ENC_UVARINT_MAX], crcb[4];
	size_t body = e->labels.len + e->chunks.len, h, q = 0, n, s;
	uint32_t crc;

	hdr[0] = KEY(1, WT_LEN);
	h = 1 + enc_uvarint_put(hdr + 1, body);
	if (e->query_index != 0) {
		qi[0] = KEY(2, WT_VARINT);
		q = 1 + enc_uvarint_put(qi + 1, (uint64_t)e->query_index);
	}
	n = h + body + q;
	s = enc_uvarint_put(sz, n);
	crc = crc32c(hdr, h);
	crc = crc32c_update(crc, e->labels.data, e->labels.len);
	crc = crc32c_update(crc, e->chunks.data, e->chunks.len);
	crc = crc32c_update(crc, qi, q);
	crcb[0] = (unsigned char)(crc >> 24);
	crcb[1] = (unsigned char)(crc >> 16);
	crcb[2] = (unsigned char)(crc >> 8);
	crcb[3] = (unsigned char)crc;
	/* All or nothing: out only ever holds whole frames. */
	if (buf_grow(e->out, s + 4 + n) == -1)
		return -1;
	buf_add(e->out, sz, s);
	buf_add(e->out, crcb, 4);
	buf_add(e->out, hdr, h);
	buf_add(e->out, e->labels.data, e->labels.len);
	buf_add(e->out, e->chunks.data, e->chunks.len);
	buf_add(e->out, qi, q);
	buf_reset(&e->chunks);
	e->nchunks = 0;
	e->left = (int64_t)e->max_bytes - (int64_t)e->label_size;
	return 0;
}

int
remote_frame_enc_series(struct remote_frame_enc *e, int64_t query_index,
    const struct labels *l)
{
	Prometheus__Label pl;

	if (remote_frame_enc_end(e) == -1)
		return -1;
	buf_reset(&e->labels);
	e->label_size = 0;
	for (size_t i = 0; i < l->n; i++) {
		prometheus__label__init(&pl);
		pl.name = bin(l->v[i].name);
		pl.value = bin(l->v[i].value);
		e->label_size += prometheus__label__get_packed_size(&pl);
		if (add_msg(&e->labels, 1, &pl.base) == -1)
			return -1;
	}
	e->query_index = query_index;
	e->left = (int64_t)e->max_bytes - (int64_t)e->label_size;
	e->open = 1;
	return 0;
}

int
remote_frame_enc_chunk(struct remote_frame_enc *e, int64_t mint,
    int64_t maxt, int encoding, const void *data, size_t len)
{
	Prometheus__Chunk pc = PROMETHEUS__CHUNK__INIT;

	if (!e->open) {
		errno = EINVAL;
		return -1;
	}
	/*
	 * 2.42 sends a frame once a chunk has used up its budget, if more
	 * chunks follow.  We cannot know that yet, so the full frame waits
	 * here for the next chunk: the same frames, one call later.
	 */
	if (e->nchunks > 0 && e->left <= 0 && emit_frame(e) == -1)
		return -1;
	pc.min_time_ms = mint;
	pc.max_time_ms = maxt;
	pc.type = (Prometheus__Chunk__Encoding)encoding;
	pc.data.len = len;
	pc.data.data = (uint8_t *)(uintptr_t)data;
	if (add_msg(&e->chunks, 2, &pc.base) == -1)
		return -1;
	e->left -= (int64_t)prometheus__chunk__get_packed_size(&pc);
	e->nchunks++;
	return 0;
}

int
remote_frame_enc_end(struct remote_frame_enc *e)
{
	if (e->open && e->nchunks > 0 && emit_frame(e) == -1)
		return -1;
	e->open = 0;
	return 0;
}

int
remote_frame_enc_samples(struct remote_frame_enc *e, const int64_t *t,
    const double *v, size_t n, struct buf *scratch)
{
	const unsigned char *p;
	struct xor_enc enc;
	size_t len;

	for (size_t i = 0; i < n; i += CHUNK_SAMPLES) {
		size_t end = i + CHUNK_SAMPLES < n ? i + CHUNK_SAMPLES : n;

		buf_reset(scratch);
		xor_enc_init(&enc, scratch);
		for (size_t k = i; k < end; k++)
			if (xor_enc_add(&enc, t[k], v[k]) == -1)
				return -1;
		if ((p = xor_enc_finish(&enc, &len)) == NULL ||
		    remote_frame_enc_chunk(e, t[i], t[end - 1],
		    REMOTE_CHUNK_XOR, p, len) == -1)
			return -1;
	}
	return 0;
}

void
remote_frame_enc_release(struct remote_frame_enc *e)
{
	buf_release(&e->labels);
	buf_release(&e->chunks);
	memset(e, 0, sizeof(*e));
}

/* --- STREAMED_XOR_CHUNKS: frame reader ------------------------------------ */

void
remote_frame_dec_init(struct remote_frame_dec *d, size_t max)
{
	memset(d, 0, sizeof(*d));
	d->max = max ? max : REMOTE_MAX_FRAME;
	buf_init(&d->in, BUF_NOMAX);
}

static void
frame_free(struct remote_frame_dec *d)
{
	for (size_t i = 0; i < d->cap; i++)
		series_release(&d->series[i]);
	if (d->msg != NULL)
		prometheus__chunked_read_response__free_unpacked(d->msg,
		    &pb_plain);
	d->msg = NULL;
}

int
remote_frame_dec_feed(struct remote_frame_dec *d, const void *p, size_t n)
{
	/* Drop what was read once it is most of the buffer, so a long
	 * stream fed in pieces does not pile up. */
	if (d->off > 0 && d->off >= d->in.len / 2) {
		memmove(d->in.data, d->in.data + d->off, d->in.len - d->off);
		d->in.len -= d->off;
		d->in.data[d->in.len] = '\0';
		d->off = 0;
	}
	return buf_add(&d->in, p, n);
}

static int
frame_convert(struct remote_frame_dec *d, struct remote_frame *f,
    const Prometheus__ChunkedReadResponse *m)
{
	if (m->n_chunked_series > d->cap) {
		struct remote_series *s;

		s = reallocarray(d->series, m->n_chunked_series, sizeof(*s));
		if (s == NULL)
			return -1;
		memset(s + d->cap, 0, (m->n_chunked_series - d->cap) *
		    sizeof(*s));
		d->series = s;
		d->cap = m->n_chunked_series;
	}
	f->query_index = m->query_index;
	f->series = d->series;
	f->nseries = m->n_chunked_series;
	for (size_t i = 0; i < m->n_chunked_series; i++) {
		const Prometheus__ChunkedSeries *cs = m->chunked_series[i];
		struct remote_series *s = &d->series[i];

		if (convert_labels(&s->labels, cs->labels, cs->n_labels) == -1)
			return -1;
		if (cs->n_chunks == 0)
			continue;
		if ((s->chunks = calloc(cs->n_chunks, sizeof(*s->chunks))) ==
		    NULL)
			return -1;
		for (size_t j = 0; j < cs->n_chunks; j++) {
			const Prometheus__Chunk *c = cs->chunks[j];

			s->chunks[j].mint = c->min_time_ms;
			s->chunks[j].maxt = c->max_time_ms;
			s->chunks[j].encoding = (int)c->type;
			s->chunks[j].data = c->data.len ? c->data.data :
			    (const unsigned char *)"";
			s->chunks[j].len = c->data.len;
		}
		s->nchunks = cs->n_chunks;
	}
	return 0;
}

int
remote_frame_dec_next(struct remote_frame_dec *d, struct remote_frame *f,
    char *err)
{
	Prometheus__ChunkedReadResponse *m;
	struct pb_budget budget;
	struct dec x;
	const unsigned char *msg, *start;
	uint64_t size;
	size_t consumed;
	uint32_t want, got;
	int saved;

	memset(f, 0, sizeof(*f));
	frame_free(d);
	if (d->failed)
		return fail(REMOTE_EBAD, err, "frame %" PRIu64 ": reader "
		    "failed before", d->nframes);
	if (d->off == d->in.len)
		return 0;
	start = (const unsigned char *)d->in.data + d->off;
	dec_init(&x, start, d->in.len - d->off);
	size = dec_uvarint(&x);
	if (x.err == DEC_ETRUNC)
		return 0;
	d->failed = 1;
	if (x.err != 0)
		return fail(REMOTE_EBAD, err,
		    "frame %" PRIu64 " at byte %" PRIu64
		    ": bad size: %s", d->nframes, d->pos, dec_strerror(&x));
	if (size > d->max)
		return fail(REMOTE_EBAD, err,
		    "frame %" PRIu64 " at byte %" PRIu64
		    ": size %" PRIu64 " exceeds the limit of %zu bytes",
		    d->nframes, d->pos, size, d->max);
	if (dec_remaining(&x) < 4 + size) {
		d->failed = 0;
		return 0;
	}
	want = dec_be32(&x);
	msg = dec_bytes(&x, (size_t)size);
	if ((got = crc32c(msg, (size_t)size)) != want)
		return fail(REMOTE_EBAD, err,
		    "frame %" PRIu64 " at byte %" PRIu64
		    ": CRC mismatch: stored %08" PRIx32 ", computed %08" PRIx32,
		    d->nframes, d->pos, want, got);
	pb_budget_init(&budget, (size_t)size);
	errno = 0;
	m = prometheus__chunked_read_response__unpack(&budget.a, (size_t)size,
	    msg);
	saved = errno;
	if (m == NULL) {
		char what[64];

		snprintf(what, sizeof(what), "frame %" PRIu64 " at byte %"
		    PRIu64, d->nframes, d->pos);
		return unpack_error(err, what, saved);
	}
	d->msg = m;
	if (frame_convert(d, f, m) == -1) {
		memset(f, 0, sizeof(*f));
		return fail_sys(err, "frame %" PRIu64, d->nframes);
	}
	d->failed = 0;
	consumed = (size_t)(x.p - start);
	d->off += consumed;
	d->pos += consumed;
	d->nframes++;
	return 1;
}

int
remote_frame_dec_finish(struct remote_frame_dec *d, char *err)
{
	if (d->failed)
		return fail(REMOTE_EBAD, err,
		    "frame %" PRIu64 ": reader failed "
		    "before", d->nframes);
	if (d->off < d->in.len)
		return fail(REMOTE_EBAD, err,
		    "frame %" PRIu64 " at byte %" PRIu64
		    ": truncated frame: the stream ends %zu bytes into it",
		    d->nframes, d->pos, d->in.len - d->off);
	return 0;
}

void
remote_frame_dec_release(struct remote_frame_dec *d)
{
	frame_free(d);
	free(d->series);
	buf_release(&d->in);
	memset(d, 0, sizeof(*d));
}

/* --- from chunks to samples --------------------------------------------- */

static int
points_push(struct remote_points *p, int64_t t, uint64_t vbits)
{
	if (p->n == p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 256;
		int64_t *nt;
		double *nv;

		if ((nt = reallocarray(p->t, ncap, sizeof(*nt))) == NULL)
			return -1;
		p->t = nt;
		if ((nv = reallocarray(p->v, ncap, sizeof(*nv))) == NULL)
			return -1;
		p->v = nv;
		p->cap = ncap;
	}
	if (p->n > 0 && t <= p->t[p->n - 1])
		p->unsorted = 1;
	p->t[p->n] = t;
	memcpy(&p->v[p->n], &vbits, sizeof(double));
	p->n++;
	return 0;
}

int
remote_points_add_chunks(struct remote_points *p,
    const struct remote_chunk *c, size_t n, int64_t mint, int64_t maxt,
    char *err)
{
	struct xor_iter it;
	int r;

	for (size_t i = 0; i < n; i++) {
		if (c[i].encoding != REMOTE_CHUNK_XOR)
			return fail(REMOTE_EBAD, err,
			    "chunk %zu: encoding %d is not "
			    "supported", i, c[i].encoding);
		xor_iter_init(&it, c[i].data, c[i].len);
		while ((r = xor_iter_next(&it)) == 1)
			if (it.t >= mint && it.t <= maxt &&
			    points_push(p, it.t, it.vbits) == -1)
				return fail_sys(err, "chunk %zu", i);
		if (r == -1)
			return fail(REMOTE_EBAD, err,
			    "chunk %zu: %s", i, it.err);
	}
	return 0;
}

struct point {
	int64_t		t;
	uint64_t	v;
	size_t		i;	/* arrival order: the sort is stable */
};

static int
by_time(const void *a, const void *b)
{
	const struct point *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

int
remote_points_finish(struct remote_points *p)
{
	struct point *s;
	size_t k = 0;

	if (!p->unsorted)
		return 0;
	if ((s = calloc(p->n, sizeof(*s))) == NULL)
		return -1;
	for (size_t i = 0; i < p->n; i++) {
		s[i].t = p->t[i];
		memcpy(&s[i].v, &p->v[i], sizeof(double));
		s[i].i = i;
	}
	qsort(s, p->n, sizeof(*s), by_time);
	for (size_t i = 0; i < p->n; i++) {
		if (k > 0 && s[i].t == p->t[k - 1])
			continue;
		p->t[k] = s[i].t;
		memcpy(&p->v[k], &s[i].v, sizeof(double));
		k++;
	}
	p->n = k;
	p->unsorted = 0;
	free(s);
	return 0;
}

void
remote_points_reset(struct remote_points *p)
{
	p->n = 0;
	p->unsorted = 0;
}

void
remote_points_release(struct remote_points *p)
{
	free(p->t);
	free(p->v);
	memset(p, 0, sizeof(*p));
}
