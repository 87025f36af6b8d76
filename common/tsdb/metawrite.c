#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <string.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "base/labels.h"
#include "tsdb/meta.h"
#include "tsdb/metawrite.h"
#include "tsdb/ulid.h"

/*
 * The length of the UTF-8 sequence at p (n bytes left) if it is one Go's
 * utf8.DecodeRuneInString accepts, else 0; *cp gets the code point.
 */
static size_t
utf8_seq(const unsigned char *p, size_t n, unsigned *cp)
{
	unsigned lo = 0x80, hi = 0xbf, c = p[0];
	size_t len, i;

	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)	/* no surrogates */
			hi = 0x9f;
		c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)	/* nothing past U+10FFFF */
			hi = 0x8f;
		c &= 0x07;
	} else
		return 0;
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 1; i < len; i++) {
		if (i > 1 && (p[i] < 0x80 || p[i] > 0xbf))
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	*cp = c;
	return len;
}

int
tsdb_metawrite_string(struct buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len;
	unsigned cp;
	char esc[7];

	if (buf_addch(out, '"') == -1)
		return -1;
	while (i < n) {
		if (p[i] < 0x80) {
			/* Go's htmlSafeSet: escapeHTML is on in Encoder. */
			if (p[i] >= 0x20 && p[i] != '"' && p[i] != '\\' &&
			    p[i] != '<' && p[i] != '>' && p[i] != '&') {
				if (buf_addch(out, (char)p[i]) == -1)
					return -1;
			} else if (p[i] == '"' || p[i] == '\\') {
				if (buf_addch(out, '\\') == -1 ||
				    buf_addch(out, (char)p[i]) == -1)
					return -1;
			} else if (p[i] == '\n' || p[i] == '\r' ||
			    p[i] == '\t') {
				if (buf_addstr(out, p[i] == '\n' ? "\\n" :
				    p[i] == '\r' ? "\\r" : "\\t") == -1)
					return -1;
			} else {
				/* Go before 1.22 (Thanos v0.32) has no \b
				 * or \f either. */
				memcpy(esc, "\\u00", 4);
				esc[4] = hex[p[i] >> 4];
				esc[5] = hex[p[i] & 15];
				if (buf_add(out, esc, 6) == -1)
					return -1;
			}
			i++;
			continue;
		}
		if ((len = utf8_seq(p + i, n - i, &cp)) == 0) {
			if (buf_addstr(out, "\\ufffd") == -1)
				return -1;
			i++;
			continue;
		}
		/* Line and paragraph separators break JavaScript. */
		if (cp == 0x2028 || cp == 0x2029) {
			if (buf_addstr(out, cp == 0x2028 ? "\\u2028" :
			    "\\u2029") == -1)
				return -1;
		} else if (buf_add(out, p + i, len) == -1)
			return -1;
		i += len;
	}
	return buf_addch(out, '"');
}

static int
indent(struct buf *out, int depth)
{
	while (depth-- > 0)
		if (buf_addch(out, '\t') == -1)
			return -1;
	return 0;
}

/*
 * Object members in Go's indented form: key() starts one ("\n", tabs,
 * "key": ) after a "," when it is not the first, close() ends the
 * object.  first is the caller's per-object flag.
 */
static int
key(struct buf *out, int depth, int *first, const char *k)
{
	if (buf_addstr(out, *first ? "\n" : ",\n") == -1 ||
	    indent(out, depth) == -1 ||
	    tsdb_metawrite_string(out, k, strlen(k)) == -1 ||
	    buf_addstr(out, ": ") == -1)
		return -1;
	*first = 0;
	return 0;
}

static int
close_obj(struct buf *out, int depth, int first, char c)
{
	/* An empty object or list stays on one line: {} or []. */
	if (!first && (buf_addch(out, '\n') == -1 || indent(out, depth) == -1))
		return -1;
	return buf_addch(out, c);
}

static int
str_item(struct buf *out, int depth, int *first, const char *s)
{
	if (buf_addstr(out, *first ? "\n" : ",\n") == -1 ||
	    indent(out, depth) == -1 ||
	    tsdb_metawrite_string(out, s, strlen(s)) == -1)
		return -1;
	*first = 0;
	return 0;
}

/* A list of ULIDs as Go writes []ulid.ULID: normalised, upper case. */
static int
ulid_list(struct buf *out, int depth, json_t *a, const char *what,
    char *err)
{
	char id[ULID_LEN + 1];
	struct ulid u;
	json_t *v;
	size_t i;
	int first = 1;

	if (buf_addch(out, '[') == -1)
		return errbuf_sys(err, "meta.json");
	json_array_foreach(a, i, v) {
		if (!json_is_string(v) || ulid_parse(json_string_value(v),
		    &u) == -1)
			return errbuf_set(err, "meta.json: %s[%zu]: not a "
			    "ULID", what, i);
		ulid_format(&u, id);
		if (str_item(out, depth + 1, &first, id) == -1)
			return errbuf_sys(err, "meta.json");
	}
	if (close_obj(out, depth, first, ']') == -1)
		return errbuf_sys(err, "meta.json");
	return 0;
}

static int
json_int(json_t *o, const char *k, int64_t *v)
{
	json_t *x = json_object_get(o, k);

	if (!json_is_integer(x))
		return -1;
	*v = json_integer_value(x);
	return 0;
}

static int
parents(struct buf *out, int depth, json_t *a, char *err)
{
	char id[ULID_LEN + 1];
	struct ulid u;
	json_t *p, *v;
	int64_t mint, maxt;
	size_t i;
	int first = 1, f;

	if (buf_addch(out, '[') == -1)
		return errbuf_sys(err, "meta.json");
	json_array_foreach(a, i, p) {
		v = json_object_get(p, "ulid");
		if (!json_is_string(v) || ulid_parse(json_string_value(v),
		    &u) == -1 || json_int(p, "minTime", &mint) == -1 ||
		    json_int(p, "maxTime", &maxt) == -1)
			return errbuf_set(err, "meta.json: compaction.parents"
			    "[%zu]: needs ulid, minTime and maxTime", i);
		ulid_format(&u, id);
		f = 1;
		if (buf_addstr(out, first ? "\n" : ",\n") == -1 ||
		    indent(out, depth + 1) == -1 || buf_addch(out, '{') == -1 ||
		    key(out, depth + 2, &f, "ulid") == -1 ||
		    tsdb_metawrite_string(out, id, ULID_LEN) == -1 ||
		    key(out, depth + 2, &f, "minTime") == -1 ||
		    buf_addf(out, "%" PRId64, mint) == -1 ||
		    key(out, depth + 2, &f, "maxTime") == -1 ||
		    buf_addf(out, "%" PRId64, maxt) == -1 ||
		    close_obj(out, depth + 1, f, '}') == -1)
			return errbuf_sys(err, "meta.json");
		first = 0;
	}
	if (close_obj(out, depth, first, ']') == -1)
		return errbuf_sys(err, "meta.json");
	return 0;
}

static int
stats(struct buf *out, const struct tsdb_meta *m)
{
	const struct {
		const char	*name;
		uint64_t	 v;
	} s[] = {
		{ "numSamples", m->num_samples },
		{ "numSeries", m->num_series },
		{ "numChunks", m->num_chunks },
		{ "numTombstones", m->num_tombstones },
	};
	size_t i;
	int first = 1;

	if (buf_addch(out, '{') == -1)
		return -1;
	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (s[i].v != 0 && (key(out, 2, &first, s[i].name) == -1 ||
		    buf_addf(out, "%" PRIu64, s[i].v) == -1))
			return -1;
	return close_obj(out, 1, first, '}');
}

/* Is the compaction member k present and not Go's zero value? */
static json_t *
member(json_t *comp, const char *k, int (*is)(const json_t *), int *bad)
{
	json_t *v = json_object_get(comp, k);

	if (v == NULL || json_is_null(v))
		return NULL;
	if (!is(v)) {
		*bad = 1;
		return NULL;
	}
	return v;
}

static int
is_array(const json_t *v)
{
	return json_is_array(v);
}

static int
is_bool(const json_t *v)
{
	return json_is_boolean(v);
}

static int
compaction(struct buf *out, const struct tsdb_meta *m, char *err)
{
	json_t *comp = json_object_get((json_t *)m->doc, "compaction");
	json_t *sources, *deletable, *par, *failed, *hints, *v;
	size_t i;
	int first = 1, bad = 0, f;

	sources = member(comp, "sources", is_array, &bad);
	deletable = member(comp, "deletable", is_bool, &bad);
	par = member(comp, "parents", is_array, &bad);
	failed = member(comp, "failed", is_bool, &bad);
	hints = member(comp, "hints", is_array, &bad);
	if (bad)
		return errbuf_set(err, "meta.json: compaction: a field of the "
		    "wrong type");
	if (buf_addch(out, '{') == -1 || key(out, 2, &first, "level") == -1 ||
	    buf_addf(out, "%d", m->level) == -1)
		return errbuf_sys(err, "meta.json");
	if (json_array_size(sources) > 0 &&
	    (key(out, 2, &first, "sources") == -1 ||
	    ulid_list(out, 2, sources, "compaction.sources", err) == -1))
		return -1;
	if (json_is_true(deletable) &&
	    (key(out, 2, &first, "deletable") == -1 ||
	    buf_addstr(out, "true") == -1))
		return errbuf_sys(err, "meta.json");
	if (json_array_size(par) > 0 && (key(out, 2, &first, "parents") == -1 ||
	    parents(out, 2, par, err) == -1))
		return -1;
	if (json_is_true(failed) && (key(out, 2, &first, "failed") == -1 ||
	    buf_addstr(out, "true") == -1))
		return errbuf_sys(err, "meta.json");
	if (json_array_size(hints) > 0) {
		if (key(out, 2, &first, "hints") == -1 ||
		    buf_addch(out, '[') == -1)
			return errbuf_sys(err, "meta.json");
		f = 1;
		json_array_foreach(hints, i, v) {
			if (!json_is_string(v))
				return errbuf_set(err, "meta.json: compaction."
				    "hints[%zu]: not a string", i);
			if (str_item(out, 3, &f, json_string_value(v)) == -1)
				return errbuf_sys(err, "meta.json");
		}
		if (close_obj(out, 2, f, ']') == -1)
			return errbuf_sys(err, "meta.json");
	}
	if (close_obj(out, 1, first, '}') == -1)
		return errbuf_sys(err, "meta.json");
	return 0;
}

static int
thanos(struct buf *out, const struct metawrite_thanos *t)
{
	size_t i;
	int first = 1, f, g;

	if (buf_addch(out, '{') == -1 || key(out, 2, &first, "labels") == -1 ||
	    buf_addch(out, '{') == -1)
		return -1;
	f = 1;
	for (i = 0; i < t->labels->n; i++) {
		const struct label *l = &t->labels->v[i];

		if (buf_addstr(out, f ? "\n" : ",\n") == -1 ||
		    indent(out, 3) == -1 ||
		    tsdb_metawrite_string(out, l->name.p, l->name.n) == -1 ||
		    buf_addstr(out, ": ") == -1 ||
		    tsdb_metawrite_string(out, l->value.p, l->value.n) == -1)
			return -1;
		f = 0;
	}
	if (close_obj(out, 2, f, '}') == -1)
		return -1;
	f = 1;
	if (key(out, 2, &first, "downsample") == -1 ||
	    buf_addch(out, '{') == -1 || key(out, 3, &f, "resolution") == -1 ||
	    buf_addf(out, "%" PRId64, t->resolution) == -1 ||
	    close_obj(out, 2, f, '}') == -1 ||
	    key(out, 2, &first, "source") == -1 ||
	    tsdb_metawrite_string(out, t->source, strlen(t->source)) == -1)
		return -1;
	if (t->nsegments > 0) {
		if (key(out, 2, &first, "segment_files") == -1 ||
		    buf_addch(out, '[') == -1)
			return -1;
		f = 1;
		for (i = 0; i < t->nsegments; i++)
			if (str_item(out, 3, &f, t->segments[i]) == -1)
				return -1;
		if (close_obj(out, 2, f, ']') == -1)
			return -1;
	}
	if (t->nfiles > 0) {
		if (key(out, 2, &first, "files") == -1 ||
		    buf_addch(out, '[') == -1)
			return -1;
		f = 1;
		for (i = 0; i < t->nfiles; i++) {
			g = 1;
			if (buf_addstr(out, f ? "\n" : ",\n") == -1 ||
			    indent(out, 3) == -1 || buf_addch(out, '{') == -1 ||
			    key(out, 4, &g, "rel_path") == -1 ||
			    tsdb_metawrite_string(out, t->files[i].rel_path,
			    strlen(t->files[i].rel_path)) == -1)
				return -1;
			/* omitempty: a size of 0 is left out too. */
			if (t->files[i].size > 0 &&
			    (key(out, 4, &g, "size_bytes") == -1 ||
			    buf_addf(out, "%" PRId64, t->files[i].size) == -1))
				return -1;
			if (close_obj(out, 3, g, '}') == -1)
				return -1;
			f = 0;
		}
		if (close_obj(out, 2, f, ']') == -1)
			return -1;
	}
	/* A struct, so omitempty never drops it (Thanos v0.32). */
	if (key(out, 2, &first, "index_stats") == -1 ||
	    buf_addstr(out, "{}") == -1)
		return -1;
	return close_obj(out, 1, first, '}');
}

int
tsdb_metawrite_thanos(const struct tsdb_meta *m,
    const struct metawrite_thanos *t, struct buf *out, char err[ERR_MAX])
{
	int first = 1;

	if (buf_addch(out, '{') == -1 || key(out, 1, &first, "ulid") == -1 ||
	    tsdb_metawrite_string(out, m->ulid, strlen(m->ulid)) == -1 ||
	    key(out, 1, &first, "minTime") == -1 ||
	    buf_addf(out, "%" PRId64, m->min_time) == -1 ||
	    key(out, 1, &first, "maxTime") == -1 ||
	    buf_addf(out, "%" PRId64, m->max_time) == -1 ||
	    key(out, 1, &first, "stats") == -1 || stats(out, m) == -1 ||
	    key(out, 1, &first, "compaction") == -1)
		goto nomem;
	if (compaction(out, m, err) == -1)
		return -1;
	if (key(out, 1, &first, "version") == -1 ||
	    buf_addstr(out, "1") == -1 ||
	    key(out, 1, &first, "thanos") == -1 || thanos(out, t) == -1 ||
	    close_obj(out, 0, first, '}') == -1 || buf_addch(out, '\n') == -1)
		goto nomem;
	return 0;
nomem:
	return errbuf_sys(err, "meta.json");
}
