#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/errbuf.h"
#include "base/labels.h"
#include "base/log.h"
#include "bucket/bucket.h"
#include "bucket/shipper.h"
#include "net/extlabels.h"
#include "ship.h"
#include "stage.h"
#include "tsdb/meta.h"
#include "tsdb/metawrite.h"
#include "tsdb/ulid.h"

/* A meta.json in the bucket is a few KiB; this bounds a hostile one. */
#define META_MAX	((size_t)16 << 20)

/* Everything one block's upload holds, released in one place. */
struct job {
	const struct ship *s;
	const char	*path;
	char		 tsdb[4096];
	const char	*ulid;
	struct stage	 st;
	struct tsdb_meta meta;
	int		 have_meta;
	struct labels	 labels;	/* a view of s->labels */
	struct buf	 json;		/* our meta.json */
	size_t		 uploaded;	/* st.files sent so far */
};

/* Has SIGTERM or SIGINT come?  The signal stays queued for the loop. */
static int
stopping(const struct ship *s)
{
	struct pollfd p = { .fd = s->sigfd, .events = POLLIN };

	return s->sigfd >= 0 && poll(&p, 1, 0) > 0;
}

static int
key_of(char *out, size_t n, const char *ulid, const char *rel)
{
	return snprintf(out, n, "%s/%s", ulid, rel) < (int)n ? 0 : -1;
}

/* The size thanos.files gives rel, -1 if it lists no such file. */
static int64_t
listed_size(json_t *files, const char *rel)
{
	json_t *f, *p;
	size_t i;

	json_array_foreach(files, i, f) {
		p = json_object_get(f, "rel_path");
		if (json_is_string(p) && strcmp(json_string_value(p), rel) == 0)
			return json_integer_value(json_object_get(f,
			    "size_bytes"));
	}
	return -1;
}

/*
 * Does the bucket's meta.json (data, len) describe the block we hold?
 * The same ULID, time range and counts, Thanos' section with our
 * labels at resolution 0, and, where it lists files, our sizes.
 */
static int
same_block(struct job *j, const char *data, size_t len, char *why)
{
	struct tsdb_meta bm;
	json_t *files;
	char e[ERR_MAX];
	int64_t sz;
	size_t i;
	int rc = -1;

	if (tsdb_meta_parse(&bm, data, len, "meta.json", e) == -1)
		return errbuf_set(why, "it does not parse: %s", e);
	if (strcmp(bm.ulid, j->meta.ulid) != 0 ||
	    bm.min_time != j->meta.min_time ||
	    bm.max_time != j->meta.max_time ||
	    bm.num_samples != j->meta.num_samples ||
	    bm.num_series != j->meta.num_series ||
	    bm.num_chunks != j->meta.num_chunks) {
		errbuf_set(why, "its time range or counts differ");
		goto out;
	}
	if (!bm.has_thanos || bm.resolution != 0) {
		errbuf_set(why, "it has no thanos section at resolution 0");
		goto out;
	}
	if (labels_compare(&bm.ext, &j->labels) != 0) {
		errbuf_set(why, "its external labels differ");
		goto out;
	}
	files = json_object_get(json_object_get((json_t *)bm.doc, "thanos"),
	    "files");
	for (i = 0; json_is_array(files) && i < j->st.nfiles; i++) {
		sz = listed_size(files, j->st.files[i].rel_path);
		if (sz != (int64_t)j->st.files[i].size) {
			errbuf_set(why, "it lists %s with another size",
			    j->st.files[i].rel_path);
			goto out;
		}
	}
	rc = 0;
out:
	tsdb_meta_release(&bm);
	return rc;
}

struct overlap {
	struct job	*j;
	struct buf	 meta;
	char		 found[ERR_MAX];
};

/* For each "<ULID>/" of the bucket: does that block overlap ours? */
static int
overlap_one(void *arg, const struct bucket_entry *e, char err[ERR_MAX])
{
	struct overlap *o = arg;
	struct job *j = o->j;
	struct tsdb_meta bm;
	char key[64], id[ULID_LEN + 1], why[ERR_MAX];
	int rc;

	if (!e->dir || strlen(e->name) != ULID_LEN + 1 ||
	    strncmp(e->name, j->ulid, ULID_LEN) == 0)
		return 0;
	memcpy(id, e->name, ULID_LEN);
	id[ULID_LEN] = '\0';
	if (ulid_parse(id, &(struct ulid){ 0 }) == -1)
		return 0;
	key_of(key, sizeof(key), id, "meta.json");
	if ((rc = bucket_get(j->s->bucket, key, &o->meta, why)) ==
	    BUCKET_NOTFOUND)
		return 0;	/* partial: readers ignore it, so do we */
	if (rc < 0)
		return errbuf_set(err, "%s", why);
	if (tsdb_meta_parse(&bm, o->meta.data, o->meta.len, key, why) == -1)
		return 0;
	if (bm.resolution == 0 && labels_compare(&bm.ext, &j->labels) == 0 &&
	    bm.min_time < j->meta.max_time && j->meta.min_time < bm.max_time)
		snprintf(o->found, sizeof(o->found), "block %s [%lld, %lld) "
		    "overlaps %s [%lld, %lld)", j->ulid,
		    (long long)j->meta.min_time, (long long)j->meta.max_time,
		    id, (long long)bm.min_time, (long long)bm.max_time);
	tsdb_meta_release(&bm);
	return o->found[0] != '\0' ? errbuf_set(err, "%s", o->found) : 0;
}

/* Thanos ships a compacted block only when nothing of the same labels
 * in the bucket overlaps it: it would be data twice. */
static int
check_overlap(struct job *j, char *err)
{
	struct overlap o = { .j = j, .meta = BUF_INIT(META_MAX) };
	char e[ERR_MAX];
	int rc;

	rc = bucket_list(j->s->bucket, "", '/', overlap_one, &o, e);
	buf_release(&o.meta);
	if (rc == 0)
		return 0;
	return errbuf_set(err, "found overlap or error during sync, cannot "
	    "upload compacted block, details: %s", e);
}

struct listing {
	struct job	*j;
	uint64_t	*size;	/* per st.files, UINT64_MAX: not seen */
};

static int
list_one(void *arg, const struct bucket_entry *e, char err[ERR_MAX])
{
	struct listing *l = arg;
	size_t i, n = strlen(l->j->ulid);

	(void)err;
	for (i = 0; i < l->j->st.nfiles; i++)
		if (strncmp(e->name, l->j->ulid, n) == 0 && e->name[n] == '/' &&
		    strcmp(e->name + n + 1, l->j->st.files[i].rel_path) == 0)
			l->size[i] = e->size;
	return 0;
}

/* Before meta.json makes the block visible: is every file there whole? */
static int
verify(struct job *j, char *err)
{
	struct listing l = { .j = j };
	char prefix[64];
	size_t i;
	int rc = -1;

	if ((l.size = calloc(j->st.nfiles + 1, sizeof(*l.size))) == NULL)
		return errbuf_sys(err, "verify");
	for (i = 0; i < j->st.nfiles; i++)
		l.size[i] = UINT64_MAX;
	snprintf(prefix, sizeof(prefix), "%s/", j->ulid);
	if (bucket_list(j->s->bucket, prefix, 0, list_one, &l, err) < 0)
		goto out;
	for (i = 0; i < j->st.nfiles; i++) {
		if (l.size[i] == UINT64_MAX) {
			errbuf_set(err, "verify: %s/%s is not in the bucket "
			    "after its upload", j->ulid,
			    j->st.files[i].rel_path);
			goto out;
		}
		if (l.size[i] != j->st.files[i].size) {
			errbuf_set(err, "verify: %s/%s has %llu bytes in the "
			    "bucket, %llu on disk", j->ulid,
			    j->st.files[i].rel_path,
			    (unsigned long long)l.size[i],
			    (unsigned long long)j->st.files[i].size);
			goto out;
		}
	}
	rc = 0;
out:
	free(l.size);
	return rc;
}

/* Thanos deletes what a failed upload left; readers ignore it anyway
 * (no meta.json), so the first failure ends the cleanup. */
static void
cleanup(struct job *j)
{
	char key[4200], e[ERR_MAX];
	size_t i;

	for (i = 0; i < j->uploaded; i++) {
		key_of(key, sizeof(key), j->ulid, j->st.files[i].rel_path);
		if (bucket_delete(j->s->bucket, key, e) < 0) {
			log_warn("could not delete a partial upload; readers "
			    "ignore it, the next upload replaces it", "err", e);
			return;
		}
	}
}

static int
on_disk(void *arg, const struct ulid *u)
{
	struct job *j = arg;
	char path[4200], id[ULID_LEN + 1];
	struct stat st;

	ulid_format(u, id);
	snprintf(path, sizeof(path), "%s/%s", j->tsdb, id);
	return lstat(path, &st) == 0 || errno != ENOENT;
}

/* Add the block to the shipper file; blocks no longer on disk drop out,
 * as in Thanos, so the file does not grow forever. */
static int
record(struct job *j, char *err)
{
	struct shipper sh = SHIPPER_INIT;
	struct ulid u;
	char file[4200], e[ERR_MAX];
	int rc = -1;

	if (j->s->shipper_file != NULL)
		snprintf(file, sizeof(file), "%s", j->s->shipper_file);
	else
		snprintf(file, sizeof(file), "%s/%s", j->tsdb, SHIPPER_FILE);
	if (shipper_read(&sh, file, e) == -1)
		log_warn("shipper file unreadable: starting it anew, as Thanos "
		    "does", "err", e);
	shipper_filter(&sh, on_disk, j);
	ulid_parse(j->ulid, &u);
	if (shipper_add(&sh, &u) == -1)
		errbuf_sys(err, "%s", file);
	else if (shipper_write(&sh, file, e) == -1)
		errbuf_set(err, "uploaded, but not recorded as shipped: %s", e);
	else
		rc = 0;
	shipper_release(&sh);
	return rc;
}

/* The meta.json we upload, from the staged one. */
static int
build_meta(struct job *j, char *err)
{
	struct metawrite_file *files;
	struct metawrite_thanos t;
	size_t i;
	int rc;

	if (tsdb_meta_read_dir(&j->meta, j->st.dir, err) == -1)
		return -1;
	j->have_meta = 1;
	if (extlabels_view(j->s->labels, &j->labels) == -1)
		return errbuf_sys(err, "labels");
	if ((files = calloc(j->st.nfiles + 1, sizeof(*files))) == NULL)
		return errbuf_sys(err, "meta.json");
	for (i = 0; i < j->st.nfiles; i++) {
		files[i].rel_path = j->st.files[i].rel_path;
		files[i].size = (int64_t)j->st.files[i].size;
	}
	files[i].rel_path = "meta.json";
	files[i].size = -1;
	memset(&t, 0, sizeof(t));
	t.labels = &j->labels;
	t.source = METAWRITE_SOURCE_SIDECAR;
	t.segments = (const char *const *)j->st.segments;
	t.nsegments = j->st.nsegments;
	t.files = files;
	t.nfiles = j->st.nfiles + 1;
	rc = tsdb_metawrite_thanos(&j->meta, &t, &j->json, err);
	free(files);
	return rc;
}

/* The steps in order; status and err into r. */
static void
run(struct job *j, struct ship_result *r)
{
	struct buf have = BUF_INIT(META_MAX);
	char key[4200], why[ERR_MAX];
	size_t i;
	int rc;

	r->status = SHIP_FAILED;
	if ((rc = stage_block(&j->st, j->tsdb, j->path, j->ulid,
	    r->err)) != 0) {
		if (rc == STAGE_GONE)
			r->status = SHIP_GONE;
		goto out;
	}
	if (build_meta(j, r->err) == -1)
		goto out;

	/* Already there (a crash after meta.json, or a Thanos sidecar
	 * before us): record it, if it is the same block. */
	key_of(key, sizeof(key), j->ulid, "meta.json");
	rc = bucket_get(j->s->bucket, key, &have, r->err);
	if (rc == 0) {
		if (same_block(j, have.data, have.len, why) == -1) {
			errbuf_set(r->err, "%s is in the bucket already and "
			    "does not match the local block: %s", key, why);
			goto out;
		}
		if (record(j, r->err) == 0)
			r->status = SHIP_EXISTS;
		goto out;
	}
	if (rc != BUCKET_NOTFOUND)
		goto out;
	if (j->meta.level > 1 && check_overlap(j, r->err) == -1)
		goto out;

	for (i = 0; i < j->st.nfiles; i++) {
		if (stopping(j->s)) {
			r->status = SHIP_ABORTED;
			errbuf_set(r->err, "stopped by a signal");
			goto out;
		}
		key_of(key, sizeof(key), j->ulid, j->st.files[i].rel_path);
		if (bucket_put_file(j->s->bucket, key, j->st.files[i].path,
		    r->err) < 0) {
			if (!stopping(j->s))
				cleanup(j);
			goto out;
		}
		j->uploaded++;
		r->files++;
		r->bytes += j->st.files[i].size;
	}
	if (verify(j, r->err) == -1) {
		cleanup(j);
		goto out;
	}
	if (stopping(j->s)) {
		r->status = SHIP_ABORTED;
		errbuf_set(r->err, "stopped by a signal");
		goto out;
	}
	/* Last: from now on readers see the block, whole.  A failure here
	 * deletes nothing, as in Thanos: S3 may yet store it. */
	key_of(key, sizeof(key), j->ulid, "meta.json");
	if (bucket_put(j->s->bucket, key, j->json.data, j->json.len,
	    r->err) < 0)
		goto out;
	r->files++;
	r->bytes += j->json.len;
	if (record(j, r->err) == 0)
		r->status = SHIP_UPLOADED;
out:
	/* A transfer cut short by the signal fails like any other. */
	if (r->status == SHIP_FAILED && stopping(j->s))
		r->status = SHIP_ABORTED;
	buf_release(&have);
}

void
ship_block(const struct ship *s, const char *path, struct ship_result *r)
{
	struct job j;
	const char *slash = strrchr(path, '/');
	int64_t t0 = clock_mono_ms();

	memset(r, 0, sizeof(*r));
	memset(&j, 0, sizeof(j));
	j.s = s;
	j.path = path;
	j.ulid = slash + 1;
	j.json = (struct buf)BUF_INIT(BUF_NOMAX);
	snprintf(r->ulid, sizeof(r->ulid), "%s", j.ulid);
	/* "/01H..." lives in "/". */
	snprintf(j.tsdb, sizeof(j.tsdb), "%.*s", slash == path ? 1 :
	    (int)(slash - path), path);
	run(&j, r);
	if (j.have_meta)
		tsdb_meta_release(&j.meta);
	labels_release(&j.labels);
	buf_release(&j.json);
	stage_release(&j.st);
	r->ms = clock_mono_ms() - t0;
}
