#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "base/jsonstr.h"
#include "bucket/store.h"
#include "series/export.h"
#include "series/jsonl.h"
#include "tsdb/labelquery.h"
#include "once.h"

/* Remote chunk pages kept while answering. */
#define ONCE_CACHE	(256u << 20)

struct first_error {
	char	msg[ERR_MAX];
	int	set;
};

static void
on_error(void *arg, const char *ulid, const char *err)
{
	struct first_error *fe = arg;

	(void)ulid;
	if (!fe->set)
		snprintf(fe->msg, sizeof(fe->msg), "%s", err);
	fe->set = 1;
}

static int
flush(struct buf *b, FILE *out, char *err)
{
	if (b->len && fwrite(b->data, 1, b->len, out) != b->len)
		return errbuf_sys(err, "write <stdout>");
	buf_reset(b);
	return 0;
}

static int
write_series(const struct once *o, struct tsdb_block **blocks, size_t n,
    FILE *out, char *err)
{
	struct buf line = BUF_INIT(BUF_NOMAX);
	struct tsdb_query q;
	struct export x;
	int r;

	if (tsdb_query_open(&q, blocks, n, o->sel, o->nsel, o->mint, o->maxt,
	    err) == -1)
		return -1;
	export_init(&x, &q, o->format);
	while ((r = export_next(&x, &line, err)) == 1)
		if ((r = flush(&line, out, err)) == -1)
			break;
	export_release(&x);
	tsdb_query_close(&q);
	buf_release(&line);
	return r;
}

static int
write_names(const struct once *o, struct tsdb_block **blocks, size_t n,
    FILE *out, char *err)
{
	struct buf line = BUF_INIT(BUF_NOMAX);
	struct strs names = { 0 };
	int r;

	r = tsdb_label_query(blocks, n, o->sel, o->nsel, o->mint, o->maxt,
	    o->what == ONCE_LABELS ? NULL : o->label, &names, err);
	for (size_t i = 0; i < names.n && r == 0; i++) {
		if (jsonstr_add(&line, names.v[i].p, names.v[i].n) == -1 ||
		    buf_addch(&line, '\n') == -1)
			r = errbuf_sys(err, "output");
		else
			r = flush(&line, out, err);
	}
	strs_release(&names);
	buf_release(&line);
	return r;
}

int
once_run(const struct once *o, FILE *out, char *err)
{
	struct first_error fe = { .set = 0 };
	struct tsdb_block **blocks = NULL;
	struct store_set *set = NULL;
	struct store s;
	int r = -1;

	if (store_init(&s, o->bkt, o->data_dir, ONCE_CACHE, on_error, &fe,
	    err) == -1)
		return -1;
	if (store_sync(&s, err) == -1)
		goto out;
	if (fe.set) {
		snprintf(err, ERR_MAX, "%s", fe.msg);
		goto out;
	}
	set = store_acquire(&s);
	if ((blocks = calloc(set->n ? set->n : 1, sizeof(*blocks))) == NULL) {
		errbuf_sys(err, "blocks");
		goto out;
	}
	for (size_t i = 0; i < set->n; i++)
		blocks[i] = &set->v[i]->b;
	if (o->what == ONCE_SERIES)
		r = write_series(o, blocks, set->n, out, err);
	else
		r = write_names(o, blocks, set->n, out, err);
out:
	free(blocks);
	store_set_release(set);
	store_release(&s);
	return r;
}
