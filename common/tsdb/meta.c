#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "base/io.h"
#include "tsdb/meta.h"
#include "tsdb/ulid.h"

/* A meta.json is a few KiB; a block with thousands of sources is still
 * far below this. */
#define META_MAX	(16u << 20)

static int
get_int(json_t *obj, const char *key, int64_t *out, int required,
    const char *name, char *err)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL) {
		if (required)
			return errbuf_set(err, "%s: %s: missing", name, key);
		*out = 0;
		return 0;
	}
	if (!json_is_integer(v))
		return errbuf_set(err, "%s: %s: not an integer", name, key);
	*out = json_integer_value(v);
	return 0;
}

static int
get_count(json_t *stats, const char *key, uint64_t *out, const char *name,
    char *err)
{
	int64_t v = 0;

	if (get_int(stats, key, &v, 0, name, err) == -1)
		return -1;
	if (v < 0)
		return errbuf_set(err, "%s: stats.%s: negative", name, key);
	*out = (uint64_t)v;
	return 0;
}

static int
parse_thanos(struct tsdb_meta *m, json_t *t, const char *name, char *err)
{
	json_t *labels, *ds, *v;
	const char *k;
	int64_t ver = 0;

	if (!json_is_object(t))
		return errbuf_set(err, "%s: thanos: not an object", name);
	m->has_thanos = 1;
	if (get_int(t, "version", &ver, 0, name, err) == -1)
		return -1;
	if (ver != 0 && ver != 1)
		return errbuf_set(err, "%s: thanos.version: %lld is not 1",
		    name, (long long)ver);
	if ((labels = json_object_get(t, "labels")) != NULL) {
		if (!json_is_object(labels))
			return errbuf_set(err, "%s: thanos.labels: not an "
			    "object", name);
		json_object_foreach(labels, k, v) {
			if (!json_is_string(v))
				return errbuf_set(err, "%s: thanos.labels.%s: "
				    "not a string", name, k);
			if (labels_add(&m->ext, str_of(k), (struct str){
			    json_string_value(v), json_string_length(v) }) == -1)
				return errbuf_sys(err, "%s", name);
		}
		labels_sort(&m->ext);
	}
	if ((ds = json_object_get(t, "downsample")) != NULL &&
	    get_int(ds, "resolution", &m->resolution, 0, name, err) == -1)
		return -1;
	if ((v = json_object_get(t, "source")) != NULL && json_is_string(v))
		m->source = json_string_value(v);
	return 0;
}

static int
parse_doc(struct tsdb_meta *m, json_t *doc, const char *name, char *err)
{
	json_t *v, *stats, *comp;
	int64_t ver = 0, level = 0;
	struct ulid id;

	if (!json_is_object(doc))
		return errbuf_set(err, "%s: not a JSON object", name);
	if (get_int(doc, "version", &ver, 1, name, err) == -1)
		return -1;
	if (ver != 1)
		return errbuf_set(err, "%s: version: %lld is not 1", name,
		    (long long)ver);
	v = json_object_get(doc, "ulid");
	if (!json_is_string(v) || ulid_parse(json_string_value(v), &id) == -1)
		return errbuf_set(err, "%s: ulid: not a ULID", name);
	ulid_format(&id, m->ulid);
	if (get_int(doc, "minTime", &m->min_time, 1, name, err) == -1 ||
	    get_int(doc, "maxTime", &m->max_time, 1, name, err) == -1)
		return -1;
	if (m->min_time > m->max_time)
		return errbuf_set(err, "%s: minTime %lld is after maxTime %lld",
		    name, (long long)m->min_time, (long long)m->max_time);
	if ((stats = json_object_get(doc, "stats")) != NULL) {
		if (get_count(stats, "numSamples", &m->num_samples, name,
		    err) == -1 ||
		    get_count(stats, "numSeries", &m->num_series, name,
		    err) == -1 ||
		    get_count(stats, "numChunks", &m->num_chunks, name,
		    err) == -1 ||
		    get_count(stats, "numTombstones", &m->num_tombstones, name,
		    err) == -1)
			return -1;
	}
	if ((comp = json_object_get(doc, "compaction")) != NULL) {
		if (get_int(comp, "level", &level, 0, name, err) == -1)
			return -1;
		if (level < 0 || level > 1000)
			return errbuf_set(err, "%s: compaction.level: %lld out "
			    "of range", name, (long long)level);
		m->level = (int)level;
		v = json_object_get(comp, "sources");
		m->nsources = json_is_array(v) ? json_array_size(v) : 0;
	}
	if ((v = json_object_get(doc, "thanos")) != NULL &&
	    parse_thanos(m, v, name, err) == -1)
		return -1;
	return 0;
}

int
tsdb_meta_parse(struct tsdb_meta *m, const char *data, size_t len,
    const char *name, char *err)
{
	json_error_t je;

	memset(m, 0, sizeof(*m));
	m->doc = (struct json_t *)json_loadb(data, len, JSON_REJECT_DUPLICATES,
	    &je);
	if (m->doc == NULL)
		return errbuf_set(err, "%s:%d:%d: %s", name, je.line,
		    je.column, je.text);
	if (parse_doc(m, (json_t *)m->doc, name, err) == -1) {
		tsdb_meta_release(m);
		return -1;
	}
	return 0;
}

int
tsdb_meta_read_dir(struct tsdb_meta *m, const char *dir, char *err)
{
	struct buf path = BUF_INIT(BUF_NOMAX), data = BUF_INIT(META_MAX);
	char base[32] = "";
	const char *slash;
	size_t n;
	int r = -1;

	memset(m, 0, sizeof(*m));
	n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (buf_add(&path, dir, n) == -1) {
		errbuf_sys(err, "%s", dir);
		goto out;
	}
	slash = strrchr(path.data, '/');
	snprintf(base, sizeof(base), "%s", slash ? slash + 1 : path.data);
	if (buf_addstr(&path, "/meta.json") == -1) {
		errbuf_sys(err, "%s", dir);
		goto out;
	}
	if (io_read_file(path.data, &data, err) == -1)
		goto out;
	if (tsdb_meta_parse(m, data.data, data.len, path.data, err) == -1)
		goto out;
	/* A directory named like a ULID must hold that block: a copy under
	 * another ULID would be served twice. */
	if (strlen(base) == 26 && strncasecmp(base, m->ulid, 26) != 0 &&
	    ulid_parse(base, &(struct ulid){ 0 }) == 0) {
		errbuf_set(err, "%s: ulid %s does not match its directory",
		    path.data, m->ulid);
		tsdb_meta_release(m);
		goto out;
	}
	r = 0;
out:
	buf_release(&path);
	buf_release(&data);
	return r;
}

void
tsdb_meta_release(struct tsdb_meta *m)
{
	labels_release(&m->ext);
	json_decref((json_t *)m->doc);
	m->doc = NULL;
}
