/*
 * s3: an S3 bucket (AWS, MinIO, Ceph, moto) over net/http, signed with
 * libcurl's CURLOPT_AWS_SIGV4.
 *
 * What always holds:
 * - Every request carries x-amz-content-sha256, which libcurl 7.88 does
 *   not add but signs when given: the SHA-256 of a body in memory, of a
 *   file range when the endpoint is plain http (read once more before
 *   sending: nothing else would catch a corrupted byte), and
 *   UNSIGNED-PAYLOAD for a file over TLS (which already guards it), as
 *   minio-go does.
 * - An object of part_size bytes or more goes up in parts of part_size
 *   (CreateMultipartUpload, UploadPart..., CompleteMultipartUpload);
 *   any failure after the upload was created aborts it
 *   (AbortMultipartUpload), so no orphan parts stay behind and bill.
 * - Each request is retried with exponential backoff and jitter after a
 *   network error, a 5xx (503 SlowDown among them) or a 429, and never
 *   after another 4xx; a file body is re-read for each attempt.
 * - Credentials are used by libcurl only: no error line, URL or header
 *   dump here holds the secret key or the session token, and the secret
 *   is wiped from memory when the bucket is freed.
 * - Listings use ListObjectsV2 (or v1 on request) with encoding-type=url
 *   and follow continuation tokens to the last page.
 */
#ifndef BUCKET_S3_H
#define BUCKET_S3_H

#include <stddef.h>
#include <stdint.h>

#include "base/errbuf.h"
#include "bucket/bucket.h"
#include "bucket/s3url.h"

#define S3_PART_SIZE		((uint64_t)64 << 20)	/* Thanos' default */
#define S3_PART_MIN		((uint64_t)5 << 20)	/* S3's floor */
#define S3_MAX_PARTS		10000
#define S3_ATTEMPTS		10			/* minio-go's */
#define S3_CONNECT_TIMEOUT_MS	10000
#define S3_STALL_MS		120000	/* response_header_timeout 2m */

/*
 * Everything an S3 bucket is opened with; all strings owned (NULL for
 * unset).  Filled by objstore.c from YAML or a URL, or by hand.
 */
struct s3_config {
	char		*bucket;
	char		*endpoint;	/* host[:port], no scheme */
	char		*region;	/* NULL: us-east-1 */
	char		*access_key;	/* both keys NULL: the environment */
	char		*secret_key;
	char		*session_token;
	int		 insecure;	/* http://, not https:// */
	enum s3_lookup	 lookup;
	uint64_t	 part_size;	/* 0: S3_PART_SIZE */
	int		 max_attempts;	/* 0: S3_ATTEMPTS */
	long		 connect_timeout_ms;	/* 0: S3_CONNECT_TIMEOUT_MS */
	long		 stall_ms;	/* 0: S3_STALL_MS */
	char		*ca_file;	/* TLS trust, NULL: the system's */
	int		 insecure_skip_verify;
	unsigned	 max_keys;	/* per listing page, 0: the server's
					   (1000); a knob for tests */
	int		 list_v1;	/* ListObjects v1 (old Ceph) */
	/* "Name: value" lines sent with each upload: user metadata
	 * (x-amz-meta-*), storage class, server-side encryption. */
	char		**put_headers;
	size_t		 nput_headers;
};

/* All unset. */
void	s3_config_init(struct s3_config *c);

/* Free every string (the secret and token wiped first); c is then as
 * after s3_config_init. */
void	s3_config_release(struct s3_config *c);

/* Add "name: value" to put_headers.  -1 with err when name or value
 * would break the header line, or memory runs out. */
int	s3_config_put_header(struct s3_config *c, const char *name,
	    const char *value, char err[ERR_MAX]);

/*
 * A bucket for c.  When c has neither access_key nor secret_key, they
 * come from AWS_ACCESS_KEY_ID (or AWS_ACCESS_KEY), AWS_SECRET_ACCESS_KEY
 * (or AWS_SECRET_KEY) and AWS_SESSION_TOKEN; with none there either,
 * requests go unsigned (anonymous), as in minio-go.  Only one of the
 * two keys set in c is an error.
 *
 * On success the bucket owns c's strings and c is left as after
 * s3_config_init.  NULL with err on a bad config (no bucket or endpoint,
 * a bad endpoint or region) or out of memory; c is then unchanged and
 * still the caller's to release.  Nothing is sent: a wrong key shows at
 * the first request.  A part size under S3_PART_MIN is taken, as Thanos
 * takes it, but real S3 and MinIO refuse to complete such an upload
 * (EntityTooSmall), which is then aborted.
 */
struct bucket *s3_open(struct s3_config *c, char err[ERR_MAX]);

#endif
