#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "base/io.h"
#include "bucket/store.h"
#include "tsdb/ulid.h"

/* A meta.json or tombstones file is small; these bound a broken one. */
#define META_MAX	(16u << 20)
#define TOMB_MAX	(256u << 20)

/* A remote chunk segment: what its read callback needs. */
struct store_seg {
	struct store	*s;
	char		*key;
	uint64_t	 id, size;
};

static struct store_set *
set_new(size_t n)
{
	struct store_set *set = calloc(1, sizeof(*set));

	if (set == NULL)
		return NULL;
	if ((set->v = calloc(n ? n : 1, sizeof(*set->v))) == NULL) {
		free(set);
		return NULL;
	}
	atomic_init(&set->refs, 1);
	return set;
}

static void
block_unref(struct store_block *sb)
{
	if (atomic_fetch_sub(&sb->refs, 1) != 1)
		return;
	tsdb_block_close(&sb->b);
	for (size_t i = 0; i < sb->nsegs; i++) {
		pagecache_forget(sb->store->pc, sb->segs[i].id);
		free(sb->segs[i].key);
	}
	free(sb->segs);
	if (sb->index_copy) {
		unlink(sb->index_copy);
		free(sb->index_copy);
	}
	free(sb);
}

void
store_set_release(struct store_set *set)
{
	if (set == NULL || atomic_fetch_sub(&set->refs, 1) != 1)
		return;
	for (size_t i = 0; i < set->n; i++)
		block_unref(set->v[i]);
	free(set->v);
	free(set);
}

int
store_init(struct store *s, struct bucket *bkt, const char *data_dir,
    size_t cache_bytes, store_error_fn on_error, void *arg, char *err)
{
	memset(s, 0, sizeof(*s));
	s->bkt = bkt;
	s->on_error = on_error;
	s->arg = arg;
	if ((s->data_dir = strdup(data_dir)) == NULL ||
	    (s->pc = pagecache_new(cache_bytes, 0)) == NULL ||
	    (s->cur = set_new(0)) == NULL) {
		store_release(s);
		return errbuf_sys(err, "store");
	}
	pthread_mutex_init(&s->mu, NULL);
	return 0;
}

void
store_release(struct store *s)
{
	store_set_release(s->cur);
	s->cur = NULL;
	pagecache_free(s->pc);
	free(s->data_dir);
	if (s->pc)
		pthread_mutex_destroy(&s->mu);
	memset(s, 0, sizeof(*s));
}

struct store_set *
store_acquire(struct store *s)
{
	struct store_set *set;

	pthread_mutex_lock(&s->mu);
	set = s->cur;
	atomic_fetch_add(&set->refs, 1);
	pthread_mutex_unlock(&s->mu);
	return set;
}

/* --- opening one block ---------------------------------------------------- */

static int
seg_fetch(void *ctx, uint64_t off, size_t len, struct buf *out, char *err)
{
	struct store_seg *g = ctx;

	return bucket_get_range(g->s->bkt, g->key, off, len, out, err) < 0 ?
	    -1 : 0;
}

static int
seg_read(void *ctx, uint64_t off, size_t len, struct buf *scratch, char *err)
{
	struct store_seg *g = ctx;

	return pagecache_read(g->s->pc, g->id, g->size, off, len, seg_fetch,
	    g, scratch, err);
}

struct seglist {
	struct store_seg	*v;
	size_t			 n, cap;
	struct store		*s;
	const char		*ulid;
};

static int
add_seg(void *arg, const struct bucket_entry *e, char *err)
{
	struct seglist *l = arg;
	const char *base = strrchr(e->name, '/');

	base = base ? base + 1 : e->name;
	if (e->dir || strlen(base) != 6 || strspn(base, "0123456789") != 6)
		return 0;
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 4;
		struct store_seg *v = reallocarray(l->v, ncap, sizeof(*v));

		if (v == NULL)
			return errbuf_sys(err, "%s", l->ulid);
		l->v = v;
		l->cap = ncap;
	}
	l->v[l->n] = (struct store_seg){ l->s, strdup(e->name), 0, e->size };
	if (l->v[l->n].key == NULL)
		return errbuf_sys(err, "%s", l->ulid);
	l->n++;
	return 0;
}

static int
cmp_seg(const void *a, const void *b)
{
	return strcmp(((const struct store_seg *)a)->key,
	    ((const struct store_seg *)b)->key);
}

/* The index into the data dir (kept when a copy of the right size is
 * already there from an earlier run), then memory-mapped. */
static int
fetch_index(struct store *s, struct store_block *sb, char *err)
{
	char key[64], dir[4096], path[4096];
	struct bucket_attr a;
	struct stat st;

	snprintf(key, sizeof(key), "%s/index", sb->ulid);
	if (io_path_join(dir, sizeof(dir), s->data_dir, sb->ulid) == -1 ||
	    io_path_join(path, sizeof(path), dir, "index") == -1)
		return errbuf_sys(err, "%s", s->data_dir);
	if (mkdir(dir, 0750) == -1 && errno != EEXIST)
		return errbuf_sys(err, "%s", dir);
	if (bucket_head(s->bkt, key, &a, err) < 0)
		return -1;
	if (stat(path, &st) == -1 || (uint64_t)st.st_size != a.size) {
		if (bucket_get_file(s->bkt, key, path, err) < 0)
			return -1;
	}
	if ((sb->index_copy = strdup(path)) == NULL)
		return errbuf_sys(err, "%s", path);
	return tsdb_source_open_file(&sb->b.isrc, path, err);
}

static int
open_remote(struct store *s, struct store_block *sb, char *err)
{
	struct buf meta = BUF_INIT(META_MAX), tomb = BUF_INIT(TOMB_MAX);
	struct seglist l = { .s = s, .ulid = sb->ulid };
	struct tsdb_source idx, *src = NULL;
	char key[64], name[256];
	int r = -1, tr;

	snprintf(name, sizeof(name), "%s/%s", s->bkt->url, sb->ulid);
	snprintf(key, sizeof(key), "%s/meta.json", sb->ulid);
	if (bucket_get(s->bkt, key, &meta, err) < 0)
		goto out;
	snprintf(key, sizeof(key), "%s/chunks/", sb->ulid);
	if (bucket_list(s->bkt, key, 0, add_seg, &l, err) == -1)
		goto out;
	qsort(l.v, l.n, sizeof(*l.v), cmp_seg);
	snprintf(key, sizeof(key), "%s/tombstones", sb->ulid);
	if ((tr = bucket_get(s->bkt, key, &tomb, err)) == -1)
		goto out;
	if (fetch_index(s, sb, err) == -1)
		goto out;
	idx = sb->b.isrc;
	if ((src = calloc(l.n ? l.n : 1, sizeof(*src))) == NULL) {
		errbuf_sys(err, "%s", name);
		tsdb_source_close(&idx);
		goto out;
	}
	for (size_t i = 0; i < l.n; i++) {
		l.v[i].id = pagecache_new_id(s->pc);
		if (tsdb_source_open_func(&src[i], l.v[i].key, l.v[i].size,
		    seg_read, &l.v[i], err) == -1) {
			for (size_t k = 0; k < i; k++)
				tsdb_source_close(&src[k]);
			free(src);
			tsdb_source_close(&idx);
			goto out;
		}
	}
	/* The segments' contexts must stay where the sources point. */
	sb->segs = l.v;
	sb->nsegs = l.n;
	l.v = NULL;
	r = tsdb_block_open_parts(&sb->b, name, meta.data, meta.len, &idx,
	    src, sb->nsegs, tr == 0 ? tomb.data : NULL, tomb.len, err);
out:
	for (size_t i = 0; l.v && i < l.n; i++)
		free(l.v[i].key);
	free(l.v);
	buf_release(&meta);
	buf_release(&tomb);
	return r;
}

static struct store_block *
open_block(struct store *s, const char *ulid, char *err)
{
	struct store_block *sb = calloc(1, sizeof(*sb));
	char *local;
	int r;

	if (sb == NULL) {
		errbuf_sys(err, "%s", ulid);
		return NULL;
	}
	snprintf(sb->ulid, sizeof(sb->ulid), "%s", ulid);
	sb->store = s;
	atomic_init(&sb->refs, 1);
	if ((local = bucket_local_path(s->bkt, ulid)) != NULL) {
		r = tsdb_block_open_dir(&sb->b, local, err);
		free(local);
	} else
		r = open_remote(s, sb, err);
	if (r == -1) {
		for (size_t i = 0; i < sb->nsegs; i++)
			free(sb->segs[i].key);
		free(sb->segs);
		if (sb->index_copy) {
			unlink(sb->index_copy);
			free(sb->index_copy);
		}
		free(sb);
		return NULL;
	}
	return sb;
}

/* --- sync ----------------------------------------------------------------- */

struct names {
	char	(*v)[27];
	size_t	 n, cap;
};

static int
add_name(void *arg, const struct bucket_entry *e, char *err)
{
	struct names *ns = arg;
	struct ulid u;
	char name[64];
	size_t len = strlen(e->name);

	if (!e->dir || len != 27 || e->name[26] != '/')
		return 0;
	memcpy(name, e->name, 26);
	name[26] = '\0';
	if (ulid_parse(name, &u) == -1)
		return 0;
	if (ns->n == ns->cap) {
		size_t ncap = ns->cap ? ns->cap * 2 : 64;
		char (*v)[27] = reallocarray(ns->v, ncap, sizeof(*v));

		if (v == NULL)
			return errbuf_sys(err, "list");
		ns->v = v;
		ns->cap = ncap;
	}
	ulid_format(&u, ns->v[ns->n++]);
	return 0;
}

static int
by_mint(const void *a, const void *b)
{
	const struct store_block *x = *(struct store_block *const *)a;
	const struct store_block *y = *(struct store_block *const *)b;

	if (x->b.meta.min_time != y->b.meta.min_time)
		return x->b.meta.min_time < y->b.meta.min_time ? -1 : 1;
	return strcmp(x->ulid, y->ulid);
}

static struct store_block *
find(struct store_set *set, const char *ulid)
{
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->v[i]->ulid, ulid) == 0)
			return set->v[i];
	return NULL;
}

/* Is the block complete (meta.json) and not marked for deletion? */
static int
visible(struct store *s, const char *ulid, char *err)
{
	char key[64];
	int r;

	snprintf(key, sizeof(key), "%s/meta.json", ulid);
	if ((r = bucket_exists(s->bkt, key, err)) != 1)
		return r;
	snprintf(key, sizeof(key), "%s/deletion-mark.json", ulid);
	if ((r = bucket_exists(s->bkt, key, err)) == -1)
		return -1;
	return !r;
}

int
store_sync(struct store *s, char *err)
{
	struct names ns = { 0 };
	struct store_set *old, *set = NULL;
	char berr[ERR_MAX];
	int r = -1, vis;

	s->syncs++;
	if (bucket_list(s->bkt, "", '/', add_name, &ns, err) == -1)
		goto fail;
	old = store_acquire(s);
	if ((set = set_new(ns.n)) == NULL) {
		store_set_release(old);
		errbuf_sys(err, "sync");
		goto fail;
	}
	for (size_t i = 0; i < ns.n; i++) {
		struct store_block *sb;

		if ((vis = visible(s, ns.v[i], berr)) == -1) {
			/* The bucket went away mid-sync: keep what we had. */
			store_set_release(old);
			store_set_release(set);
			snprintf(err, ERR_MAX, "%s", berr);
			goto fail;
		}
		if (!vis)
			continue;
		if ((sb = find(old, ns.v[i])) != NULL) {
			atomic_fetch_add(&sb->refs, 1);
			set->v[set->n++] = sb;
			continue;
		}
		if ((sb = open_block(s, ns.v[i], berr)) == NULL) {
			s->load_failures++;
			if (s->on_error)
				s->on_error(s->arg, ns.v[i], berr);
			continue;
		}
		set->v[set->n++] = sb;
	}
	store_set_release(old);
	qsort(set->v, set->n, sizeof(*set->v), by_mint);
	pthread_mutex_lock(&s->mu);
	old = s->cur;
	s->cur = set;
	pthread_mutex_unlock(&s->mu);
	store_set_release(old);
	r = 0;
	goto out;
fail:
	s->sync_failures++;
out:
	free(ns.v);
	return r;
}
