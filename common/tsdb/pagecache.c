#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/errbuf.h"
#include "tsdb/pagecache.h"

struct page {
	uint64_t	 id, no;
	unsigned char	*data;
	size_t		 len;
	struct page	*hnext;		/* hash chain */
	struct page	*prev, *next;	/* LRU: head is the newest */
};

struct pagecache {
	pthread_mutex_t	 mu;
	size_t		 max, page;
	struct page	**tab;
	size_t		 ntab;
	struct page	*head, *tail;
	uint64_t	 next_id;
	struct pagecache_stats st;
};

static size_t
slot(const struct pagecache *pc, uint64_t id, uint64_t no)
{
	uint64_t h = id * 0x9e3779b97f4a7c15ULL ^ (no + 0x632be59bd9b4e019ULL);

	h ^= h >> 29;
	return (size_t)(h % pc->ntab);
}

struct pagecache *
pagecache_new(size_t max_bytes, size_t page_size)
{
	struct pagecache *pc = calloc(1, sizeof(*pc));

	if (pc == NULL)
		return NULL;
	pc->max = max_bytes;
	pc->page = page_size ? page_size : 256 * 1024;
	/* About one slot per page that fits, at least a few. */
	pc->ntab = max_bytes / pc->page * 2 + 61;
	if ((pc->tab = calloc(pc->ntab, sizeof(*pc->tab))) == NULL) {
		free(pc);
		return NULL;
	}
	pthread_mutex_init(&pc->mu, NULL);
	return pc;
}

static void
lru_unlink(struct pagecache *pc, struct page *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else
		pc->head = p->next;
	if (p->next)
		p->next->prev = p->prev;
	else
		pc->tail = p->prev;
	p->prev = p->next = NULL;
}

static void
lru_push(struct pagecache *pc, struct page *p)
{
	p->next = pc->head;
	p->prev = NULL;
	if (pc->head)
		pc->head->prev = p;
	pc->head = p;
	if (pc->tail == NULL)
		pc->tail = p;
}

static void
drop(struct pagecache *pc, struct page *p)
{
	struct page **pp = &pc->tab[slot(pc, p->id, p->no)];

	while (*pp != p)
		pp = &(*pp)->hnext;
	*pp = p->hnext;
	lru_unlink(pc, p);
	pc->st.bytes -= p->len;
	pc->st.pages--;
	free(p->data);
	free(p);
}

static struct page *
lookup(struct pagecache *pc, uint64_t id, uint64_t no)
{
	struct page *p = pc->tab[slot(pc, id, no)];

	while (p && (p->id != id || p->no != no))
		p = p->hnext;
	return p;
}

/* Insert a page (taking data), evicting the oldest over the bound. */
static void
insert(struct pagecache *pc, uint64_t id, uint64_t no, unsigned char *data,
    size_t len)
{
	struct page *p;
	size_t s;

	if (lookup(pc, id, no) != NULL || (p = calloc(1, sizeof(*p))) == NULL) {
		free(data);
		return;
	}
	p->id = id;
	p->no = no;
	p->data = data;
	p->len = len;
	s = slot(pc, id, no);
	p->hnext = pc->tab[s];
	pc->tab[s] = p;
	lru_push(pc, p);
	pc->st.bytes += len;
	pc->st.pages++;
	while (pc->st.bytes > pc->max && pc->tail && pc->tail != p) {
		drop(pc, pc->tail);
		pc->st.evictions++;
	}
}

void
pagecache_free(struct pagecache *pc)
{
	if (pc == NULL)
		return;
	while (pc->head)
		drop(pc, pc->head);
	free(pc->tab);
	pthread_mutex_destroy(&pc->mu);
	free(pc);
}

uint64_t
pagecache_new_id(struct pagecache *pc)
{
	uint64_t id;

	pthread_mutex_lock(&pc->mu);
	id = ++pc->next_id;
	pthread_mutex_unlock(&pc->mu);
	return id;
}

/* Copy what the cache has of page no into out; 0 if it is missing. */
static int
copy_page(struct pagecache *pc, uint64_t id, uint64_t no, uint64_t from,
    uint64_t to, struct buf *out)
{
	uint64_t base = no * pc->page;
	struct page *p;
	int r = 0;

	pthread_mutex_lock(&pc->mu);
	if ((p = lookup(pc, id, no)) != NULL && base + p->len >= to) {
		lru_unlink(pc, p);
		lru_push(pc, p);
		pc->st.hits++;
		r = buf_add(out, p->data + (from - base), (size_t)(to - from))
		    == 0 ? 1 : -1;
	}
	pthread_mutex_unlock(&pc->mu);
	return r;
}

int
pagecache_read(struct pagecache *pc, uint64_t id, uint64_t size,
    uint64_t off, size_t len, pagecache_fetch_fn fetch, void *ctx,
    struct buf *out, char *err)
{
	struct buf got = BUF_INIT(BUF_NOMAX);
	uint64_t end = off + len, no, last, run_end, fo, fl;

	buf_reset(out);
	if (len == 0)
		return buf_add(out, "", 0) == -1 ? errbuf_sys(err, "cache") : 0;
	no = off / pc->page;
	last = (end - 1) / pc->page;
	while (no <= last) {
		uint64_t from = no * pc->page > off ? no * pc->page : off;
		uint64_t to = (no + 1) * pc->page < end ? (no + 1) * pc->page : end;
		int r = copy_page(pc, id, no, from, to, out);

		if (r == -1)
			goto nomem;
		if (r == 1) {
			no++;
			continue;
		}
		/* A run of missing pages: one fetch. */
		for (run_end = no + 1; run_end <= last; run_end++) {
			struct page *p;

			pthread_mutex_lock(&pc->mu);
			p = lookup(pc, id, run_end);
			pthread_mutex_unlock(&pc->mu);
			if (p)
				break;
		}
		fo = no * pc->page;
		fl = run_end * pc->page < size ? run_end * pc->page - fo :
		    size - fo;
		buf_reset(&got);
		if (fetch(ctx, fo, (size_t)fl, &got, err) == -1) {
			buf_release(&got);
			return -1;
		}
		if (got.len != fl) {
			buf_release(&got);
			return errbuf_set(err, "short read at offset %llu",
			    (unsigned long long)fo);
		}
		pthread_mutex_lock(&pc->mu);
		pc->st.misses++;
		for (uint64_t k = no; k < run_end; k++) {
			size_t po = (size_t)((k - no) * pc->page);
			size_t pl = got.len - po < pc->page ? got.len - po :
			    pc->page;
			unsigned char *d = malloc(pl);

			if (d) {
				memcpy(d, got.data + po, pl);
				insert(pc, id, k, d, pl);
			}
		}
		pthread_mutex_unlock(&pc->mu);
		to = run_end * pc->page < end ? run_end * pc->page : end;
		if (buf_add(out, got.data + (from - fo), (size_t)(to - from))
		    == -1)
			goto nomem;
		no = run_end;
	}
	buf_release(&got);
	return 0;
nomem:
	buf_release(&got);
	return errbuf_sys(err, "cache");
}

void
pagecache_forget(struct pagecache *pc, uint64_t id)
{
	struct page *p, *next;

	pthread_mutex_lock(&pc->mu);
	for (p = pc->head; p; p = next) {
		next = p->next;
		if (p->id == id)
			drop(pc, p);
	}
	pthread_mutex_unlock(&pc->mu);
}

void
pagecache_stats(struct pagecache *pc, struct pagecache_stats *out)
{
	pthread_mutex_lock(&pc->mu);
	*out = pc->st;
	pthread_mutex_unlock(&pc->mu);
}
