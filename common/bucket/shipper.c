#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "base/io.h"
#include "bucket/shipper.h"
#include "tsdb/ulid.h"

int
shipper_has(const struct shipper *s, const struct ulid *u)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (ulid_compare(&s->v[i], u) == 0)
			return 1;
	return 0;
}

int
shipper_add(struct shipper *s, const struct ulid *u)
{
	struct ulid *v;
	size_t cap;

	if (shipper_has(s, u))
		return 0;
	if (s->n == s->cap) {
		cap = s->cap ? s->cap * 2 : 16;
		if ((v = reallocarray(s->v, cap, sizeof(*v))) == NULL)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = *u;
	return 0;
}

void
shipper_filter(struct shipper *s, int (*keep)(void *, const struct ulid *),
    void *arg)
{
	size_t i, j = 0;

	for (i = 0; i < s->n; i++)
		if (keep(arg, &s->v[i]))
			s->v[j++] = s->v[i];
	s->n = j;
}

void
shipper_release(struct shipper *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

int
shipper_parse(struct shipper *s, const char *data, size_t len,
    const char *name, char err[ERR_MAX])
{
	json_error_t je;
	json_t *doc, *v, *up;
	struct ulid u;
	size_t i;
	int rc = -1;

	s->n = 0;
	if ((doc = json_loadb(data, len, 0, &je)) == NULL)
		return errbuf_set(err, "%s:%d:%d: %s", name, je.line,
		    je.column, je.text);
	if (!json_is_object(doc)) {
		errbuf_set(err, "%s: not a JSON object", name);
		goto out;
	}
	v = json_object_get(doc, "version");
	if (!json_is_integer(v) || json_integer_value(v) != 1) {
		errbuf_set(err, "%s: version is not 1", name);
		goto out;
	}
	/* Go reads a missing list and null alike: nothing uploaded. */
	up = json_object_get(doc, "uploaded");
	if (up != NULL && !json_is_null(up) && !json_is_array(up)) {
		errbuf_set(err, "%s: uploaded: not a list", name);
		goto out;
	}
	json_array_foreach(up, i, v) {
		if (!json_is_string(v) || ulid_parse(json_string_value(v),
		    &u) == -1) {
			errbuf_set(err, "%s: uploaded[%zu]: not a ULID", name,
			    i);
			goto out;
		}
		if (shipper_add(s, &u) == -1) {
			errbuf_sys(err, "%s", name);
			goto out;
		}
	}
	rc = 0;
out:
	if (rc == -1)
		s->n = 0;
	json_decref(doc);
	return rc;
}

int
shipper_read(struct shipper *s, const char *path, char err[ERR_MAX])
{
	struct buf b = BUF_INIT(SHIPPER_MAX);
	int rc, missing;

	s->n = 0;
	if (io_read_file(path, &b, err) == -1) {
		missing = errno == ENOENT;
		buf_release(&b);
		return missing ? 0 : -1;
	}
	rc = shipper_parse(s, b.data, b.len, path, err);
	buf_release(&b);
	return rc;
}

int
shipper_format(const struct shipper *s, struct buf *out)
{
	char id[ULID_LEN + 1];
	size_t i;

	if (buf_addstr(out, "{\n\t\"version\": 1,\n\t\"uploaded\": ") == -1)
		return -1;
	/* A nil Go slice, as Thanos has before its first upload. */
	if (s->n == 0)
		return buf_addstr(out, "null\n}\n");
	if (buf_addstr(out, "[\n") == -1)
		return -1;
	for (i = 0; i < s->n; i++) {
		ulid_format(&s->v[i], id);
		if (buf_addf(out, "\t\t\"%s\"%s\n", id,
		    i + 1 < s->n ? "," : "") == -1)
			return -1;
	}
	return buf_addstr(out, "\t]\n}\n");
}

int
shipper_write(const struct shipper *s, const char *path, char err[ERR_MAX])
{
	struct buf b = BUF_INIT(BUF_NOMAX);
	int rc;

	if (shipper_format(s, &b) == -1) {
		buf_release(&b);
		return errbuf_sys(err, "%s", path);
	}
	rc = io_write_atomic(path, b.data, b.len, 0644, err);
	buf_release(&b);
	return rc;
}
