#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "base/parse.h"
#include "bucket/bucket.h"
#include "bucket/s3xml.h"

#define S3XML_PATH	512		/* bytes of a joined path */
#define S3XML_TEXT	((size_t)1 << 20) /* text of one element */

/* Where the walk is: the document, and the open elements. */
struct s3xml_rd {
	const char	*p, *end;
	char		 path[S3XML_PATH];
	size_t		 plen[S3XML_DEPTH + 1];	/* path length per depth */
	int		 depth;
	struct buf	 text;
};

static int
s3xml_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* 1 if the next bytes are s. */
static int
s3xml_at(const struct s3xml_rd *r, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(r->end - r->p) >= n && memcmp(r->p, s, n) == 0;
}

/* Move past the next s; -1 if there is none. */
static int
s3xml_skip_past(struct s3xml_rd *r, const char *s)
{
	const char *q;

	if ((q = memmem(r->p, (size_t)(r->end - r->p), s, strlen(s))) ==
	    NULL)
		return -1;
	r->p = q + strlen(s);
	return 0;
}

/* Append code point c as UTF-8. */
static int
s3xml_utf8(struct buf *b, unsigned long c)
{
	char u[4];
	size_t n;

	if (c < 0x80) {
		u[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		u[0] = (char)(0xc0 | (c >> 6));
		u[1] = (char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		u[0] = (char)(0xe0 | (c >> 12));
		u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[2] = (char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (c >> 18));
		u[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[3] = (char)(0x80 | (c & 0x3f));
		n = 4;
	}
	return buf_add(b, u, n);
}

/* Decode the entity at r->p ('&') into r->text. */
static int
s3xml_entity(struct s3xml_rd *r, char *err)
{
	static const struct {
		const char	*name;
		char		 c;
	} named[] = {
		{ "lt", '<' }, { "gt", '>' }, { "amp", '&' },
		{ "quot", '"' }, { "apos", '\'' }
	};
	const char *semi, *s = r->p + 1;
	unsigned long c = 0;
	size_t n, i;
	int hex;

	semi = memchr(s, ';', (size_t)(r->end - s) < 12 ?
	    (size_t)(r->end - s) : 12);
	if (semi == NULL)
		return errbuf_set(err, "xml: unterminated entity");
	n = (size_t)(semi - s);
	r->p = semi + 1;
	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (strlen(named[i].name) == n &&
		    memcmp(named[i].name, s, n) == 0)
			return buf_addch(&r->text, named[i].c) == -1 ?
			    errbuf_set(err, "xml: text too long") : 0;
	if (n < 2 || s[0] != '#')
		return errbuf_set(err, "xml: unknown entity '&%.*s;'", (int)n,
		    s);
	hex = s[1] == 'x';
	if (n == (size_t)(1 + hex))
		return errbuf_set(err, "xml: empty character reference");
	for (i = (size_t)(1 + hex); i < n; i++) {
		int d;

		if (s[i] >= '0' && s[i] <= '9')
			d = s[i] - '0';
		else if (hex && s[i] >= 'a' && s[i] <= 'f')
			d = s[i] - 'a' + 10;
		else if (hex && s[i] >= 'A' && s[i] <= 'F')
			d = s[i] - 'A' + 10;
		else
			return errbuf_set(err, "xml: bad character reference");
		c = c * (hex ? 16 : 10) + (unsigned long)d;
		if (c > 0x10ffff)
			break;
	}
	if (c == 0 || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return errbuf_set(err, "xml: bad character reference");
	return s3xml_utf8(&r->text, c) == -1 ?
	    errbuf_set(err, "xml: text too long") : 0;
}

/* Character data up to the next '<', decoded into r->text. */
static int
s3xml_chars(struct s3xml_rd *r, char *err)
{
	const char *lt, *amp;

	while (r->p < r->end && *r->p != '<') {
		lt = memchr(r->p, '<', (size_t)(r->end - r->p));
		if (lt == NULL)
			lt = r->end;
		amp = memchr(r->p, '&', (size_t)(lt - r->p));
		if (amp == NULL)
			amp = lt;
		if (r->depth == 0) {
			/* Outside the root only blanks may stand. */
			for (; r->p < amp; r->p++)
				if (!s3xml_space(*r->p))
					return errbuf_set(err, "xml: text "
					    "outside the root element");
		} else if (buf_add(&r->text, r->p, (size_t)(amp - r->p)) ==
		    -1)
			return errbuf_set(err, "xml: text too long");
		r->p = amp;
		if (r->p < lt) {
			if (r->depth == 0)
				return errbuf_set(err, "xml: text outside the "
				    "root element");
			if (s3xml_entity(r, err) == -1)
				return -1;
		}
	}
	return 0;
}

/* A tag name at r->p, namespace prefix dropped: its start and length. */
static int
s3xml_name(struct s3xml_rd *r, const char **name, size_t *n, char *err)
{
	const char *s = r->p, *colon;

	while (r->p < r->end && !s3xml_space(*r->p) && *r->p != '>' &&
	    *r->p != '/' && *r->p != '=')
		r->p++;
	if (r->p == s || r->p == r->end)
		return errbuf_set(err, "xml: bad tag");
	colon = memchr(s, ':', (size_t)(r->p - s));
	*name = colon ? colon + 1 : s;
	*n = (size_t)(r->p - *name);
	if (*n == 0)
		return errbuf_set(err, "xml: bad tag");
	return 0;
}

/* Skip attributes up to '>' or "/>"; *empty says which. */
static int
s3xml_attrs(struct s3xml_rd *r, int *empty, char *err)
{
	char q;

	for (;;) {
		while (r->p < r->end && s3xml_space(*r->p))
			r->p++;
		if (r->p == r->end)
			break;
		if (*r->p == '>') {
			r->p++;
			*empty = 0;
			return 0;
		}
		if (s3xml_at(r, "/>")) {
			r->p += 2;
			*empty = 1;
			return 0;
		}
		while (r->p < r->end && *r->p != '=' && *r->p != '>' &&
		    !s3xml_space(*r->p))
			r->p++;
		while (r->p < r->end && s3xml_space(*r->p))
			r->p++;
		if (r->p == r->end || *r->p != '=')
			return errbuf_set(err, "xml: bad attribute");
		r->p++;
		while (r->p < r->end && s3xml_space(*r->p))
			r->p++;
		if (r->p == r->end || (*r->p != '"' && *r->p != '\''))
			return errbuf_set(err, "xml: bad attribute");
		q = *r->p++;
		if ((r->p = memchr(r->p, q, (size_t)(r->end - r->p))) == NULL)
			return errbuf_set(err, "xml: unterminated attribute");
		r->p++;
	}
	return errbuf_set(err, "xml: unterminated tag");
}

/* Close the innermost element: END with its text, then pop. */
static int
s3xml_close(struct s3xml_rd *r, s3xml_fn fn, void *arg, char *err)
{
	int rc;

	if (buf_add(&r->text, "", 0) == -1)
		return errbuf_set(err, "xml: out of memory");
	rc = fn(arg, S3XML_END, r->path, r->text.data, r->text.len, err);
	buf_reset(&r->text);
	r->depth--;
	r->path[r->plen[r->depth]] = '\0';
	return rc;
}

static int
s3xml_open(struct s3xml_rd *r, const char *name, size_t n, s3xml_fn fn,
    void *arg, char *err)
{
	size_t at = r->plen[r->depth];

	if (r->depth == S3XML_DEPTH)
		return errbuf_set(err, "xml: nested too deep");
	if (at + (r->depth > 0) + n >= S3XML_PATH)
		return errbuf_set(err, "xml: names too long");
	if (r->depth > 0)
		r->path[at++] = '/';
	memcpy(r->path + at, name, n);
	at += n;
	r->path[at] = '\0';
	r->depth++;
	r->plen[r->depth] = at;
	buf_reset(&r->text);
	return fn(arg, S3XML_START, r->path, "", 0, err);
}

static int
s3xml_walk1(struct s3xml_rd *r, s3xml_fn fn, void *arg, char *err)
{
	const char *name, *top;
	size_t n;
	int empty = 0, roots = 0;

	while (r->p < r->end) {
		if (*r->p != '<') {
			if (s3xml_chars(r, err) == -1)
				return -1;
			continue;
		}
		if (s3xml_at(r, "<?")) {
			if (s3xml_skip_past(r, "?>") == -1)
				return errbuf_set(err, "xml: unterminated "
				    "declaration");
		} else if (s3xml_at(r, "<!--")) {
			if (s3xml_skip_past(r, "-->") == -1)
				return errbuf_set(err, "xml: unterminated "
				    "comment");
		} else if (s3xml_at(r, "<![CDATA[")) {
			const char *s = r->p + 9;

			if (r->depth == 0 || s3xml_skip_past(r, "]]>") == -1)
				return errbuf_set(err, "xml: bad CDATA");
			if (buf_add(&r->text, s, (size_t)(r->p - 3 - s)) == -1)
				return errbuf_set(err, "xml: text too long");
		} else if (s3xml_at(r, "<!")) {
			/* A DOCTYPE; one with an internal subset could
			 * define entities, and S3 never sends that. */
			const char *gt = memchr(r->p, '>',
			    (size_t)(r->end - r->p));

			if (gt == NULL || memchr(r->p, '[', (size_t)(gt -
			    r->p)) != NULL)
				return errbuf_set(err, "xml: unsupported "
				    "DOCTYPE");
			r->p = gt + 1;
		} else if (s3xml_at(r, "</")) {
			r->p += 2;
			if (s3xml_name(r, &name, &n, err) == -1)
				return -1;
			while (r->p < r->end && s3xml_space(*r->p))
				r->p++;
			if (r->p == r->end || *r->p != '>')
				return errbuf_set(err, "xml: bad end tag");
			r->p++;
			top = r->path + r->plen[r->depth - (r->depth > 0)] +
			    (r->depth > 1);
			if (r->depth == 0 || strlen(top) != n ||
			    memcmp(top, name, n) != 0)
				return errbuf_set(err, "xml: mismatched end "
				    "tag '%.*s'", (int)(n > 64 ? 64 : n), name);
			if (s3xml_close(r, fn, arg, err) == -1)
				return -1;
		} else {
			r->p++;
			if (s3xml_name(r, &name, &n, err) == -1 ||
			    s3xml_attrs(r, &empty, err) == -1)
				return -1;
			if (r->depth == 0 && roots++ > 0)
				return errbuf_set(err, "xml: two root "
				    "elements");
			if (s3xml_open(r, name, n, fn, arg, err) == -1)
				return -1;
			if (empty && s3xml_close(r, fn, arg, err) == -1)
				return -1;
		}
	}
	if (r->depth > 0)
		return errbuf_set(err, "xml: unclosed element '%s'", r->path);
	if (roots == 0)
		return errbuf_set(err, "xml: no root element");
	return 0;
}

int
s3xml_walk(const char *doc, size_t len, s3xml_fn fn, void *arg,
    char err[ERR_MAX])
{
	struct s3xml_rd r;
	int rc;

	r.p = doc;
	r.end = doc + len;
	r.depth = 0;
	r.plen[0] = 0;
	r.path[0] = '\0';
	buf_init(&r.text, S3XML_TEXT);
	rc = s3xml_walk1(&r, fn, arg, err);
	buf_release(&r.text);
	return rc;
}

int
s3xml_url_decode(char *s)
{
	char *o = s;
	int hi, lo;

	for (; *s != '\0'; s++) {
		if (*s == '+') {
			*o++ = ' ';
			continue;
		}
		if (*s != '%') {
			*o++ = *s;
			continue;
		}
		hi = s[1] >= '0' && s[1] <= '9' ? s[1] - '0' :
		    s[1] >= 'a' && s[1] <= 'f' ? s[1] - 'a' + 10 :
		    s[1] >= 'A' && s[1] <= 'F' ? s[1] - 'A' + 10 : -1;
		lo = hi < 0 ? -1 : s[2] >= '0' && s[2] <= '9' ? s[2] - '0' :
		    s[2] >= 'a' && s[2] <= 'f' ? s[2] - 'a' + 10 :
		    s[2] >= 'A' && s[2] <= 'F' ? s[2] - 'A' + 10 : -1;
		if (lo < 0 || (hi == 0 && lo == 0))
			return -1;
		*o++ = (char)(hi * 16 + lo);
		s += 2;
	}
	*o = '\0';
	return 0;
}

/* What s3xml_list's callback gathers. */
struct s3xml_lst {
	struct s3xml_list	*page;
	size_t			 cap;
	char			*key;		/* of the open <Contents> */
	uint64_t		 size;
	int			 url;		/* EncodingType url */
	char			*marker;	/* NextMarker (v1) */
	char			*last;		/* last key seen (v1) */
};

static int
s3xml_lst_add(struct s3xml_lst *l, char *name, uint64_t size, int dir)
{
	struct bucket_entry *v;
	size_t cap;

	if (l->page->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 64;
		if ((v = reallocarray(l->page->v, cap, sizeof(*v))) == NULL)
			return -1;
		l->page->v = v;
		l->cap = cap;
	}
	l->page->v[l->page->n].name = name;
	l->page->v[l->page->n].size = size;
	l->page->v[l->page->n].dir = dir;
	l->page->n++;
	return 0;
}

/* Replace *dst with a copy of text; -1 with err. */
static int
s3xml_set(char **dst, const char *text, size_t len, char *err)
{
	char *s;

	if (memchr(text, '\0', len) != NULL)
		return errbuf_set(err, "xml: NUL in a name");
	if ((s = strndup(text, len)) == NULL)
		return errbuf_set(err, "xml: out of memory");
	free(*dst);
	*dst = s;
	return 0;
}

static int
s3xml_list_cb(void *arg, enum s3xml_event ev, const char *path,
    const char *text, size_t len, char err[ERR_MAX])
{
	static const char root[] = "ListBucketResult";
	struct s3xml_lst *l = arg;
	const char *leaf;
	char *name = NULL, num[PARSE_QUOTE_MAX];

	if (strncmp(path, root, sizeof(root) - 1) != 0 ||
	    (path[sizeof(root) - 1] != '\0' && path[sizeof(root) - 1] != '/'))
		return errbuf_set(err, "xml: not a listing but <%.64s>", path);
	leaf = path + sizeof(root) - 1;
	if (ev == S3XML_START) {
		if (strcmp(leaf, "/Contents") == 0) {
			free(l->key);
			l->key = NULL;
			l->size = 0;
		}
		return 0;
	}
	if (strcmp(leaf, "/IsTruncated") == 0)
		l->page->truncated = strcmp(text, "true") == 0;
	else if (strcmp(leaf, "/EncodingType") == 0)
		l->url = strcmp(text, "url") == 0;
	else if (strcmp(leaf, "/NextContinuationToken") == 0)
		return s3xml_set(&l->page->next, text, len, err);
	else if (strcmp(leaf, "/NextMarker") == 0)
		return s3xml_set(&l->marker, text, len, err);
	else if (strcmp(leaf, "/Contents/Key") == 0)
		return s3xml_set(&l->key, text, len, err);
	else if (strcmp(leaf, "/Contents/Size") == 0) {
		if (parse_uint64(text, 0, UINT64_MAX, &l->size, num) == -1)
			return errbuf_set(err, "xml: %s", num);
	} else if (strcmp(leaf, "/Contents") == 0) {
		if (l->key == NULL)
			return errbuf_set(err, "xml: <Contents> without <Key>");
		if (s3xml_set(&l->last, l->key, strlen(l->key), err) == -1)
			return -1;
		if (s3xml_lst_add(l, l->key, l->size, 0) == -1)
			return errbuf_set(err, "xml: out of memory");
		l->key = NULL;
	} else if (strcmp(leaf, "/CommonPrefixes/Prefix") == 0) {
		if (s3xml_set(&name, text, len, err) == -1)
			return -1;
		if (s3xml_lst_add(l, name, 0, 1) == -1) {
			free(name);
			return errbuf_set(err, "xml: out of memory");
		}
	}
	return 0;
}

static int
s3xml_entry_cmp(const void *a, const void *b)
{
	const struct bucket_entry *x = a, *y = b;

	return strcmp(x->name, y->name);
}

void
s3xml_list_release(struct s3xml_list *page)
{
	size_t i;

	for (i = 0; i < page->n; i++)
		free((char *)page->v[i].name);
	free(page->v);
	free(page->next);
	page->v = NULL;
	page->n = 0;
	page->next = NULL;
	page->truncated = 0;
}

int
s3xml_list(const char *doc, size_t len, struct s3xml_list *page,
    char err[ERR_MAX])
{
	struct s3xml_lst l;
	size_t i;
	int rc = -1;

	memset(page, 0, sizeof(*page));
	memset(&l, 0, sizeof(l));
	l.page = page;
	if (s3xml_walk(doc, len, s3xml_list_cb, &l, err) == -1)
		goto out;
	/* v1 says where to go on only with a delimiter; else the last key
	 * is the marker. */
	if (page->next == NULL && page->truncated && (l.marker || l.last)) {
		page->next = l.marker ? l.marker : l.last;
		if (l.marker)
			l.marker = NULL;
		else
			l.last = NULL;
		/* A v1 marker is a name: encoded like one. */
		if (l.url && s3xml_url_decode(page->next) == -1) {
			errbuf_set(err, "xml: bad url-encoded marker");
			goto out;
		}
	}
	for (i = 0; l.url && i < page->n; i++)
		if (s3xml_url_decode((char *)page->v[i].name) == -1) {
			errbuf_set(err, "xml: bad url-encoded name");
			goto out;
		}
	qsort(page->v, page->n, sizeof(*page->v), s3xml_entry_cmp);
	rc = 0;
out:
	free(l.key);
	free(l.marker);
	free(l.last);
	if (rc == -1)
		s3xml_list_release(page);
	return rc;
}

/* What s3xml_error's and s3xml_upload_id's callback look for. */
struct s3xml_pick {
	const char	*want[2];	/* paths */
	char		*got[2];
	size_t		 n[2];		/* bytes of each got */
	int		 root_error;
};

static int
s3xml_pick_cb(void *arg, enum s3xml_event ev, const char *path,
    const char *text, size_t len, char err[ERR_MAX])
{
	struct s3xml_pick *pk = arg;
	int i;

	(void)err;
	if (ev == S3XML_START) {
		if (strcmp(path, "Error") == 0)
			pk->root_error = 1;
		return 0;
	}
	for (i = 0; i < 2; i++)
		if (pk->want[i] != NULL && strcmp(path, pk->want[i]) == 0)
			snprintf(pk->got[i], pk->n[i], "%.*s", (int)len,
			    text);
	return 0;
}

int
s3xml_error(const char *doc, size_t len, char *code, size_t ncode,
    char *msg, size_t nmsg)
{
	struct s3xml_pick pk;
	char err[ERR_MAX];

	code[0] = msg[0] = '\0';
	pk.want[0] = "Error/Code";
	pk.want[1] = "Error/Message";
	pk.got[0] = code;
	pk.got[1] = msg;
	pk.n[0] = ncode;
	pk.n[1] = nmsg;
	pk.root_error = 0;
	if (s3xml_walk(doc, len, s3xml_pick_cb, &pk, err) == -1)
		return pk.root_error && code[0] != '\0';
	return pk.root_error;
}

char *
s3xml_upload_id(const char *doc, size_t len, char err[ERR_MAX])
{
	struct s3xml_pick pk;
	char id[1024];

	id[0] = '\0';
	pk.want[0] = "InitiateMultipartUploadResult/UploadId";
	pk.want[1] = NULL;
	pk.got[0] = id;
	pk.got[1] = NULL;
	pk.n[0] = sizeof(id);
	pk.n[1] = 0;
	pk.root_error = 0;
	if (s3xml_walk(doc, len, s3xml_pick_cb, &pk, err) == -1)
		return NULL;
	if (id[0] == '\0') {
		errbuf_set(err, "no UploadId in the answer");
		return NULL;
	}
	return strdup(id);
}
