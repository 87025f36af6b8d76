#include <stdlib.h>
#include <string.h>

#include "base/errbuf.h"
#include "query.h"

void
qopts_default(const struct qm *qm, struct qopts *o)
{
	memset(o, 0, sizeof(*o));
	o->dedup = 1;
	o->partial = qm->partial;
	memcpy(o->replica, qm->replica, sizeof(o->replica));
	o->nreplica = qm->nreplica;
}

int
qm_counter_func(const char *f)
{
	static const char *const names[] = { "rate", "increase", "irate",
	    "resets", NULL };

	for (size_t i = 0; f != NULL && names[i]; i++)
		if (strcmp(f, names[i]) == 0)
			return 1;
	return 0;
}

void
qwarn_release(struct qwarn *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->line[i]);
	free(w->line);
	memset(w, 0, sizeof(*w));
}

int
qm_select(struct qm *qm, const struct qopts *o, const struct fetch_sel *sel,
    size_t nsel, merge_emit_fn emit, void *arg, struct qwarn *w, char *err)
{
	struct store_pick pick;
	struct fetch f = { 0 };
	struct merge_opts mo;
	int *counter;
	struct matcher **m;
	size_t *nm;
	int64_t mint = INT64_MAX, maxt = INT64_MIN;
	long timeout;
	int rc = 0;

	m = calloc(nsel ? nsel : 1, sizeof(*m));
	nm = calloc(nsel ? nsel : 1, sizeof(*nm));
	if (m == NULL || nm == NULL) {
		free(m);
		free(nm);
		return errbuf_sys(err, "query");
	}
	for (size_t i = 0; i < nsel; i++) {
		m[i] = sel[i].m;
		nm[i] = sel[i].nm;
		if (sel[i].mint < mint)
			mint = sel[i].mint;
		if (sel[i].maxt > maxt)
			maxt = sel[i].maxt;
	}
	rc = stores_pick(&qm->stores, m, nm, nsel, mint, maxt, &pick);
	free(m);
	free(nm);
	if (rc == -1)
		return errbuf_sys(err, "query");
	timeout = qm->store_timeout_ms > 0 ? qm->store_timeout_ms :
	    (long)qm->query_timeout_ms;
	if (fetch_run(&f, &pick, sel, nsel, timeout, err) == -1) {
		store_pick_release(&pick);
		fetch_release(&f);
		return QM_ESYS;
	}
	store_pick_release(&pick);
	if (f.nwarn > 0 && !o->partial) {
		errbuf_set(err, "%s", f.warn[0]);
		fetch_release(&f);
		return QM_ESTORE;
	}
	mo.dedup = o->dedup && o->nreplica > 0;
	mo.func = qm->func;
	mo.replica = o->replica;
	mo.nreplica = o->nreplica;
	mo.by_query = o->by_query;
	if ((counter = calloc(nsel ? nsel : 1, sizeof(*counter))) == NULL) {
		fetch_release(&f);
		return errbuf_sys(err, "query");
	}
	/* Without by_query the groups are all query 0: counters if any
	 * selector is read as one. */
	for (size_t i = 0; i < nsel; i++)
		counter[o->by_query ? i : 0] |= sel[i].counter;
	mo.counter = counter;
	mo.ncounter = nsel;
	if (merge_run(&mo, &f, emit, arg) == -1) {
		errbuf_sys(err, "query");
		rc = QM_ESYS;
	}
	/* The warnings go to the caller. */
	if (w != NULL) {
		w->line = f.warn;
		w->n = f.nwarn;
		f.warn = NULL;
		f.nwarn = 0;
	}
	free(counter);
	fetch_release(&f);
	return rc;
}
