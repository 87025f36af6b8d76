/*
 * Fuzz the remote-read request decoder with arbitrary bytes.  Whatever
 * decodes must encode again and decode to the same request; whatever
 * fails must leave the request empty with an error line.  Under ASan any
 * read outside the input is a crash.
 *
 * An input starting with 'P' is a ReadRequest message: the rest is
 * snappy-compressed here first, so the fuzzer spends its time in the
 * protobuf decoder and not on snappy's framing.  Anything else is a
 * request body as a server gets it.
 */
#include <snappy-c.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "net/remote.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
same_strings(const char *a, const char *b)
{
	if ((a == NULL) != (b == NULL) || (a != NULL && strcmp(a, b) != 0))
		abort();
}

static void
same_request(const struct remote_request *a, const struct remote_request *b)
{
	if (a->nqueries != b->nqueries || a->ntypes != b->ntypes)
		abort();
	if (a->ntypes && memcmp(a->types, b->types, a->ntypes *
	    sizeof(*a->types)) != 0)
		abort();
	for (size_t i = 0; i < a->nqueries; i++) {
		const struct remote_query *x = &a->queries[i];
		const struct remote_query *y = &b->queries[i];

		if (x->start_ms != y->start_ms || x->end_ms != y->end_ms ||
		    x->nmatchers != y->nmatchers ||
		    x->has_hints != y->has_hints)
			abort();
		for (size_t j = 0; j < x->nmatchers; j++) {
			const struct matcher *m = &x->matchers[j];
			const struct matcher *n = &y->matchers[j];

			if (m->type != n->type || m->vlen != n->vlen ||
			    strcmp(m->name, n->name) != 0 ||
			    memcmp(m->value, n->value, m->vlen) != 0)
				abort();
		}
		if (x->hints.step_ms != y->hints.step_ms ||
		    x->hints.start_ms != y->hints.start_ms ||
		    x->hints.end_ms != y->hints.end_ms ||
		    x->hints.by != y->hints.by ||
		    x->hints.range_ms != y->hints.range_ms ||
		    x->hints.ngrouping != y->hints.ngrouping)
			abort();
		same_strings(x->hints.func, y->hints.func);
		for (size_t j = 0; j < x->hints.ngrouping; j++)
			same_strings(x->hints.grouping[j],
			    y->hints.grouping[j]);
	}
}

static void
check(const void *body, size_t len)
{
	struct remote_request rq, back;
	struct buf again = BUF_INIT(BUF_NOMAX);
	enum remote_type t;
	char err[ERR_MAX];
	int r;

	err[0] = '\0';
	r = remote_request_decode(&rq, body, len, err);
	if (r != 0) {
		if ((r != REMOTE_EBAD && r != REMOTE_EQUERY &&
		    r != REMOTE_ESYS) || err[0] == '\0' ||
		    strchr(err, '\n') != NULL)
			abort();
		if (rq.nqueries != 0 || rq.queries != NULL || rq.ntypes != 0)
			abort();
		return;
	}
	if (remote_request_pick_type(&rq, &t, err) == -1 && rq.ntypes == 0)
		abort();
	if (remote_request_encode(&rq, &again, err) != 0)
		abort();
	if (remote_request_decode(&back, again.data, again.len, err) != 0)
		abort();
	same_request(&rq, &back);
	remote_request_release(&back);
	remote_request_release(&rq);
	buf_release(&again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *c;
	size_t clen;

	if (size > 0 && data[0] == 'P') {
		clen = snappy_max_compressed_length(size - 1);
		if ((c = malloc(clen)) == NULL)
			return 0;
		if (snappy_compress((const char *)data + 1, size - 1, c,
		    &clen) == SNAPPY_OK)
			check(c, clen);
		free(c);
		return 0;
	}
	check(data, size);
	return 0;
}
