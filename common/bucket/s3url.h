/*
 * s3url: the URLs of S3 requests, and the encoding SigV4 signs.
 *
 * libcurl 7.88's CURLOPT_AWS_SIGV4 signs the path and the query string
 * exactly as they stand in the URL: it neither sorts the parameters nor
 * encodes them.  So what is built here is already the canonical form:
 * every byte but A-Z a-z 0-9 - _ . ~ percent-encoded in uppercase hex
 * ('/' kept in the path, encoded in query values), parameters added in
 * byte order of their names by the caller, and every parameter written
 * "name=value" even when the value is empty ("uploads=").  A server
 * decodes and re-encodes, and arrives at the same string.
 */
#ifndef BUCKET_S3URL_H
#define BUCKET_S3URL_H

#include "base/buf.h"
#include "base/errbuf.h"

enum s3_lookup {
	S3_LOOKUP_AUTO,		/* virtual-hosted only for cloud hosts */
	S3_LOOKUP_PATH,		/* http://endpoint/bucket/key */
	S3_LOOKUP_VIRTUAL	/* http://bucket.endpoint/key */
};

/* Append s encoded as above; '/' stays when keep_slash.  -1 (ENOBUFS or
 * ENOMEM) leaves b unchanged. */
int	s3url_encode(struct buf *b, const char *s, int keep_slash);

/* Append "&name=value" (no '&' when q is empty), value encoded. */
int	s3url_query_add(struct buf *q, const char *name, const char *value);

/*
 * 0 if endpoint is "host" or "host:port" (an IPv6 host in brackets):
 * no scheme, no path, no user, nothing to mangle a URL with.  -1 with
 * err saying what is wrong ("s3 endpoint 'x': ...").
 */
int	s3url_endpoint_check(const char *endpoint, char err[ERR_MAX]);

/*
 * 1 when requests should name the bucket in the host name.  "auto" does
 * as minio-go, and so Thanos, does: virtual-hosted only for Amazon's,
 * Google's and Aliyun's endpoints with a DNS-safe bucket name (and, over
 * TLS, no dot in it, which the wildcard certificate would not cover);
 * path style for anything else, MinIO, Ceph, moto, an IP or localhost.
 */
int	s3url_virtual(const char *endpoint, const char *bucket,
	    enum s3_lookup lookup, int secure);

/*
 * Append the URL of key (NULL or "" for the bucket itself) with query
 * (already encoded, or NULL) to out:
 * "http[s]://endpoint/bucket/key?query", or with virtual set
 * "http[s]://bucket.endpoint/key?query".
 */
int	s3url_build(struct buf *out, int secure, const char *endpoint,
	    const char *bucket, int virtual, const char *key,
	    const char *query);

#endif
