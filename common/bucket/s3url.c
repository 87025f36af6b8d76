#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "bucket/s3url.h"

static int
s3url_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	    c == '~';
}

int
s3url_encode(struct buf *b, const char *s, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t mark = b->len;
	unsigned char c;
	char e[3];

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (s3url_unreserved(c) || (keep_slash && c == '/')) {
			if (buf_addch(b, (char)c) == -1)
				goto fail;
			continue;
		}
		e[0] = '%';
		e[1] = hex[c >> 4];
		e[2] = hex[c & 15];
		if (buf_add(b, e, 3) == -1)
			goto fail;
	}
	return 0;
fail:
	b->len = mark;
	if (b->data)
		b->data[mark] = '\0';
	return -1;
}

int
s3url_query_add(struct buf *q, const char *name, const char *value)
{
	size_t mark = q->len;

	if ((q->len > 0 && buf_addch(q, '&') == -1) ||
	    buf_addstr(q, name) == -1 || buf_addch(q, '=') == -1 ||
	    s3url_encode(q, value, 0) == -1) {
		q->len = mark;
		if (q->data)
			q->data[mark] = '\0';
		return -1;
	}
	return 0;
}

int
s3url_endpoint_check(const char *endpoint, char err[ERR_MAX])
{
	const char *port = NULL, *p;

	if (*endpoint == '\0')
		return errbuf_set(err, "no s3 endpoint in config file");
	if (strstr(endpoint, "://") != NULL)
		return errbuf_set(err, "s3 endpoint '%.200s': give host[:port] "
		    "without a scheme (insecure: true for http)", endpoint);
	if (strlen(endpoint) > 255)
		return errbuf_set(err, "s3 endpoint too long");
	if (endpoint[0] == '[') {
		if ((p = strchr(endpoint, ']')) == NULL)
			return errbuf_set(err, "s3 endpoint '%s': bad IPv6 "
			    "address", endpoint);
		if (p[1] == ':')
			port = p + 2;
		else if (p[1] != '\0')
			return errbuf_set(err, "s3 endpoint '%s': junk after "
			    "the address", endpoint);
		for (p = endpoint + 1; *p != ']'; p++)
			if (!isxdigit((unsigned char)*p) && *p != ':' &&
			    *p != '.')
				return errbuf_set(err, "s3 endpoint '%s': bad "
				    "IPv6 address", endpoint);
	} else {
		for (p = endpoint; *p != '\0' && *p != ':'; p++)
			if (!isalnum((unsigned char)*p) && *p != '-' &&
			    *p != '.' && *p != '_')
				return errbuf_set(err, "s3 endpoint '%.200s': "
				    "host[:port] only, no path or user",
				    endpoint);
		if (p == endpoint)
			return errbuf_set(err, "s3 endpoint '%s': no host",
			    endpoint);
		if (*p == ':')
			port = p + 1;
	}
	if (port != NULL) {
		unsigned long n = 0;

		for (p = port; *p >= '0' && *p <= '9' && n <= 65535; p++)
			n = n * 10 + (unsigned long)(*p - '0');
		if (p == port || *p != '\0' || n == 0 || n > 65535)
			return errbuf_set(err, "s3 endpoint '%.200s': bad port",
			    endpoint);
	}
	return 0;
}

/* 1 if host ends with the domain suffix (".amazonaws.com"). */
static int
s3url_ends(const char *host, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len > n && strncasecmp(host + len - n, suffix, n) == 0;
}

/* S3's rules for a bucket that can be a DNS label chain. */
static int
s3url_dns_bucket(const char *b)
{
	size_t n = strlen(b), i, dots = 0;

	if (n < 3 || n > 63 || !isalnum((unsigned char)b[0]) ||
	    !isalnum((unsigned char)b[n - 1]) || strstr(b, "..") != NULL)
		return 0;
	for (i = 0; i < n; i++) {
		if (b[i] == '.')
			dots++;
		else if (!(b[i] >= 'a' && b[i] <= 'z') &&
		    !(b[i] >= '0' && b[i] <= '9') && b[i] != '-')
			return 0;
	}
	/* "192.168.5.4" is not a bucket host. */
	return !(dots == 3 && strspn(b, "0123456789.") == n);
}

int
s3url_virtual(const char *endpoint, const char *bucket,
    enum s3_lookup lookup, int secure)
{
	size_t hlen;

	if (lookup == S3_LOOKUP_PATH)
		return 0;
	if (lookup == S3_LOOKUP_VIRTUAL)
		return 1;
	if (endpoint[0] == '[')
		return 0;
	hlen = strcspn(endpoint, ":");
	if (!s3url_ends(endpoint, hlen, ".amazonaws.com") &&
	    !s3url_ends(endpoint, hlen, ".amazonaws.com.cn") &&
	    !(hlen == 22 && strncasecmp(endpoint, "storage.googleapis.com",
	    22) == 0) &&
	    !s3url_ends(endpoint, hlen, ".aliyuncs.com"))
		return 0;
	if (!s3url_dns_bucket(bucket))
		return 0;
	return !(secure && strchr(bucket, '.') != NULL);
}

int
s3url_build(struct buf *out, int secure, const char *endpoint,
    const char *bucket, int virtual, const char *key, const char *query)
{
	size_t mark = out->len;

	if (buf_addstr(out, secure ? "https://" : "http://") == -1 ||
	    (virtual && buf_addf(out, "%s.", bucket) == -1) ||
	    buf_addstr(out, endpoint) == -1 || buf_addch(out, '/') == -1 ||
	    (!virtual && s3url_encode(out, bucket, 0) == -1) ||
	    (!virtual && key != NULL && *key != '\0' &&
	    buf_addch(out, '/') == -1) ||
	    (key != NULL && s3url_encode(out, key, 1) == -1) ||
	    (query != NULL && *query != '\0' &&
	    buf_addf(out, "?%s", query) == -1)) {
		out->len = mark;
		if (out->data)
			out->data[mark] = '\0';
		return -1;
	}
	return 0;
}
