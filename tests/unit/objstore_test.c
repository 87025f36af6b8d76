/*
 * objstore_test: Thanos objstore YAML and bucket URLs: the seed
 * deployment's secret as it is, the strictness Thanos has (unknown and
 * repeated keys, quoted booleans), its exact error lines where a tool or
 * a person may match them, settings strata refuses rather than ignores,
 * and errors that never quote a secret.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/io.h"
#include "bucket/bucket.h"
#include "bucket/objstore.h"
#include "bucket/s3.h"
#include "unit.h"

static char err[ERR_MAX];

static int
parse(const char *yaml, struct objstore_conf *c)
{
	return objstore_parse(yaml, strlen(yaml), "objstore.yml", c, err);
}

/* Parse must fail with an error containing want. */
static void
fails(const char *yaml, const char *want, int line)
{
	struct objstore_conf c;

	unit_checks++;
	if (parse(yaml, &c) == 0) {
		unit_failed++;
		fprintf(stderr, "%s:%d: parsed, want \"%s\"\n", __FILE__, line,
		    want);
		objstore_conf_release(&c);
	} else if (strstr(err, want) == NULL) {
		unit_failed++;
		fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n", __FILE__,
		    line, err, want);
	}
}

#define FAILS(y, w)	fails((y), (w), __LINE__)

static void
test_seed(void)
{
	/* Exactly the seed's thanos-objectstorage secret. */
	static const char seed[] =
	    "type: s3\n"
	    "config:\n"
	    "  bucket: thanos\n"
	    "  endpoint: minio.kube-mon.svc.cluster.local:9000\n"
	    "  access_key: minio\n"
	    "  secret_key: minio123\n"
	    "  insecure: true\n"
	    "  signature_version2: false\n";
	struct objstore_conf c;
	struct bucket *b;

	CHECK_INT(parse(seed, &c), 0);
	CHECK_INT(c.is_s3, 1);
	CHECK_STR(c.s3.bucket, "thanos");
	CHECK_STR(c.s3.endpoint, "minio.kube-mon.svc.cluster.local:9000");
	CHECK_STR(c.s3.access_key, "minio");
	CHECK_STR(c.s3.secret_key, "minio123");
	CHECK_INT(c.s3.insecure, 1);
	CHECK(c.s3.region == NULL);
	CHECK_INT(c.s3.part_size, 0);
	CHECK(c.prefix == NULL);
	objstore_conf_release(&c);

	b = bucket_open_config(seed, strlen(seed), "objstore.yml", err);
	CHECK(b != NULL);
	if (b != NULL)
		CHECK_STR(b->url, "s3://thanos");
	bucket_free(b);
}

static void
test_s3(void)
{
	struct objstore_conf c;

	/* Everything Thanos' S3 config has, in one file. */
	CHECK_INT(parse(
	    "type: S3\n"
	    "prefix: /tenant-a/\n"
	    "config:\n"
	    "  bucket: 'b'\n"
	    "  endpoint: \"s3.eu-west-1.amazonaws.com\"\n"
	    "  region: eu-west-1\n"
	    "  aws_sdk_auth: false\n"
	    "  access_key: AKIA\n"
	    "  secret_key: s3cr3t\n"
	    "  session_token: tok\n"
	    "  insecure: false\n"
	    "  signature_version2: no\n"
	    "  put_user_metadata:\n"
	    "    team: obs\n"
	    "    X-Amz-Storage-Class: STANDARD_IA\n"
	    "  http_config:\n"
	    "    idle_conn_timeout: 1m30s\n"
	    "    response_header_timeout: 2m\n"
	    "    insecure_skip_verify: false\n"
	    "    tls_handshake_timeout: 10s\n"
	    "    expect_continue_timeout: 1s\n"
	    "    max_idle_conns: 100\n"
	    "    max_idle_conns_per_host: 100\n"
	    "    max_conns_per_host: 0\n"
	    "    disable_compression: false\n"
	    "    tls_config:\n"
	    "      ca_file: /etc/ssl/ca.pem\n"
	    "      insecure_skip_verify: true\n"
	    "  trace:\n"
	    "    enable: true\n"
	    "  list_objects_version: v1\n"
	    "  bucket_lookup_type: path\n"
	    "  send_content_md5: true\n"
	    "  disable_dualstack: false\n"
	    "  part_size: 5242880\n"
	    "  max_retries: 3\n"
	    "  sts_endpoint: \"\"\n"
	    "  sse_config:\n"
	    "    type: SSE-KMS\n"
	    "    kms_key_id: key-1\n"
	    "    kms_encryption_context:\n"
	    "      a: b\n", &c), 0);
	if (unit_failed)
		fprintf(stderr, "err: %s\n", err);
	CHECK_STR(c.prefix, "/tenant-a/");
	CHECK_STR(c.s3.bucket, "b");
	CHECK_STR(c.s3.endpoint, "s3.eu-west-1.amazonaws.com");
	CHECK_STR(c.s3.region, "eu-west-1");
	CHECK_STR(c.s3.session_token, "tok");
	CHECK_INT(c.s3.insecure, 0);
	CHECK_INT(c.s3.stall_ms, 120000);
	CHECK_INT(c.s3.connect_timeout_ms, 10000);
	CHECK_STR(c.s3.ca_file, "/etc/ssl/ca.pem");
	CHECK_INT(c.s3.insecure_skip_verify, 1);
	CHECK_INT(c.s3.list_v1, 1);
	CHECK_INT(c.s3.lookup, S3_LOOKUP_PATH);
	CHECK_INT(c.s3.part_size, 5242880);
	CHECK_INT(c.s3.max_attempts, 3);
	CHECK_INT(c.s3.nput_headers, 5);
	if (c.s3.nput_headers == 5) {
		CHECK_STR(c.s3.put_headers[0], "x-amz-meta-team: obs");
		CHECK_STR(c.s3.put_headers[1],
		    "x-amz-storage-class: STANDARD_IA");
		CHECK_STR(c.s3.put_headers[2],
		    "x-amz-server-side-encryption: aws:kms");
		CHECK_STR(c.s3.put_headers[3],
		    "x-amz-server-side-encryption-aws-kms-key-id: key-1");
		/* base64 of {"a":"b"} */
		CHECK_STR(c.s3.put_headers[4],
		    "x-amz-server-side-encryption-context: eyJhIjoiYiJ9");
	}
	objstore_conf_release(&c);

	/* disable_multipart wins over part_size, in either order. */
	CHECK_INT(parse("type: s3\nconfig:\n  endpoint: e\n  bucket: b\n"
	    "  disable_multipart: true\n  part_size: 100\n", &c), 0);
	CHECK(c.s3.part_size == UINT64_MAX);
	objstore_conf_release(&c);
	CHECK_INT(parse("type: s3\nconfig:\n  endpoint: e\n  bucket: b\n"
	    "  sse_config:\n    type: SSE-S3\n", &c), 0);
	CHECK_INT(c.s3.nput_headers, 1);
	if (c.s3.nput_headers == 1)
		CHECK_STR(c.s3.put_headers[0],
		    "x-amz-server-side-encryption: AES256");
	objstore_conf_release(&c);

	/* Thanos' own lines. */
	FAILS("type: s3\nconfig:\n  bucket: b\n",
	    "objstore.yml: no s3 endpoint in config file");
	FAILS("type: S3\n", "no s3 endpoint in config file");
	FAILS("type: GCS\nconfig:\n  bucket: b\n",
	    "objstore.yml: bucket with type GCS is not supported");
	FAILS("type: WEIRD\n", "bucket with type WEIRD is not supported");
	FAILS("config:\n  bucket: b\n", "no type in objstore config");

	/* Strict: unknown and repeated keys, with their line. */
	FAILS("type: s3\nconfig:\n  bucket: b\n  endpoint: e\n  bogus: 1\n",
	    "objstore.yml:5: unknown key 'bogus' in s3 config");
	FAILS("type: s3\nbogus: 1\n",
	    "objstore.yml:2: unknown key 'bogus' in objstore config");
	FAILS("type: s3\nconfig:\n  endpoint: e\n  http_config:\n"
	    "    idle_timeout: 1s\n",
	    "objstore.yml:5: unknown key 'idle_timeout' in http_config");
	FAILS("type: s3\nconfig:\n  endpoint: e\n  endpoint: f\n",
	    "objstore.yml:4: key 'endpoint' given twice in s3 config");

	/* Values of the wrong kind. */
	FAILS("type: s3\nconfig:\n  endpoint: e\n  insecure: \"true\"\n",
	    "insecure must be true or false, unquoted");
	FAILS("type: s3\nconfig:\n  endpoint: e\n  insecure: maybe\n",
	    "insecure must be true or false, not 'maybe'");
	FAILS("type: s3\nconfig:\n  endpoint: e\n  part_size: 5MiB\n",
	    "part_size must be a whole number");
	FAILS("type: s3\nconfig:\n  endpoint: e\n  http_config:\n"
	    "    idle_conn_timeout: soon\n", "idle_conn_timeout");
	FAILS("type: s3\nconfig:\n  - endpoint\n",
	    "s3 config must be a mapping");
	FAILS("type: s3\nconfig:\n  endpoint: [a, b]\n",
	    "endpoint must be a string");
	FAILS("- a\n- b\n", "objstore config must be a mapping");
	FAILS("", "empty objstore config");
	FAILS("type: s3\nconfig: {bucket: b\n", "objstore.yml:");

	/* What strata cannot do is refused, not ignored. */
	FAILS("type: s3\nconfig:\n  endpoint: e\n  signature_version2: true\n",
	    "objstore.yml:4: signature_version2 is not supported");
	FAILS("type: s3\nconfig:\n  endpoint: e\n  aws_sdk_auth: true\n",
	    "aws_sdk_auth is not supported");
	FAILS("type: s3\nconfig:\n  endpoint: e\n  sse_config:\n"
	    "    type: SSE-C\n    encryption_key: /k\n",
	    "sse_config type SSE-C is not supported");
	FAILS("type: s3\nconfig:\n  endpoint: e\n  sse_config:\n"
	    "    type: SSE-KMS\n", "SSE-KMS needs kms_key_id");
	FAILS("type: s3\nconfig:\n  endpoint: e\n  sse_config:\n"
	    "    type: rot13\n", "sse_config type 'rot13' is not supported");
	FAILS("type: s3\nconfig:\n  endpoint: e\n  http_config:\n"
	    "    tls_config:\n      cert_file: /c\n",
	    "tls_config cert_file is not supported");
	FAILS("type: s3\nconfig:\n  endpoint: e\n  list_objects_version: v3\n",
	    "list_objects_version 'v3' is not supported");
	FAILS("type: s3\nconfig:\n  endpoint: e\n  bucket_lookup_type: dns\n",
	    "bucket_lookup_type 'dns' is not auto, path or virtual-hosted");
	FAILS("type: s3\nconfig:\n  endpoint: e\n  sts_endpoint: https://sts\n",
	    "sts_endpoint is not supported");

	/* A secret is never quoted, even when it is what is wrong. */
	FAILS("type: s3\nconfig:\n  endpoint: e\n  secret_key: [hunter2]\n",
	    "secret_key must be a string");
	CHECK(strstr(err, "hunter2") == NULL);
}

static void
test_fs(void)
{
	struct objstore_conf c;
	struct bucket *b;
	char dir[] = "/tmp/objstore_test.XXXXXX", yaml[256];

	CHECK_INT(parse("type: FILESYSTEM\nconfig:\n  directory: /var/b\n",
	    &c), 0);
	CHECK_INT(c.is_s3, 0);
	CHECK_STR(c.directory, "/var/b");
	objstore_conf_release(&c);
	/* Type in any case; Thanos' filesystem config is not strict. */
	CHECK_INT(parse("type: filesystem\nconfig:\n  directory: /var/b\n"
	    "  extra: 1\n", &c), 0);
	objstore_conf_release(&c);
	FAILS("type: FILESYSTEM\n",
	    "objstore.yml: missing directory for filesystem bucket");
	FAILS("type: FILESYSTEM\nconfig:\n  directory: \"\"\n",
	    "missing directory for filesystem bucket");

	CHECK(mkdtemp(dir) != NULL);
	snprintf(yaml, sizeof(yaml), "type: FILESYSTEM\nprefix: p/q\n"
	    "config:\n  directory: %s\n", dir);
	b = bucket_open_config(yaml, strlen(yaml), "objstore.yml", err);
	CHECK(b != NULL);
	if (b != NULL) {
		CHECK_STR(b->prefix, "p/q");
		CHECK_INT(bucket_put(b, "k", "v", 1, err), 0);
		CHECK_INT(bucket_delete(b, "k", err), 0);
	}
	bucket_free(b);
	/* From a file, named in errors. */
	snprintf(yaml, sizeof(yaml), "%s/objstore.yml", dir);
	CHECK_INT(io_write_atomic(yaml, "type: s3\n", 9, 0600, err), 0);
	CHECK(bucket_open_config_file(yaml, err) == NULL);
	CHECK(strstr(err, "/objstore.yml: no s3 endpoint in config file") !=
	    NULL);
	unlink(yaml);
	CHECK(bucket_open_config_file(yaml, err) == NULL);
	CHECK(strstr(err, "No such file") != NULL);
	rmdir(dir);
}

static void
test_url(void)
{
	struct s3_config c;
	struct bucket *b;
	char *prefix;

	s3_config_init(&c);
	CHECK_INT(objstore_parse_s3_url("s3://thanos/tenant%20a/x?"
	    "endpoint=127.0.0.1:9000&insecure=true&region=eu-west-1&"
	    "bucket_lookup_type=virtual-hosted&part_size=5MiB&max_keys=7&"
	    "max_retries=2&list_objects_version=v1", &c, &prefix, err), 0);
	CHECK_STR(c.bucket, "thanos");
	CHECK_STR(prefix, "tenant a/x");
	CHECK_STR(c.endpoint, "127.0.0.1:9000");
	CHECK_STR(c.region, "eu-west-1");
	CHECK_INT(c.insecure, 1);
	CHECK_INT(c.lookup, S3_LOOKUP_VIRTUAL);
	CHECK_INT(c.part_size, 5 << 20);
	CHECK_INT(c.max_keys, 7);
	CHECK_INT(c.max_attempts, 2);
	CHECK_INT(c.list_v1, 1);
	free(prefix);
	s3_config_release(&c);

	/* No endpoint: AWS's. */
	CHECK_INT(objstore_parse_s3_url("s3://b", &c, &prefix, err), 0);
	CHECK_STR(c.endpoint, "s3.amazonaws.com");
	CHECK(prefix == NULL);
	s3_config_release(&c);
	CHECK_INT(objstore_parse_s3_url("s3://b/?region=eu-west-2", &c,
	    &prefix, err), 0);
	CHECK_STR(c.endpoint, "s3.eu-west-2.amazonaws.com");
	free(prefix);
	s3_config_release(&c);

	/* Secrets stay out of URLs; typos are errors. */
	CHECK_INT(objstore_parse_s3_url("s3://b?secret_key=hunter2", &c,
	    &prefix, err), -1);
	CHECK(strstr(err, "does not belong in a URL") != NULL);
	CHECK(strstr(err, "hunter2") == NULL);
	s3_config_release(&c);
	CHECK_INT(objstore_parse_s3_url("s3://key:hunter2@b", &c, &prefix,
	    err), -1);
	CHECK(strstr(err, "hunter2") == NULL);
	s3_config_release(&c);
	CHECK_INT(objstore_parse_s3_url("s3://b?endpont=x", &c, &prefix, err),
	    -1);
	CHECK_STR(err, "bucket URL: unknown key 'endpont'");
	s3_config_release(&c);
	CHECK_INT(objstore_parse_s3_url("s3://b?insecure", &c, &prefix, err),
	    -1);
	s3_config_release(&c);
	CHECK_INT(objstore_parse_s3_url("s3://b?insecure=maybe", &c, &prefix,
	    err), -1);
	s3_config_release(&c);
	CHECK_INT(objstore_parse_s3_url("s3://?endpoint=x", &c, &prefix, err),
	    -1);
	s3_config_release(&c);
	CHECK_INT(objstore_parse_s3_url("s3://b?endpoint=%zz", &c, &prefix,
	    err), -1);
	s3_config_release(&c);

	b = bucket_open_url("s3://thanos/pre?endpoint=127.0.0.1:9&"
	    "insecure=true", err);
	CHECK(b != NULL);
	if (b != NULL) {
		CHECK_STR(b->url, "s3://thanos");
		CHECK_STR(b->prefix, "pre");
	}
	bucket_free(b);
	CHECK(bucket_open_url("s3://b?endpoint=http://x:9", err) == NULL);
	CHECK(strstr(err, "without a scheme") != NULL);
	b = bucket_open_url("file:///tmp/objstore_test_url", err);
	CHECK(b != NULL);
	if (b != NULL)
		CHECK_STR(b->url, "file:///tmp/objstore_test_url");
	bucket_free(b);
	b = bucket_open_url("file://localhost/tmp/a%20b", err);
	CHECK(b != NULL);
	if (b != NULL)
		CHECK_STR(b->url, "file:///tmp/a b");
	bucket_free(b);
	b = bucket_open_url("/tmp/plain", err);
	CHECK(b != NULL);
	bucket_free(b);
	CHECK(bucket_open_url("file://host/tmp", err) == NULL);
	CHECK(bucket_open_url("file:///tmp?x=1", err) == NULL);
	CHECK(bucket_open_url("gs://bucket", err) == NULL);
	CHECK(strstr(err, "scheme gs is not supported") != NULL);
}

int
main(void)
{
	test_seed();
	test_s3();
	test_fs();
	test_url();
	return unit_done();
}
