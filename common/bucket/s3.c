#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "base/parse.h"
#include "base/sha256.h"
#include "bucket/bucket.h"
#include "bucket/s3.h"
#include "bucket/s3url.h"
#include "bucket/s3xml.h"
#include "net/http.h"

#define S3_HASH_CHUNK	((size_t)1 << 20)
#define S3_DOC_MAX	((size_t)16 << 20)	/* a listing page, an error */
#define S3_TIMEOUT_MS	((long)INT_MAX)		/* none: stall_ms guards */
#define S3_ABORT_TRIES	3
#define S3_EMPTY_SHA	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934c" \
			"a495991b7852b855"
#define S3_UNSIGNED	"UNSIGNED-PAYLOAD"
#define S3_MAX_HEADERS	8	/* ours on one request, besides put_headers */

struct s3 {
	struct s3_config cfg;
	char		 sigv4[96];	/* "aws:amz:us-east-1:s3", or "" */
	char		*token_hdr;	/* "x-amz-security-token: ..." */
	int		 secure;
	int		 virtual;
};

/* One request, as s3_do sends it. */
struct s3_req {
	const char		*method;
	const char		*key;		/* NULL: the bucket */
	const char		*query;		/* canonical, or NULL */
	const void		*body;
	size_t			 body_len;
	const struct http_file	*body_file;
	const struct http_file	*resp_file;
	const char		*hash;		/* hex, or S3_UNSIGNED */
	const char		*ctype;		/* Content-Type of a body */
	const char		*range;		/* "bytes=0-9", or NULL */
	int			 upload;	/* send put_headers */
	size_t			 max_body;	/* 0: S3_DOC_MAX */
	int			 no_abort;	/* ignore abort_fd (cleanup) */
	int			 attempts;	/* 0: the config's */
};

static int	s3_get(struct bucket *, const char *, uint64_t, uint64_t,
		    const struct bucket_sink *, uint64_t *, char *);
static int	s3_head(struct bucket *, const char *, struct bucket_attr *,
		    char *);
static int	s3_put(struct bucket *, const char *,
		    const struct bucket_src *, char *);
static int	s3_list(struct bucket *, const char *, int, bucket_list_fn,
		    void *, char *);
static int	s3_del(struct bucket *, const char *, char *);
static void	s3_free(struct bucket *);

static const struct bucket_ops s3_ops = {
	s3_get, s3_head, s3_put, s3_list, s3_del, s3_free, NULL
};

void
s3_config_init(struct s3_config *c)
{
	memset(c, 0, sizeof(*c));
	c->lookup = S3_LOOKUP_AUTO;
}

/* Free a string that may hold a secret, wiping it first. */
static void
s3_wipe(char **s)
{
	if (*s != NULL) {
		explicit_bzero(*s, strlen(*s));
		free(*s);
		*s = NULL;
	}
}

void
s3_config_release(struct s3_config *c)
{
	size_t i;

	free(c->bucket);
	free(c->endpoint);
	free(c->region);
	free(c->access_key);
	s3_wipe(&c->secret_key);
	s3_wipe(&c->session_token);
	free(c->ca_file);
	for (i = 0; i < c->nput_headers; i++)
		free(c->put_headers[i]);
	free(c->put_headers);
	s3_config_init(c);
}

int
s3_config_put_header(struct s3_config *c, const char *name,
    const char *value, char err[ERR_MAX])
{
	char **v, *line;
	const char *p;

	if (*name == '\0')
		return errbuf_set(err, "empty header name");
	for (p = name; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return errbuf_set(err, "bad header name '%.100s'",
			    name);
	if (strpbrk(value, "\r\n") != NULL)
		return errbuf_set(err, "header %.100s: line break in value",
		    name);
	if ((v = reallocarray(c->put_headers, c->nput_headers + 1,
	    sizeof(*v))) == NULL)
		return errbuf_sys(err, "allocate");
	c->put_headers = v;
	if (asprintf(&line, "%s: %s", name, value) == -1)
		return errbuf_sys(err, "allocate");
	c->put_headers[c->nput_headers++] = line;
	return 0;
}

/* getenv, but "" counts as unset. */
static const char *
s3_env(const char *a, const char *b)
{
	const char *v;

	if ((v = getenv(a)) != NULL && *v != '\0')
		return v;
	if (b != NULL && (v = getenv(b)) != NULL && *v != '\0')
		return v;
	return NULL;
}

/* Credentials from the environment into c, when c has none. */
static int
s3_env_creds(struct s3_config *c, char *err)
{
	const char *id, *secret, *token;

	id = s3_env("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY");
	secret = s3_env("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY");
	token = s3_env("AWS_SESSION_TOKEN", NULL);
	/* Half a pair is no pair (minio-go's EnvAWS): anonymous. */
	if (id == NULL || secret == NULL)
		return 0;
	if ((c->access_key = strdup(id)) == NULL ||
	    (c->secret_key = strdup(secret)) == NULL ||
	    (token != NULL && c->session_token == NULL &&
	    (c->session_token = strdup(token)) == NULL)) {
		free(c->access_key);
		c->access_key = NULL;
		s3_wipe(&c->secret_key);
		return errbuf_sys(err, "allocate");
	}
	return 0;
}

struct bucket *
s3_open(struct s3_config *c, char err[ERR_MAX])
{
	const char *region;
	struct bucket *b = NULL;
	struct s3 *s;
	char *url = NULL;
	int envkeys = 0;

	if (c->bucket == NULL || *c->bucket == '\0') {
		errbuf_set(err, "no s3 bucket in config");
		return NULL;
	}
	if (strlen(c->bucket) > 255 || strpbrk(c->bucket, "/?#") != NULL) {
		errbuf_set(err, "s3 bucket '%.100s': bad name", c->bucket);
		return NULL;
	}
	if (s3url_endpoint_check(c->endpoint ? c->endpoint : "", err) == -1)
		return NULL;
	region = c->region && *c->region ? c->region : "us-east-1";
	if (strlen(region) > 64 || strspn(region,
	    "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(region)) {
		errbuf_set(err, "s3 region '%.64s': bad name", region);
		return NULL;
	}
	if ((c->access_key && *c->access_key) !=
	    (c->secret_key && *c->secret_key)) {
		errbuf_set(err, "s3 access_key and secret_key go together: "
		    "give both or neither");
		return NULL;
	}
	if (c->access_key == NULL || *c->access_key == '\0') {
		free(c->access_key);
		c->access_key = NULL;
		s3_wipe(&c->secret_key);
		if (s3_env_creds(c, err) == -1)
			return NULL;
		envkeys = c->access_key != NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		errbuf_sys(err, "allocate");
		goto fail;
	}
	if (c->access_key != NULL)
		snprintf(s->sigv4, sizeof(s->sigv4), "aws:amz:%s:s3", region);
	if (c->access_key != NULL && c->session_token != NULL &&
	    *c->session_token != '\0' && asprintf(&s->token_hdr,
	    "x-amz-security-token: %s", c->session_token) == -1) {
		s->token_hdr = NULL;
		errbuf_sys(err, "allocate");
		free(s);
		goto fail;
	}
	s->secure = !c->insecure;
	s->virtual = s3url_virtual(c->endpoint, c->bucket, c->lookup,
	    s->secure);
	if (asprintf(&url, "s3://%s", c->bucket) == -1)
		url = NULL;
	if (url == NULL || (b = bucket_new(&s3_ops, url, s)) == NULL) {
		free(url);
		errbuf_sys(err, "allocate");
		s3_wipe(&s->token_hdr);
		free(s);
		goto fail;
	}
	free(url);
	s->cfg = *c;
	s3_config_init(c);
	return b;
fail:
	/* Keys taken from the environment were ours, not the caller's. */
	if (envkeys) {
		free(c->access_key);
		c->access_key = NULL;
		s3_wipe(&c->secret_key);
		s3_wipe(&c->session_token);
	}
	return NULL;
}

static void
s3_free(struct bucket *b)
{
	struct s3 *s = b->impl;

	if (s == NULL)
		return;
	s3_config_release(&s->cfg);
	s3_wipe(&s->token_hdr);
	free(s);
	b->impl = NULL;
}

/* Blank out any copy of a secret in err: defence in depth, for a server
 * that echoes what it was sent. */
static void
s3_scrub(const struct s3 *s, char *err)
{
	const char *secrets[2] = { s->cfg.secret_key, s->cfg.session_token };
	size_t i, n;
	char *p;

	for (i = 0; i < 2; i++) {
		if (secrets[i] == NULL || (n = strlen(secrets[i])) < 4)
			continue;
		while ((p = strstr(err, secrets[i])) != NULL) {
			memmove(p + 3, p + n, strlen(p + n) + 1);
			memcpy(p, "***", 3);
		}
	}
}

/*
 * Send r, retrying as s3.h says.  0 when a response arrived (any
 * status, in resp), -1 with err set to why not: http's line without its
 * "METHOD url: " head, which bucket.c replaces with the object's name.
 */
static int
s3_do(struct bucket *b, const struct s3_req *r, struct http_response *resp,
    char *err)
{
	struct s3 *s = b->impl;
	struct http_request req = HTTP_REQUEST_INIT;
	struct http_retry retry;
	struct buf url = BUF_INIT(BUF_NOMAX);
	const char **hdrs;
	char hash[128], ctype[128], range[96], head[ERR_MAX];
	size_t n = 0, i, hl;
	int rc = -1;

	if ((hdrs = calloc(S3_MAX_HEADERS + s->cfg.nput_headers + 1,
	    sizeof(*hdrs))) == NULL)
		return errbuf_sys(err, "allocate");
	if (s3url_build(&url, s->secure, s->cfg.endpoint, s->cfg.bucket,
	    s->virtual, r->key, r->query) == -1) {
		errbuf_sys(err, "allocate");
		goto out;
	}
	snprintf(hash, sizeof(hash), "x-amz-content-sha256: %s",
	    r->hash ? r->hash : S3_EMPTY_SHA);
	hdrs[n++] = hash;
	if (s->token_hdr != NULL)
		hdrs[n++] = s->token_hdr;
	if (r->ctype != NULL) {
		snprintf(ctype, sizeof(ctype), "Content-Type: %s", r->ctype);
		hdrs[n++] = ctype;
	}
	if (r->range != NULL) {
		snprintf(range, sizeof(range), "Range: %s", r->range);
		hdrs[n++] = range;
	}
	for (i = 0; r->upload && i < s->cfg.nput_headers; i++)
		hdrs[n++] = s->cfg.put_headers[i];
	hdrs[n] = NULL;

	req.method = r->method;
	req.url = url.data;
	req.body = r->body;
	req.body_len = r->body_len;
	req.body_file = r->body_file;
	req.resp_file = r->resp_file;
	req.headers = hdrs;
	req.connect_timeout_ms = s->cfg.connect_timeout_ms > 0 ?
	    s->cfg.connect_timeout_ms : S3_CONNECT_TIMEOUT_MS;
	req.timeout_ms = S3_TIMEOUT_MS;
	req.stall_ms = s->cfg.stall_ms > 0 ? s->cfg.stall_ms : S3_STALL_MS;
	req.max_body = r->max_body > 0 ? r->max_body : S3_DOC_MAX;
	req.abort_fd = r->no_abort ? -1 : b->abort_fd;
	req.ca_file = s->cfg.ca_file;
	req.insecure_skip_verify = s->cfg.insecure_skip_verify;
	if (s->sigv4[0] != '\0') {
		req.aws_sigv4 = s->sigv4;
		req.username = s->cfg.access_key;
		req.password = s->cfg.secret_key;
	}
	retry.max_attempts = r->attempts > 0 ? r->attempts :
	    s->cfg.max_attempts > 0 ? s->cfg.max_attempts : S3_ATTEMPTS;
	retry.base_ms = 0;
	retry.max_ms = 0;
	rc = http_do_retry(&req, resp, &retry, err);
	if (rc == -1) {
		/* "PUT http://host/b/k: why" -> "why". */
		hl = (size_t)snprintf(head, sizeof(head), "%s %s: ", r->method,
		    url.data);
		if (hl < sizeof(head) && strncmp(err, head, hl) == 0)
			memmove(err, err + hl, strlen(err + hl) + 1);
		s3_scrub(s, err);
	}
out:
	free(hdrs);
	buf_release(&url);
	return rc;
}

/* A non-2xx answer as one line: "403 SignatureDoesNotMatch: ...". */
static int
s3_status_err(struct bucket *b, const struct http_response *resp,
    char *err)
{
	char code[128], msg[320];

	code[0] = msg[0] = '\0';
	if (resp->body.len > 0)
		(void)s3xml_error(resp->body.data, resp->body.len, code,
		    sizeof(code), msg, sizeof(msg));
	if (code[0] != '\0')
		errbuf_set(err, "%ld %s%s%s", resp->status, code,
		    msg[0] ? ": " : "", msg);
	else if (resp->status == 403)
		errbuf_set(err, "403 Forbidden (access denied, or a wrong "
		    "access_key or secret_key)");
	else
		errbuf_set(err, "HTTP status %ld", resp->status);
	s3_scrub(b->impl, err);
	return -1;
}

/* The <Code> of an error answer into code (n bytes), "" if none. */
static void
s3_code(const struct http_response *resp, char *code, size_t n)
{
	char msg[8];

	code[0] = '\0';
	if (resp->body.len > 0)
		(void)s3xml_error(resp->body.data, resp->body.len, code, n,
		    msg, sizeof(msg));
}

/* A 404 as BUCKET_NOTFOUND, unless the bucket itself is missing. */
static int
s3_missing(struct bucket *b, const struct http_response *resp, char *err)
{
	char code[64];

	s3_code(resp, code, sizeof(code));
	if (strcmp(code, "NoSuchBucket") == 0)
		return errbuf_set(err, "404 NoSuchBucket: bucket %s does not "
		    "exist", b->url);
	errbuf_set(err, "not found");
	return BUCKET_NOTFOUND;
}

static int
s3_get(struct bucket *b, const char *key, uint64_t off, uint64_t len,
    const struct bucket_sink *sink, uint64_t *got, char *err)
{
	struct s3_req r;
	struct http_response resp;
	struct http_file file;
	struct buf swap;
	char range[64];
	size_t room = 0;
	int ranged, rc = -1;

	*got = 0;
	memset(&r, 0, sizeof(r));
	r.method = "GET";
	r.key = key;
	/* No Range for a whole object: "bytes=0-" on an empty object is a
	 * 416 on S3. */
	ranged = off > 0 || len != BUCKET_TO_END;
	if (ranged) {
		if (len == BUCKET_TO_END)
			snprintf(range, sizeof(range), "bytes=%llu-",
			    (unsigned long long)off);
		else
			snprintf(range, sizeof(range), "bytes=%llu-%llu",
			    (unsigned long long)off,
			    (unsigned long long)(off + len - 1));
		r.range = range;
	}
	if (sink->fd >= 0) {
		file.fd = sink->fd;
		file.off = 0;
		file.len = 0;
		r.resp_file = &file;
	} else {
		room = sink->buf->max - sink->buf->len;
		/* http's 0 means its default: one byte shows "too big". */
		r.max_body = room > 0 ? room : 1;
	}
	http_response_init(&resp);
	if (s3_do(b, &r, &resp, err) == -1) {
		if (sink->fd < 0 && strstr(err, "response body over") != NULL)
			errbuf_set(err, "object over the cap of %zu bytes",
			    room);
		goto out;
	}
	if (resp.status == 404) {
		rc = s3_missing(b, &resp, err);
		goto out;
	}
	if (resp.status == 416) {
		errbuf_set(err, "range starts at byte %llu, past the end of "
		    "the object", (unsigned long long)off);
		goto out;
	}
	if (resp.status != 200 && resp.status != 206) {
		s3_status_err(b, &resp, err);
		goto out;
	}
	/* A server that ignores Range sends it all, with 200. */
	if (ranged && resp.status == 200 && off > 0) {
		errbuf_set(err, "the server ignored the Range header");
		goto out;
	}
	if (sink->fd >= 0) {
		*got = resp.file_bytes;
		/* An earlier attempt may have written more. */
		if (ftruncate(sink->fd, (off_t)*got) == -1) {
			errbuf_sys(err, "truncate download");
			goto out;
		}
		rc = 0;
		goto out;
	}
	if (ranged && resp.status == 200 && len < resp.body.len)
		resp.body.len = (size_t)len;
	if (resp.body.len > room) {
		errbuf_set(err, "object over the cap of %zu bytes", room);
		goto out;
	}
	*got = resp.body.len;
	if (sink->buf->len == 0) {
		/* Hand over the bytes rather than copy them. */
		swap = *sink->buf;
		*sink->buf = resp.body;
		sink->buf->max = swap.max;
		resp.body = swap;
		if (sink->buf->data == NULL &&
		    buf_add(sink->buf, "", 0) == -1) {
			errbuf_sys(err, "allocate");
			goto out;
		}
	} else if (buf_add(sink->buf, resp.body.data, resp.body.len) == -1) {
		errbuf_sys(err, "allocate");
		goto out;
	}
	rc = 0;
out:
	http_response_release(&resp);
	return rc;
}

static int
s3_head(struct bucket *b, const char *key, struct bucket_attr *attr,
    char *err)
{
	struct s3_req r;
	struct http_response resp;
	char v[128], num[PARSE_QUOTE_MAX];
	time_t t;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	r.method = "HEAD";
	r.key = key;
	http_response_init(&resp);
	if (s3_do(b, &r, &resp, err) == -1)
		goto out;
	if (resp.status == 404) {
		rc = s3_missing(b, &resp, err);
		goto out;
	}
	if (resp.status != 200) {
		s3_status_err(b, &resp, err);
		goto out;
	}
	if (http_response_header(&resp, "Content-Length", v, sizeof(v)) ==
	    -1 || parse_uint64(v, 0, UINT64_MAX, &attr->size, num) == -1) {
		errbuf_set(err, "no Content-Length in the answer");
		goto out;
	}
	if (http_response_header(&resp, "Last-Modified", v, sizeof(v)) == 0 &&
	    (t = curl_getdate(v, NULL)) != -1)
		attr->mtime = t;
	rc = 0;
out:
	http_response_release(&resp);
	return rc;
}

/*
 * x-amz-content-sha256 for n bytes of src from off, into hex: hashed
 * from memory, or from the file over plain http; UNSIGNED-PAYLOAD for a
 * file over TLS (see s3.h).
 */
static int
s3_hash(struct s3 *s, const struct bucket_src *src, uint64_t off,
    uint64_t n, char hex[SHA256_HEXLEN + 16], char *err)
{
	unsigned char d[SHA256_LEN];
	struct sha256 c;
	char *chunk;
	ssize_t r;
	size_t want;

	if (src->fd < 0) {
		sha256_digest((const char *)src->data + off, (size_t)n, d);
		sha256_hex(d, hex);
		return 0;
	}
	if (s->secure) {
		strcpy(hex, S3_UNSIGNED);
		return 0;
	}
	if ((chunk = malloc(S3_HASH_CHUNK)) == NULL)
		return errbuf_sys(err, "allocate");
	sha256_init(&c);
	off += src->off;
	while (n > 0) {
		want = n > S3_HASH_CHUNK ? S3_HASH_CHUNK : (size_t)n;
		r = pread(src->fd, chunk, want, (off_t)off);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errbuf_set(err, "read file: shorter than "
				    "its stated length");
			else
				errbuf_sys(err, "read file");
			free(chunk);
			return -1;
		}
		sha256_update(&c, chunk, (size_t)r);
		off += (uint64_t)r;
		n -= (uint64_t)r;
	}
	free(chunk);
	sha256_final(&c, d);
	sha256_hex(d, hex);
	return 0;
}

/* Point r's body at n bytes of src from off, with its hash in hex. */
static int
s3_body(struct s3 *s, struct s3_req *r, const struct bucket_src *src,
    uint64_t off, uint64_t n, struct http_file *file, char *hex, char *err)
{
	if (s3_hash(s, src, off, n, hex, err) == -1)
		return -1;
	r->hash = hex;
	if (src->fd < 0) {
		r->body = (const char *)src->data + off;
		r->body_len = (size_t)n;
	} else {
		file->fd = src->fd;
		file->off = (off_t)(src->off + off);
		file->len = (off_t)n;
		r->body_file = file;
	}
	return 0;
}

/* Give up the multipart upload id of key, so no parts stay stored. */
static void
s3_mp_abort(struct bucket *b, const char *key, const char *id, char *err)
{
	struct s3_req r;
	struct http_response resp;
	struct buf q = BUF_INIT(BUF_NOMAX);
	char why[ERR_MAX];
	size_t n;

	memset(&r, 0, sizeof(r));
	r.method = "DELETE";
	r.key = key;
	/* Even after SIGTERM: this is the cleanup, and it is short. */
	r.no_abort = 1;
	r.attempts = S3_ABORT_TRIES;
	http_response_init(&resp);
	if (s3url_query_add(&q, "uploadId", id) == -1) {
		errbuf_sys(why, "allocate");
		goto fail;
	}
	r.query = q.data;
	if (s3_do(b, &r, &resp, why) == -1)
		goto fail;
	/* 404 NoSuchUpload: gone already, which is what we want. */
	if (resp.status == 204 || resp.status == 200 || resp.status == 404) {
		buf_release(&q);
		http_response_release(&resp);
		return;
	}
	s3_status_err(b, &resp, why);
fail:
	n = strlen(err);
	snprintf(err + n, ERR_MAX - n, "; and aborting multipart upload %s "
	    "failed too: %s", id, why);
	buf_release(&q);
	http_response_release(&resp);
}

/* Create the upload: its id as a new string, or NULL with err. */
static char *
s3_mp_create(struct bucket *b, const char *key, char *err)
{
	struct s3_req r;
	struct http_response resp;
	char *id = NULL, why[ERR_MAX];

	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.key = key;
	r.query = "uploads=";
	r.ctype = "application/octet-stream";
	r.upload = 1;
	http_response_init(&resp);
	if (s3_do(b, &r, &resp, err) == 0) {
		if (resp.status != 200)
			s3_status_err(b, &resp, err);
		else if ((id = s3xml_upload_id(resp.body.data, resp.body.len,
		    why)) == NULL)
			errbuf_set(err, "create multipart upload: %s", why);
	}
	http_response_release(&resp);
	return id;
}

/* Upload part number (from 1) of the upload id; its ETag into etag. */
static int
s3_mp_part(struct bucket *b, const char *key, const char *id, int number,
    const struct bucket_src *src, uint64_t off, uint64_t n, char **etag,
    char *err)
{
	struct s3_req r;
	struct http_response resp;
	struct http_file file;
	struct buf q = BUF_INIT(BUF_NOMAX);
	char hex[SHA256_HEXLEN + 16], num[16], v[256];
	int rc = -1;

	memset(&r, 0, sizeof(r));
	r.method = "PUT";
	r.key = key;
	r.ctype = "application/octet-stream";
	snprintf(num, sizeof(num), "%d", number);
	http_response_init(&resp);
	if (s3url_query_add(&q, "partNumber", num) == -1 ||
	    s3url_query_add(&q, "uploadId", id) == -1) {
		errbuf_sys(err, "allocate");
		goto out;
	}
	r.query = q.data;
	if (s3_body(b->impl, &r, src, off, n, &file, hex, err) == -1 ||
	    s3_do(b, &r, &resp, err) == -1)
		goto out;
	if (resp.status != 200) {
		s3_status_err(b, &resp, err);
		goto out;
	}
	if (http_response_header(&resp, "ETag", v, sizeof(v)) == -1 ||
	    v[0] == '\0') {
		errbuf_set(err, "part %d: no ETag in the answer", number);
		goto out;
	}
	if ((*etag = strdup(v)) == NULL) {
		errbuf_sys(err, "allocate");
		goto out;
	}
	rc = 0;
out:
	if (rc == -1 && strncmp(err, "part ", 5) != 0) {
		char why[ERR_MAX];

		memcpy(why, err, ERR_MAX);
		errbuf_set(err, "part %d: %s", number, why);
	}
	buf_release(&q);
	http_response_release(&resp);
	return rc;
}

/* Append s to b with XML's five specials escaped. */
static int
s3_xml_escape(struct buf *b, const char *s)
{
	int rc = 0;

	for (; *s != '\0' && rc == 0; s++) {
		switch (*s) {
		case '&':
			rc = buf_addstr(b, "&amp;");
			break;
		case '<':
			rc = buf_addstr(b, "&lt;");
			break;
		case '>':
			rc = buf_addstr(b, "&gt;");
			break;
		case '"':
			rc = buf_addstr(b, "&quot;");
			break;
		case '\'':
			rc = buf_addstr(b, "&apos;");
			break;
		default:
			rc = buf_addch(b, *s);
		}
	}
	return rc;
}

static int
s3_mp_complete(struct bucket *b, const char *key, const char *id,
    char **etags, int nparts, char *err)
{
	struct s3_req r;
	struct http_response resp;
	struct buf q = BUF_INIT(BUF_NOMAX), x = BUF_INIT(BUF_NOMAX);
	unsigned char d[SHA256_LEN];
	char hex[SHA256_HEXLEN], code[128], msg[320];
	int i, bad = 0, rc = -1;

	bad |= buf_addstr(&x, "<CompleteMultipartUpload xmlns=\""
	    "http://s3.amazonaws.com/doc/2006-03-01/\">");
	for (i = 0; i < nparts && !bad; i++) {
		bad |= buf_addf(&x, "<Part><PartNumber>%d</PartNumber><ETag>",
		    i + 1);
		bad |= s3_xml_escape(&x, etags[i]);
		bad |= buf_addstr(&x, "</ETag></Part>");
	}
	bad |= buf_addstr(&x, "</CompleteMultipartUpload>");
	bad |= s3url_query_add(&q, "uploadId", id);
	http_response_init(&resp);
	if (bad) {
		errbuf_sys(err, "allocate");
		goto out;
	}
	sha256_digest(x.data, x.len, d);
	sha256_hex(d, hex);
	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.key = key;
	r.query = q.data;
	r.body = x.data;
	r.body_len = x.len;
	r.hash = hex;
	r.ctype = "application/xml";
	if (s3_do(b, &r, &resp, err) == -1)
		goto out;
	if (resp.status != 200) {
		s3_status_err(b, &resp, err);
		goto out;
	}
	/* S3 may answer 200 and put the failure in the body. */
	if (s3xml_error(resp.body.data, resp.body.len, code, sizeof(code),
	    msg, sizeof(msg)) == 1) {
		errbuf_set(err, "complete multipart upload: %s%s%s", code,
		    msg[0] ? ": " : "", msg);
		s3_scrub(b->impl, err);
		goto out;
	}
	rc = 0;
out:
	buf_release(&q);
	buf_release(&x);
	http_response_release(&resp);
	return rc;
}

static int
s3_put_multipart(struct bucket *b, const char *key,
    const struct bucket_src *src, uint64_t part, char *err)
{
	char **etags = NULL, *id;
	uint64_t nparts, off, n;
	int i, rc = -1;

	nparts = (src->len + part - 1) / part;
	if (nparts > S3_MAX_PARTS) {
		/* Fewer, bigger parts: S3 takes at most 10000, and a
		 * whole number of MiB keeps them tidy. */
		part = (src->len + S3_MAX_PARTS - 1) / S3_MAX_PARTS;
		part = (part + ((uint64_t)1 << 20) - 1) &
		    ~(((uint64_t)1 << 20) - 1);
		nparts = (src->len + part - 1) / part;
	}
	if ((id = s3_mp_create(b, key, err)) == NULL)
		return -1;
	if ((etags = calloc((size_t)nparts, sizeof(*etags))) == NULL) {
		errbuf_sys(err, "allocate");
		goto out;
	}
	for (i = 0, off = 0; (uint64_t)i < nparts; i++, off += n) {
		n = src->len - off < part ? src->len - off : part;
		if (s3_mp_part(b, key, id, i + 1, src, off, n, &etags[i],
		    err) == -1)
			goto out;
	}
	if (s3_mp_complete(b, key, id, etags, (int)nparts, err) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		s3_mp_abort(b, key, id, err);
	for (i = 0; etags != NULL && (uint64_t)i < nparts; i++)
		free(etags[i]);
	free(etags);
	free(id);
	return rc;
}

static int
s3_put(struct bucket *b, const char *key, const struct bucket_src *src,
    char *err)
{
	struct s3 *s = b->impl;
	struct s3_req r;
	struct http_response resp;
	struct http_file file;
	char hex[SHA256_HEXLEN + 16];
	uint64_t part;
	int rc = -1;

	part = s->cfg.part_size > 0 ? s->cfg.part_size : S3_PART_SIZE;
	if (src->len > 0 && src->len >= part)
		return s3_put_multipart(b, key, src, part, err);
	memset(&r, 0, sizeof(r));
	r.method = "PUT";
	r.key = key;
	r.ctype = "application/octet-stream";
	r.upload = 1;
	http_response_init(&resp);
	if (s3_body(s, &r, src, 0, src->len, &file, hex, err) == -1 ||
	    s3_do(b, &r, &resp, err) == -1)
		goto out;
	if (resp.status != 200) {
		s3_status_err(b, &resp, err);
		goto out;
	}
	rc = 0;
out:
	http_response_release(&resp);
	return rc;
}

static int
s3_del(struct bucket *b, const char *key, char *err)
{
	struct s3_req r;
	struct http_response resp;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	r.method = "DELETE";
	r.key = key;
	http_response_init(&resp);
	if (s3_do(b, &r, &resp, err) == -1)
		goto out;
	if (resp.status == 204 || resp.status == 200 ||
	    (resp.status == 404 && s3_missing(b, &resp, err) ==
	    BUCKET_NOTFOUND))
		rc = 0;
	else if (resp.status != 404)
		s3_status_err(b, &resp, err);
out:
	http_response_release(&resp);
	return rc;
}

/* The query of one listing page, in canonical order. */
static int
s3_list_query(const struct s3 *s, struct buf *q, const char *prefix,
    int delim, const char *next)
{
	char n[16], d[2] = { (char)delim, '\0' };
	int bad = 0;

	snprintf(n, sizeof(n), "%u", s->cfg.max_keys);
	buf_reset(q);
	if (s->cfg.list_v1) {
		bad |= delim && s3url_query_add(q, "delimiter", d);
		bad |= s3url_query_add(q, "encoding-type", "url");
		bad |= next && s3url_query_add(q, "marker", next);
		bad |= s->cfg.max_keys && s3url_query_add(q, "max-keys", n);
		bad |= *prefix && s3url_query_add(q, "prefix", prefix);
		return bad ? -1 : 0;
	}
	bad |= next && s3url_query_add(q, "continuation-token", next);
	bad |= delim && s3url_query_add(q, "delimiter", d);
	bad |= s3url_query_add(q, "encoding-type", "url");
	bad |= s3url_query_add(q, "list-type", "2");
	bad |= s->cfg.max_keys && s3url_query_add(q, "max-keys", n);
	bad |= *prefix && s3url_query_add(q, "prefix", prefix);
	return bad ? -1 : 0;
}

static int
s3_list(struct bucket *b, const char *prefix, int delim, bucket_list_fn emit,
    void *arg, char *err)
{
	struct s3 *s = b->impl;
	struct s3_req r;
	struct http_response resp;
	struct s3xml_list page;
	struct buf q = BUF_INIT(BUF_NOMAX);
	char *next = NULL, why[ERR_MAX];
	size_t i;
	int rc = -1;

	memset(&page, 0, sizeof(page));
	http_response_init(&resp);
	for (;;) {
		if (s3_list_query(s, &q, prefix, delim, next) == -1) {
			errbuf_sys(err, "allocate");
			goto out;
		}
		memset(&r, 0, sizeof(r));
		r.method = "GET";
		r.query = q.data;
		if (s3_do(b, &r, &resp, err) == -1)
			goto out;
		if (resp.status == 404) {
			s3_missing(b, &resp, err);
			goto out;
		}
		if (resp.status != 200) {
			s3_status_err(b, &resp, err);
			goto out;
		}
		if (s3xml_list(resp.body.data, resp.body.len, &page, why) ==
		    -1) {
			errbuf_set(err, "bad listing page: %s", why);
			goto out;
		}
		for (i = 0; i < page.n; i++)
			if (emit(arg, &page.v[i], err) == -1)
				goto out;
		if (!page.truncated)
			break;
		/* No way on, or the same page again, would loop forever. */
		if (page.next == NULL || *page.next == '\0' ||
		    (next != NULL && strcmp(next, page.next) == 0)) {
			errbuf_set(err, "truncated listing without a new "
			    "continuation token");
			goto out;
		}
		free(next);
		next = page.next;
		page.next = NULL;
		s3xml_list_release(&page);
	}
	rc = 0;
out:
	s3xml_list_release(&page);
	free(next);
	buf_release(&q);
	http_response_release(&resp);
	return rc;
}
