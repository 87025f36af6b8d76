/*
 * objstore: open a bucket the way Thanos names one, from its objstore
 * YAML (--objstore.config-file, the seed's thanos-objectstorage secret)
 * or from a URL (--bucket=s3://bucket/prefix?endpoint=host:9000, or
 * file:///path, or a plain directory path).
 *
 * What always holds: parsing is as strict as Thanos' (gopkg.in/yaml.v2
 * UnmarshalStrict): an unknown or repeated key is an error naming it and
 * its line, booleans are YAML 1.1's unquoted true/false/yes/no/on/off,
 * and a setting strata cannot honour (signature_version2: true, SSE-C,
 * client certificates, aws_sdk_auth) is refused rather than ignored.
 * Pure tuning knobs of Go's HTTP transport (idle and per-host connection
 * limits, compression, expect_continue_timeout, trace) are accepted and
 * have no effect.  Error lines start with the file (and line) and never
 * quote a secret.  A URL carries no credentials: those come from the
 * config file or the environment, never from argv.
 */
#ifndef BUCKET_OBJSTORE_H
#define BUCKET_OBJSTORE_H

#include <stddef.h>

#include "base/errbuf.h"
#include "bucket/bucket.h"
#include "bucket/s3.h"

/* Largest objstore config file read. */
#define OBJSTORE_MAX	((size_t)1 << 20)

/*
 * Parse the objstore YAML text (len bytes; source names it in errors)
 * and open its bucket.  NULL with err set ("F:3: unknown key 'foo' in
 * s3 config", "F: no s3 endpoint in config file", "F: bucket with type
 * GCS is not supported").
 */
struct bucket *bucket_open_config(const char *text, size_t len,
	    const char *source, char err[ERR_MAX]);

/* The same, reading the file at path. */
struct bucket *bucket_open_config_file(const char *path, char err[ERR_MAX]);

/*
 * Open the bucket a URL names:
 *	s3://BUCKET[/PREFIX][?KEY=VALUE&...]
 *	file:///DIR (or file://localhost/DIR), or a plain path DIR
 * s3 keys: endpoint (default s3.amazonaws.com, or s3.REGION.amazonaws.com),
 * region, insecure, bucket_lookup_type, part_size (bytes, or a size like
 * 5MiB), max_retries, list_objects_version, max_keys (a page size for
 * tests), ca_file, insecure_skip_verify.  Values are percent-decoded.
 * Keys and secrets are refused: they come from AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY.
 */
struct bucket *bucket_open_url(const char *url, char err[ERR_MAX]);

/* What an objstore config says, all strings owned. */
struct objstore_conf {
	int		 is_s3;		/* else FILESYSTEM */
	char		*prefix;	/* NULL: none */
	char		*directory;	/* FILESYSTEM */
	struct s3_config s3;		/* S3; sse_config and
					   put_user_metadata are in
					   put_headers */
};

/* Parse only (bucket_open_config's first half): 0 with *c filled, to
 * be freed with objstore_conf_release; or -1 with err. */
int	objstore_parse(const char *text, size_t len, const char *source,
	    struct objstore_conf *c, char err[ERR_MAX]);
void	objstore_conf_release(struct objstore_conf *c);

/*
 * For tests and tools: parse only, filling c (s3_config_init'ed) and
 * *prefix (a new string, or NULL) from an S3 URL.  -1 with err.
 */
int	objstore_parse_s3_url(const char *url, struct s3_config *c,
	    char **prefix, char err[ERR_MAX]);

#endif
