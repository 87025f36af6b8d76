#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <yaml.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "base/io.h"
#include "base/parse.h"
#include "bucket/bucket.h"
#include "bucket/fs.h"
#include "bucket/objstore.h"
#include "bucket/s3.h"
#include "bucket/s3url.h"

/* One parse: the document, where it came from, and the error line. */
struct yctx {
	yaml_document_t	*doc;
	const char	*src;
	char		*err;
};

/* A parse in progress: the result, and what only parsing needs. */
struct osconf {
	struct objstore_conf pub;
	char		*type;
	/* sse_config, turned into headers once all is read. */
	char		*sse_type;
	char		*kms_key_id;
	json_t		*kms_context;
	char		*sse_key_file;
	/* The top level's config node, read once the type is known. */
	const yaml_node_t *config;
};

/* "SRC:LINE: what", always -1. */
static int
y_fail(struct yctx *y, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
y_fail(struct yctx *y, const yaml_node_t *n, const char *fmt, ...)
{
	char what[ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (n != NULL)
		return errbuf_set(y->err, "%s:%lu: %s", y->src,
		    (unsigned long)n->start_mark.line + 1, what);
	return errbuf_set(y->err, "%s: %s", y->src, what);
}

static yaml_node_t *
y_node(struct yctx *y, int id)
{
	return yaml_document_get_node(y->doc, id);
}

/* 1 for YAML's null: "~", "null", or nothing, unquoted. */
static int
y_null(const yaml_node_t *n)
{
	const char *v;

	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	v = (const char *)n->data.scalar.value;
	return *v == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
	    strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

/* A string setting: any scalar, as yaml.v2 takes it; null is unset.
 * The value is never quoted in an error: it may be a secret. */
static int
y_str(struct yctx *y, const yaml_node_t *n, const char *key, char **out)
{
	char *s;

	if (n->type != YAML_SCALAR_NODE)
		return y_fail(y, n, "%s must be a string", key);
	if (y_null(n)) {
		free(*out);
		*out = NULL;
		return 0;
	}
	if (strlen((const char *)n->data.scalar.value) !=
	    n->data.scalar.length)
		return y_fail(y, n, "%s: NUL in value", key);
	if ((s = strdup((const char *)n->data.scalar.value)) == NULL)
		return y_fail(y, n, "out of memory");
	if (*out != NULL) {
		explicit_bzero(*out, strlen(*out));
		free(*out);
	}
	*out = s;
	return 0;
}

/* A bool as yaml.v2 reads one (YAML 1.1), unquoted; null is false. */
static int
y_bool(struct yctx *y, const yaml_node_t *n, const char *key, int *out)
{
	static const char *const yes[] = { "y", "Y", "yes", "Yes", "YES",
		"true", "True", "TRUE", "on", "On", "ON", NULL };
	static const char *const no[] = { "n", "N", "no", "No", "NO",
		"false", "False", "FALSE", "off", "Off", "OFF", NULL };
	char q[PARSE_QUOTE_MAX];
	const char *v;
	int i;

	if (y_null(n)) {
		*out = 0;
		return 0;
	}
	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return y_fail(y, n, "%s must be true or false, unquoted", key);
	v = (const char *)n->data.scalar.value;
	for (i = 0; yes[i] != NULL; i++)
		if (strcmp(v, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
	for (i = 0; no[i] != NULL; i++)
		if (strcmp(v, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	return y_fail(y, n, "%s must be true or false, not '%s'", key,
	    parse_quote(v, q));
}

/* A whole number in [0, max]; null is 0. */
static int
y_u64(struct yctx *y, const yaml_node_t *n, const char *key, uint64_t max,
    uint64_t *out)
{
	char why[ERR_MAX];

	if (y_null(n)) {
		*out = 0;
		return 0;
	}
	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
	    parse_uint64((const char *)n->data.scalar.value, 0, max, out,
	    why) == -1)
		return y_fail(y, n, "%s must be a whole number from 0 to %llu",
		    key, (unsigned long long)max);
	return 0;
}

/* A Prometheus duration ("1m30s") into ms; null is 0. */
static int
y_dur(struct yctx *y, const yaml_node_t *n, const char *key, long *ms)
{
	char why[ERR_MAX];
	int64_t v;

	if (y_null(n)) {
		*ms = 0;
		return 0;
	}
	if (n->type != YAML_SCALAR_NODE ||
	    parse_duration((const char *)n->data.scalar.value, &v, why) ==
	    -1)
		return y_fail(y, n, "%s: %s", key, n->type == YAML_SCALAR_NODE ?
		    why : "not a duration");
	if (v > 86400000LL * 365)
		return y_fail(y, n, "%s: too long", key);
	*ms = (long)v;
	return 0;
}

/*
 * Walk the mapping n, whose keys must be among keys[] (NULL-ended) and
 * each at most once; for each pair call fn with the key's index.  Unless
 * strict, unknown keys are skipped (Thanos' filesystem config).  A null
 * n is an empty mapping.
 */
typedef int (*y_pair_fn)(struct yctx *, struct osconf *, int,
    const yaml_node_t *);

static int
y_map(struct yctx *y, const yaml_node_t *n, const char *what,
    const char *const *keys, int strict, y_pair_fn fn, struct osconf *oc)
{
	yaml_node_pair_t *pair;
	yaml_node_t *k, *v;
	uint64_t seen = 0;
	char q[PARSE_QUOTE_MAX];
	const char *name;
	int i;

	if (y_null(n))
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return y_fail(y, n, "%s must be a mapping", what);
	for (pair = n->data.mapping.pairs.start;
	    pair < n->data.mapping.pairs.top; pair++) {
		k = y_node(y, pair->key);
		v = y_node(y, pair->value);
		if (k == NULL || v == NULL || k->type != YAML_SCALAR_NODE)
			return y_fail(y, k, "%s: keys must be strings", what);
		name = (const char *)k->data.scalar.value;
		for (i = 0; keys[i] != NULL && strcmp(keys[i], name) != 0; i++)
			;
		if (keys[i] == NULL) {
			if (!strict)
				continue;
			return y_fail(y, k, "unknown key '%s' in %s",
			    parse_quote(name, q), what);
		}
		if (seen & ((uint64_t)1 << i))
			return y_fail(y, k, "key '%s' given twice in %s",
			    name, what);
		seen |= (uint64_t)1 << i;
		if (fn(y, oc, i, v) == -1)
			return -1;
	}
	return 0;
}

static const char *const tls_keys[] = {
	"ca_file", "cert_file", "key_file", "server_name",
	"insecure_skip_verify", NULL
};

static int
y_tls(struct yctx *y, struct osconf *oc, int i, const yaml_node_t *v)
{
	char *s = NULL;
	int b, rc;

	switch (i) {
	case 0:
		return y_str(y, v, "ca_file", &oc->pub.s3.ca_file);
	case 1:
	case 2:
	case 3:
		if ((rc = y_str(y, v, tls_keys[i], &s)) == 0 && s != NULL &&
		    *s != '\0')
			rc = y_fail(y, v, "tls_config %s is not supported",
			    tls_keys[i]);
		free(s);
		return rc;
	default:
		if (y_bool(y, v, "insecure_skip_verify", &b) == -1)
			return -1;
		oc->pub.s3.insecure_skip_verify |= b;
		return 0;
	}
}

static const char *const http_keys[] = {
	"idle_conn_timeout", "response_header_timeout", "insecure_skip_verify",
	"tls_handshake_timeout", "expect_continue_timeout", "max_idle_conns",
	"max_idle_conns_per_host", "max_conns_per_host", "tls_config",
	"disable_compression", NULL
};

static int
y_http(struct yctx *y, struct osconf *oc, int i, const yaml_node_t *v)
{
	uint64_t u;
	long ms;
	int b;

	switch (i) {
	case 0:		/* no connection pool here: nothing idles */
	case 4:		/* curl waits 1 s for "100 Continue" */
		return y_dur(y, v, http_keys[i], &ms);
	case 1:
		/* The nearest curl has: fail a transfer that stalls. */
		return y_dur(y, v, http_keys[i], &oc->pub.s3.stall_ms);
	case 2:
		if (y_bool(y, v, http_keys[i], &b) == -1)
			return -1;
		oc->pub.s3.insecure_skip_verify |= b;
		return 0;
	case 3:
		/* curl's connect timeout covers the TLS handshake. */
		return y_dur(y, v, http_keys[i],
		    &oc->pub.s3.connect_timeout_ms);
	case 5:
	case 6:
	case 7:
		return y_u64(y, v, http_keys[i], INT32_MAX, &u);
	case 8:
		return y_map(y, v, "tls_config", tls_keys, 1, y_tls, oc);
	default:
		return y_bool(y, v, http_keys[i], &b);
	}
}

static const char *const trace_keys[] = { "enable", NULL };

static int
y_trace(struct yctx *y, struct osconf *oc, int i, const yaml_node_t *v)
{
	int b;

	(void)oc;
	(void)i;
	return y_bool(y, v, "trace.enable", &b);
}

static const char *const sse_keys[] = {
	"type", "kms_key_id", "kms_encryption_context", "encryption_key", NULL
};

static int
y_sse(struct yctx *y, struct osconf *oc, int i, const yaml_node_t *v)
{
	yaml_node_pair_t *pair;
	yaml_node_t *k, *val;

	switch (i) {
	case 0:
		return y_str(y, v, "sse_config type", &oc->sse_type);
	case 1:
		return y_str(y, v, "kms_key_id", &oc->kms_key_id);
	case 3:
		return y_str(y, v, "encryption_key", &oc->sse_key_file);
	default:
		break;
	}
	if (y_null(v))
		return 0;
	if (v->type != YAML_MAPPING_NODE)
		return y_fail(y, v, "kms_encryption_context must be a mapping");
	json_decref(oc->kms_context);
	if ((oc->kms_context = json_object()) == NULL)
		return y_fail(y, v, "out of memory");
	for (pair = v->data.mapping.pairs.start;
	    pair < v->data.mapping.pairs.top; pair++) {
		k = y_node(y, pair->key);
		val = y_node(y, pair->value);
		if (k == NULL || val == NULL || k->type != YAML_SCALAR_NODE ||
		    val->type != YAML_SCALAR_NODE)
			return y_fail(y, v, "kms_encryption_context must map "
			    "strings to strings");
		if (json_object_set_new(oc->kms_context,
		    (const char *)k->data.scalar.value,
		    json_string((const char *)val->data.scalar.value)) == -1)
			return y_fail(y, v, "kms_encryption_context: not "
			    "UTF-8");
	}
	return 0;
}

static const char *const s3_keys[] = {
	"bucket", "endpoint", "region", "aws_sdk_auth", "access_key",
	"insecure", "signature_version2", "secret_key", "session_token",
	"put_user_metadata", "http_config", "trace", "list_objects_version",
	"bucket_lookup_type", "send_content_md5", "disable_multipart",
	"part_size", "sse_config", "sts_endpoint", "max_retries",
	"disable_dualstack", NULL
};

/* put_user_metadata: x-amz-meta-* headers, but X-Amz-Storage-Class (any
 * case) is the storage class, as in Thanos. */
static int
y_meta(struct yctx *y, struct osconf *oc, const yaml_node_t *v)
{
	yaml_node_pair_t *pair;
	yaml_node_t *k, *val;
	char why[ERR_MAX], name[300];
	const char *kn;

	if (y_null(v))
		return 0;
	if (v->type != YAML_MAPPING_NODE)
		return y_fail(y, v, "put_user_metadata must be a mapping");
	for (pair = v->data.mapping.pairs.start;
	    pair < v->data.mapping.pairs.top; pair++) {
		k = y_node(y, pair->key);
		val = y_node(y, pair->value);
		if (k == NULL || val == NULL || k->type != YAML_SCALAR_NODE ||
		    val->type != YAML_SCALAR_NODE)
			return y_fail(y, v, "put_user_metadata must map "
			    "strings to strings");
		kn = (const char *)k->data.scalar.value;
		if (strcasecmp(kn, "X-Amz-Storage-Class") == 0)
			snprintf(name, sizeof(name), "x-amz-storage-class");
		else if (strncasecmp(kn, "x-amz-meta-", 11) == 0)
			snprintf(name, sizeof(name), "%.250s", kn);
		else
			snprintf(name, sizeof(name), "x-amz-meta-%.250s", kn);
		if (s3_config_put_header(&oc->pub.s3, name,
		    (const char *)val->data.scalar.value, why) == -1)
			return y_fail(y, k, "put_user_metadata: %s", why);
	}
	return 0;
}

static int
y_s3(struct yctx *y, struct osconf *oc, int i, const yaml_node_t *v)
{
	struct s3_config *c = &oc->pub.s3;
	char *s = NULL, q[PARSE_QUOTE_MAX];
	uint64_t u;
	int b, rc = 0;

	switch (i) {
	case 0:
		return y_str(y, v, "bucket", &c->bucket);
	case 1:
		return y_str(y, v, "endpoint", &c->endpoint);
	case 2:
		return y_str(y, v, "region", &c->region);
	case 3:
		if (y_bool(y, v, "aws_sdk_auth", &b) == -1)
			return -1;
		return b ? y_fail(y, v, "aws_sdk_auth is not supported: give "
		    "access_key and secret_key, or AWS_ACCESS_KEY_ID and "
		    "AWS_SECRET_ACCESS_KEY") : 0;
	case 4:
		return y_str(y, v, "access_key", &c->access_key);
	case 5:
		return y_bool(y, v, "insecure", &c->insecure);
	case 6:
		if (y_bool(y, v, "signature_version2", &b) == -1)
			return -1;
		return b ? y_fail(y, v, "signature_version2 is not supported: "
		    "strata signs with AWS Signature Version 4 only") : 0;
	case 7:
		return y_str(y, v, "secret_key", &c->secret_key);
	case 8:
		return y_str(y, v, "session_token", &c->session_token);
	case 9:
		return y_meta(y, oc, v);
	case 10:
		return y_map(y, v, "http_config", http_keys, 1, y_http, oc);
	case 11:
		return y_map(y, v, "trace", trace_keys, 1, y_trace, oc);
	case 12:
		if (y_str(y, v, "list_objects_version", &s) == -1)
			return -1;
		if (s == NULL || *s == '\0' || strcmp(s, "v2") == 0)
			c->list_v1 = 0;
		else if (strcmp(s, "v1") == 0)
			c->list_v1 = 1;
		else
			rc = y_fail(y, v, "list_objects_version '%s' is not "
			    "supported: use v1 or v2", parse_quote(s, q));
		free(s);
		return rc;
	case 13:
		if (y_str(y, v, "bucket_lookup_type", &s) == -1)
			return -1;
		if (s == NULL || *s == '\0' || strcmp(s, "auto") == 0)
			c->lookup = S3_LOOKUP_AUTO;
		else if (strcmp(s, "path") == 0)
			c->lookup = S3_LOOKUP_PATH;
		else if (strcmp(s, "virtual-hosted") == 0)
			c->lookup = S3_LOOKUP_VIRTUAL;
		else
			rc = y_fail(y, v, "bucket_lookup_type '%s' is not "
			    "auto, path or virtual-hosted", parse_quote(s, q));
		free(s);
		return rc;
	case 14:	/* we send x-amz-content-sha256 instead */
	case 20:	/* an AWS endpoint choice we do not make */
		return y_bool(y, v, s3_keys[i], &b);
	case 15:
		if (y_bool(y, v, "disable_multipart", &b) == -1)
			return -1;
		if (b)
			c->part_size = UINT64_MAX;
		return 0;
	case 16:
		if (y_u64(y, v, "part_size", UINT64_MAX, &u) == -1)
			return -1;
		if (c->part_size != UINT64_MAX)
			c->part_size = u;
		return 0;
	case 17:
		return y_map(y, v, "sse_config", sse_keys, 1, y_sse, oc);
	case 18:
		if ((rc = y_str(y, v, "sts_endpoint", &s)) == 0 && s != NULL &&
		    *s != '\0')
			rc = y_fail(y, v, "sts_endpoint is not supported (no "
			    "STS credentials here)");
		free(s);
		return rc;
	default:
		if (y_u64(y, v, "max_retries", 1000, &u) == -1)
			return -1;
		c->max_attempts = (int)u;
		return 0;
	}
}

static const char *const fs_keys[] = { "directory", NULL };

static int
y_fs(struct yctx *y, struct osconf *oc, int i, const yaml_node_t *v)
{
	(void)i;
	return y_str(y, v, "directory", &oc->pub.directory);
}

/* The top level: type, config (kept for later: its keys depend on the
 * type, which may come after it), prefix. */
static const char *const top_keys[] = { "type", "config", "prefix", NULL };

static int
y_top(struct yctx *y, struct osconf *oc, int i, const yaml_node_t *v)
{
	switch (i) {
	case 0:
		return y_str(y, v, "type", &oc->type);
	case 1:
		oc->config = v;
		return 0;
	default:
		return y_str(y, v, "prefix", &oc->pub.prefix);
	}
}

void
objstore_conf_release(struct objstore_conf *c)
{
	free(c->prefix);
	free(c->directory);
	s3_config_release(&c->s3);
	c->prefix = c->directory = NULL;
	c->is_s3 = 0;
}

static void
osconf_release(struct osconf *oc)
{
	free(oc->type);
	objstore_conf_release(&oc->pub);
	free(oc->sse_type);
	free(oc->kms_key_id);
	json_decref(oc->kms_context);
	free(oc->sse_key_file);
}

/* Standard base64 of n bytes at p, as a new string. */
static char *
os_base64(const char *p, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *u = (const unsigned char *)p;
	char *out, *o;
	size_t i;
	unsigned v;

	if ((out = malloc((n + 2) / 3 * 4 + 1)) == NULL)
		return NULL;
	for (i = 0, o = out; i < n; i += 3) {
		v = (unsigned)u[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)u[i + 1] << 8;
		if (i + 2 < n)
			v |= u[i + 2];
		*o++ = tab[v >> 18];
		*o++ = tab[(v >> 12) & 63];
		*o++ = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		*o++ = i + 2 < n ? tab[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

/* sse_config into upload headers. */
static int
os_sse(struct osconf *oc, const char *src, char *err)
{
	char why[ERR_MAX], q[PARSE_QUOTE_MAX], *json, *b64;
	const char *t = oc->sse_type;
	int rc;

	if (t == NULL || *t == '\0')
		return 0;
	if (strcmp(t, "SSE-S3") == 0) {
		if (s3_config_put_header(&oc->pub.s3,
		    "x-amz-server-side-encryption", "AES256", why) == -1)
			return errbuf_set(err, "%s: %s", src, why);
		return 0;
	}
	if (strcmp(t, "SSE-C") == 0)
		return errbuf_set(err, "%s: sse_config type SSE-C is not "
		    "supported", src);
	if (strcmp(t, "SSE-KMS") != 0)
		return errbuf_set(err, "%s: sse_config type '%s' is not "
		    "supported: use SSE-S3 or SSE-KMS", src, parse_quote(t, q));
	if (oc->kms_key_id == NULL || *oc->kms_key_id == '\0')
		return errbuf_set(err, "%s: sse_config type SSE-KMS needs "
		    "kms_key_id", src);
	if (s3_config_put_header(&oc->pub.s3, "x-amz-server-side-encryption",
	    "aws:kms", why) == -1 || s3_config_put_header(&oc->pub.s3,
	    "x-amz-server-side-encryption-aws-kms-key-id", oc->kms_key_id,
	    why) == -1)
		return errbuf_set(err, "%s: %s", src, why);
	if (oc->kms_context == NULL)
		return 0;
	if ((json = json_dumps(oc->kms_context, JSON_COMPACT |
	    JSON_SORT_KEYS)) == NULL)
		return errbuf_set(err, "%s: out of memory", src);
	b64 = os_base64(json, strlen(json));
	free(json);
	if (b64 == NULL)
		return errbuf_set(err, "%s: out of memory", src);
	rc = s3_config_put_header(&oc->pub.s3,
	    "x-amz-server-side-encryption-context", b64, why);
	free(b64);
	return rc == -1 ? errbuf_set(err, "%s: %s", src, why) : 0;
}

/* Open the bucket c describes; consumes c's S3 config on success. */
static struct bucket *
os_open(struct objstore_conf *c, const char *src, char *err)
{
	struct bucket *b;
	char why[ERR_MAX];

	if (!c->is_s3) {
		if ((b = bucket_fs_open(c->directory, why)) == NULL)
			errbuf_set(err, "%s: %s", src, why);
	} else if ((b = s3_open(&c->s3, why)) == NULL)
		errbuf_set(err, "%s: %s", src, why);
	if (b != NULL && c->prefix != NULL &&
	    bucket_set_prefix(b, c->prefix, why) == -1) {
		errbuf_set(err, "%s: %s", src, why);
		bucket_free(b);
		b = NULL;
	}
	return b;
}

int
objstore_parse(const char *text, size_t len, const char *source,
    struct objstore_conf *out, char err[ERR_MAX])
{
	static const char *const other[] = { "GCS", "AZURE", "SWIFT", "COS",
		"ALIYUNOSS", "BOS", "OCI", "OBS", NULL };
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	struct yctx y;
	struct osconf oc;
	char q[PARSE_QUOTE_MAX];
	int i, rc = -1;

	memset(&oc, 0, sizeof(oc));
	s3_config_init(&oc.pub.s3);
	y.doc = &doc;
	y.src = source;
	y.err = err;
	if (!yaml_parser_initialize(&parser)) {
		errbuf_set(err, "%s: out of memory", source);
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text,
	    len);
	if (!yaml_parser_load(&parser, &doc)) {
		errbuf_set(err, "%s:%lu: bad YAML: %s", source,
		    (unsigned long)parser.problem_mark.line + 1,
		    parser.problem ? parser.problem : "unknown error");
		yaml_parser_delete(&parser);
		return -1;
	}
	yaml_parser_delete(&parser);
	if ((root = yaml_document_get_root_node(&doc)) == NULL) {
		y_fail(&y, NULL, "empty objstore config");
		goto out;
	}
	if (root->type != YAML_MAPPING_NODE) {
		y_fail(&y, root, "objstore config must be a mapping");
		goto out;
	}
	if (y_map(&y, root, "objstore config", top_keys, 1, y_top, &oc) == -1)
		goto out;
	if (oc.type == NULL || *oc.type == '\0') {
		y_fail(&y, NULL, "no type in objstore config (S3 or "
		    "FILESYSTEM)");
		goto out;
	}
	/* Thanos upper-cases the type before it looks. */
	if (strcasecmp(oc.type, "FILESYSTEM") == 0) {
		if (oc.config != NULL && y_map(&y, oc.config,
		    "filesystem config",
		    fs_keys, 0, y_fs, &oc) == -1)
			goto out;
		if (oc.pub.directory == NULL || *oc.pub.directory == '\0') {
			y_fail(&y, NULL, "missing directory for filesystem "
			    "bucket");
			goto out;
		}
	} else if (strcasecmp(oc.type, "S3") == 0) {
		oc.pub.is_s3 = 1;
		if (oc.config != NULL && y_map(&y, oc.config, "s3 config",
		    s3_keys, 1, y_s3, &oc) == -1)
			goto out;
		if (oc.pub.s3.endpoint == NULL || *oc.pub.s3.endpoint == '\0') {
			y_fail(&y, NULL, "no s3 endpoint in config file");
			goto out;
		}
		if (os_sse(&oc, source, err) == -1)
			goto out;
	} else {
		for (i = 0; other[i] != NULL &&
		    strcasecmp(other[i], oc.type) != 0; i++)
			;
		y_fail(&y, NULL, "bucket with type %s is not supported%s",
		    parse_quote(oc.type, q), other[i] != NULL ? " by strata "
		    "(S3 and FILESYSTEM are)" : "");
		goto out;
	}
	*out = oc.pub;
	memset(&oc.pub, 0, sizeof(oc.pub));
	s3_config_init(&oc.pub.s3);
	rc = 0;
out:
	osconf_release(&oc);
	yaml_document_delete(&doc);
	return rc;
}

struct bucket *
bucket_open_config(const char *text, size_t len, const char *source,
    char err[ERR_MAX])
{
	struct objstore_conf c;
	struct bucket *b;

	if (objstore_parse(text, len, source, &c, err) == -1)
		return NULL;
	b = os_open(&c, source, err);
	objstore_conf_release(&c);
	return b;
}

struct bucket *
bucket_open_config_file(const char *path, char err[ERR_MAX])
{
	struct buf text = BUF_INIT(OBJSTORE_MAX);
	struct bucket *b;

	if (io_read_file(path, &text, err) == -1) {
		buf_release(&text);
		return NULL;
	}
	b = bucket_open_config(text.data, text.len, path, err);
	explicit_bzero(text.data, text.len);
	buf_release(&text);
	return b;
}

/* Percent-decode n bytes of s into a new string; NULL on a bad escape,
 * a NUL, or no memory (errno EINVAL or ENOMEM). */
static char *
os_pct(const char *s, size_t n)
{
	char *out, *o;
	size_t i;
	int hi, lo;

	if ((out = malloc(n + 1)) == NULL)
		return NULL;
	for (i = 0, o = out; i < n; i++) {
		if (s[i] != '%') {
			*o++ = s[i];
			continue;
		}
		if (i + 2 >= n || !isxdigit((unsigned char)s[i + 1]) ||
		    !isxdigit((unsigned char)s[i + 2]))
			goto bad;
		hi = isdigit((unsigned char)s[i + 1]) ? s[i + 1] - '0' :
		    tolower((unsigned char)s[i + 1]) - 'a' + 10;
		lo = isdigit((unsigned char)s[i + 2]) ? s[i + 2] - '0' :
		    tolower((unsigned char)s[i + 2]) - 'a' + 10;
		if (hi == 0 && lo == 0)
			goto bad;
		*o++ = (char)(hi * 16 + lo);
		i += 2;
	}
	*o = '\0';
	return out;
bad:
	free(out);
	errno = EINVAL;
	return NULL;
}

/* One "key=value" of an s3:// URL into c. */
static int
os_url_param(struct s3_config *c, const char *key, const char *val,
    char *err)
{
	char why[ERR_MAX], q[PARSE_QUOTE_MAX];
	uint64_t u;
	int b;

	if (strcmp(key, "endpoint") == 0 || strcmp(key, "region") == 0 ||
	    strcmp(key, "ca_file") == 0) {
		char **dst = key[0] == 'e' ? &c->endpoint : key[0] == 'r' ?
		    &c->region : &c->ca_file;

		free(*dst);
		if ((*dst = strdup(val)) == NULL)
			return errbuf_sys(err, "allocate");
		return 0;
	}
	if (strcmp(key, "insecure") == 0 ||
	    strcmp(key, "insecure_skip_verify") == 0) {
		if (parse_bool(val, &b, why) == -1)
			return errbuf_set(err, "%s: %s", key, why);
		if (key[8] == '\0')
			c->insecure = b;
		else
			c->insecure_skip_verify = b;
		return 0;
	}
	if (strcmp(key, "bucket_lookup_type") == 0) {
		if (strcmp(val, "auto") == 0)
			c->lookup = S3_LOOKUP_AUTO;
		else if (strcmp(val, "path") == 0)
			c->lookup = S3_LOOKUP_PATH;
		else if (strcmp(val, "virtual-hosted") == 0)
			c->lookup = S3_LOOKUP_VIRTUAL;
		else
			return errbuf_set(err, "bucket_lookup_type '%s' is not "
			    "auto, path or virtual-hosted",
			    parse_quote(val, q));
		return 0;
	}
	if (strcmp(key, "part_size") == 0) {
		if (parse_size(val, &u, why) == -1)
			return errbuf_set(err, "part_size: %s", why);
		c->part_size = u;
		return 0;
	}
	if (strcmp(key, "max_retries") == 0 || strcmp(key, "max_keys") == 0) {
		if (parse_uint64(val, 0, 100000, &u, why) == -1)
			return errbuf_set(err, "%s: %s", key, why);
		if (key[4] == 'r')
			c->max_attempts = (int)u;
		else
			c->max_keys = (unsigned)u;
		return 0;
	}
	if (strcmp(key, "list_objects_version") == 0) {
		if (strcmp(val, "v1") != 0 && strcmp(val, "v2") != 0)
			return errbuf_set(err, "list_objects_version '%s' is "
			    "not supported: use v1 or v2", parse_quote(val, q));
		c->list_v1 = val[1] == '1';
		return 0;
	}
	if (strcmp(key, "access_key") == 0 || strcmp(key, "secret_key") == 0 ||
	    strcmp(key, "session_token") == 0)
		return errbuf_set(err, "%s does not belong in a URL, which "
		    "ends up in argv and logs: use AWS_ACCESS_KEY_ID and "
		    "AWS_SECRET_ACCESS_KEY, or --objstore.config-file", key);
	return errbuf_set(err, "unknown key '%s'", parse_quote(key, q));
}

int
objstore_parse_s3_url(const char *url, struct s3_config *c, char **prefix,
    char err[ERR_MAX])
{
	const char *p = url + 5, *amp, *eq;
	char *key = NULL, *val = NULL, why[ERR_MAX];
	size_t n;
	int rc = -1;

	*prefix = NULL;
	if (strncmp(url, "s3://", 5) != 0)
		return errbuf_set(err, "not an s3:// URL");
	n = strcspn(p, "/?#");
	if (memchr(p, '@', n) != NULL)
		return errbuf_set(err, "bucket URL: credentials do not belong "
		    "in a URL: use AWS_ACCESS_KEY_ID and "
		    "AWS_SECRET_ACCESS_KEY");
	if (n == 0)
		return errbuf_set(err, "bucket URL: no bucket name");
	if ((c->bucket = os_pct(p, n)) == NULL)
		return errbuf_set(err, "bucket URL: bad bucket name");
	p += n;
	if (*p == '#')
		return errbuf_set(err, "bucket URL: '#' is not allowed");
	if (*p == '/') {
		n = strcspn(++p, "?#");
		if (p[n] == '#')
			return errbuf_set(err, "bucket URL: '#' is not "
			    "allowed");
		if ((*prefix = os_pct(p, n)) == NULL)
			return errbuf_set(err, "bucket URL: bad prefix");
		p += n;
	}
	if (*p == '?')
		p++;
	for (; *p != '\0'; p = *amp ? amp + 1 : amp) {
		amp = p + strcspn(p, "&");
		if (amp == p)
			continue;
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq == NULL) {
			errbuf_set(err, "bucket URL: '%.*s' has no value",
			    (int)(amp - p > 64 ? 64 : amp - p), p);
			goto out;
		}
		free(key);
		free(val);
		key = os_pct(p, (size_t)(eq - p));
		val = os_pct(eq + 1, (size_t)(amp - eq - 1));
		if (key == NULL || val == NULL) {
			errbuf_set(err, "bucket URL: bad %%-escape");
			goto out;
		}
		if (os_url_param(c, key, val, why) == -1) {
			errbuf_set(err, "bucket URL: %s", why);
			goto out;
		}
	}
	if (c->endpoint == NULL) {
		/* The URL is ours, not Thanos': AWS is the usual s3://. */
		if (c->region == NULL || strcmp(c->region, "us-east-1") == 0)
			c->endpoint = strdup("s3.amazonaws.com");
		else if (asprintf(&c->endpoint, "s3.%s.amazonaws.com",
		    c->region) == -1)
			c->endpoint = NULL;
		if (c->endpoint == NULL) {
			errbuf_sys(err, "allocate");
			goto out;
		}
	}
	rc = 0;
out:
	free(key);
	free(val);
	return rc;
}

struct bucket *
bucket_open_url(const char *url, char err[ERR_MAX])
{
	struct s3_config c;
	struct bucket *b = NULL;
	char *prefix = NULL, *dir = NULL, why[ERR_MAX], q[PARSE_QUOTE_MAX];
	const char *p;
	size_t n;

	if (strncmp(url, "s3://", 5) == 0) {
		s3_config_init(&c);
		if (objstore_parse_s3_url(url, &c, &prefix, err) == 0) {
			if ((b = s3_open(&c, why)) == NULL)
				errbuf_set(err, "bucket URL: %s", why);
			else if (prefix != NULL &&
			    bucket_set_prefix(b, prefix, why) == -1) {
				errbuf_set(err, "bucket URL: %s", why);
				bucket_free(b);
				b = NULL;
			}
		}
		s3_config_release(&c);
		free(prefix);
		return b;
	}
	if (strncmp(url, "file://", 7) == 0) {
		p = url + 7;
		if (strncmp(p, "localhost/", 10) == 0)
			p += 9;
		if (*p != '/') {
			errbuf_set(err, "bucket URL '%s': file:// takes an "
			    "absolute path (file:///var/lib/bucket)",
			    parse_quote(url, q));
			return NULL;
		}
		n = strcspn(p, "?#");
		if (p[n] != '\0') {
			errbuf_set(err, "bucket URL '%s': file:// takes no "
			    "query", parse_quote(url, q));
			return NULL;
		}
		if ((dir = os_pct(p, n)) == NULL) {
			errbuf_set(err, "bucket URL '%s': bad %%-escape",
			    parse_quote(url, q));
			return NULL;
		}
	} else if ((p = strstr(url, "://")) != NULL &&
	    strspn(url, "abcdefghijklmnopqrstuvwxyz0123456789+-.") ==
	    (size_t)(p - url)) {
		errbuf_set(err, "bucket URL '%s': scheme %.*s is not "
		    "supported (s3:// and file:// are)", parse_quote(url, q),
		    (int)(p - url), url);
		return NULL;
	} else if ((dir = strdup(url)) == NULL) {
		errbuf_sys(err, "allocate");
		return NULL;
	}
	if ((b = bucket_fs_open(dir, why)) == NULL)
		errbuf_set(err, "bucket URL: %s", why);
	free(dir);
	return b;
}
