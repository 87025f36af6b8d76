/*
 * s3_test: the parts of the S3 backend that need no server: reading
 * S3's XML (listings, errors, upload ids), building URLs and the
 * canonical encoding SigV4 signs, and s3_open's checks of its config
 * and credentials.  Requests themselves are tested against moto in
 * tests/bucket.bats.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "bucket/bucket.h"
#include "bucket/s3.h"
#include "bucket/s3url.h"
#include "bucket/s3xml.h"
#include "net/http.h"
#include "unit.h"

static char err_[ERR_MAX];

static int
list(const char *doc, struct s3xml_list *page, char *err)
{
	return s3xml_list(doc, strlen(doc), page, err);
}

static void
test_list(void)
{
	static const char v2[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/"
	    "2006-03-01/\">"
	    "<Name>strata</Name><Prefix>a/</Prefix><KeyCount>4</KeyCount>"
	    "<MaxKeys>4</MaxKeys><Delimiter>/</Delimiter>"
	    "<IsTruncated>true</IsTruncated>"
	    "<Contents><Key>a/z&amp;y &lt;&gt;&quot;&apos;</Key>"
	    "<LastModified>2024-01-01T00:00:00.000Z</LastModified>"
	    "<ETag>&quot;abc&quot;</ETag><Size>12</Size>"
	    "<StorageClass>STANDARD</StorageClass></Contents>"
	    "<Contents><Key>a/&#233;&#x20AC;</Key><Size>0</Size></Contents>"
	    "<Contents><Key><![CDATA[a/<raw>&amp;]]></Key>"
	    "<Size>18446744073709551615</Size></Contents>"
	    "<CommonPrefixes><Prefix>a/b/</Prefix></CommonPrefixes>"
	    "<CommonPrefixes><Prefix>a/0/</Prefix></CommonPrefixes>"
	    "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36"
	    "Hy4vbOwM=</NextContinuationToken>"
	    "</ListBucketResult>";
	static const char enc[] =
	    "<ListBucketResult><EncodingType>url</EncodingType>"
	    "<Contents><Key>a/sp+ace%2Bplus%26%C3%BC</Key><Size>3</Size>"
	    "</Contents><IsTruncated>false</IsTruncated>"
	    "<CommonPrefixes><Prefix>a/d%20ir/</Prefix></CommonPrefixes>"
	    "</ListBucketResult>";
	static const char v1[] =
	    "<ListBucketResult><IsTruncated>true</IsTruncated>"
	    "<Contents><Key>k1</Key><Size>1</Size></Contents>"
	    "<Contents><Key>k2</Key><Size>2</Size></Contents>"
	    "</ListBucketResult>";
	struct s3xml_list page;
	char err[ERR_MAX];

	CHECK_INT(list(v2, &page, err), 0);
	CHECK_INT(page.n, 5);
	CHECK_INT(page.truncated, 1);
	CHECK_STR(page.next, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
	/* Objects and prefixes merged in byte order, as S3 lists keys. */
	if (page.n == 5) {
		CHECK_STR(page.v[0].name, "a/0/");
		CHECK_INT(page.v[0].dir, 1);
		CHECK_STR(page.v[1].name, "a/<raw>&amp;");
		CHECK(page.v[1].size == UINT64_MAX);
		CHECK_STR(page.v[2].name, "a/b/");
		CHECK_STR(page.v[3].name, "a/z&y <>\"'");
		CHECK_INT(page.v[3].size, 12);
		CHECK_INT(page.v[3].dir, 0);
		CHECK_STR(page.v[4].name, "a/\xc3\xa9\xe2\x82\xac");
	}
	s3xml_list_release(&page);

	/* encoding-type=url: '+' is a space, %XX a byte. */
	CHECK_INT(list(enc, &page, err), 0);
	CHECK_INT(page.n, 2);
	CHECK_INT(page.truncated, 0);
	CHECK(page.next == NULL);
	if (page.n == 2) {
		CHECK_STR(page.v[0].name, "a/d ir/");
		CHECK_STR(page.v[1].name, "a/sp ace+plus&\xc3\xbc");
	}
	s3xml_list_release(&page);

	/* v1 without a delimiter: the last key is the marker. */
	CHECK_INT(list(v1, &page, err), 0);
	CHECK_STR(page.next, "k2");
	s3xml_list_release(&page);

	/* Malformed pages fail, and say why. */
	CHECK_INT(list("<ListBucketResult><Contents><Key>x</Key>"
	    "</ListBucketResult>", &page, err), -1);
	CHECK(strstr(err, "mismatched") != NULL);
	CHECK_INT(list("<ListBucketResult><Contents><Key>x</Key>", &page,
	    err), -1);
	CHECK(strstr(err, "unclosed") != NULL);
	CHECK_INT(list("<ListBucketResult><Contents><Key>&bogus;</Key>"
	    "</Contents></ListBucketResult>", &page, err), -1);
	CHECK(strstr(err, "unknown entity") != NULL);
	CHECK_INT(list("<ListBucketResult><Contents><Key>&#0;</Key>"
	    "</Contents></ListBucketResult>", &page, err), -1);
	CHECK_INT(list("<ListBucketResult><Contents><Key>&#xD800;</Key>"
	    "</Contents></ListBucketResult>", &page, err), -1);
	CHECK_INT(list("<ListBucketResult><Contents><Size>1</Size>"
	    "</Contents></ListBucketResult>", &page, err), -1);
	CHECK(strstr(err, "without <Key>") != NULL);
	CHECK_INT(list("<ListBucketResult><Contents><Key>x</Key><Size>-1"
	    "</Size></Contents></ListBucketResult>", &page, err), -1);
	CHECK_INT(list("<Error><Code>AccessDenied</Code></Error>", &page,
	    err), -1);
	CHECK(strstr(err, "not a listing") != NULL);
	CHECK_INT(list("", &page, err), -1);
	CHECK_INT(list("<a></a><b></b>", &page, err), -1);
	CHECK_INT(list("<!DOCTYPE x [<!ENTITY e \"boom\">]><x/>", &page,
	    err), -1);
	CHECK_INT(list("<ListBucketResult><EncodingType>url</EncodingType>"
	    "<Contents><Key>bad%zz</Key></Contents></ListBucketResult>",
	    &page, err), -1);
	CHECK_INT(list("<ListBucketResult><EncodingType>url</EncodingType>"
	    "<Contents><Key>nul%00</Key></Contents></ListBucketResult>",
	    &page, err), -1);
	CHECK_INT(page.n, 0);
	CHECK(page.v == NULL);
	/* A comment, a processing instruction and attributes with '>'
	 * inside are skipped; an empty element is a complete one. */
	CHECK_INT(list("<?xml version='1.0'?><!-- c > --><ListBucketResult "
	    "a='x>y' b=\"1\"><Contents><Key>k</Key><Owner/></Contents>"
	    "</ListBucketResult>", &page, err), 0);
	CHECK_INT(page.n, 1);
	s3xml_list_release(&page);
}

static void
test_errors(void)
{
	static const char e403[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	    "\n<Error><Code>SignatureDoesNotMatch</Code><Message>The request "
	    "signature we calculated does not match</Message><RequestId>1"
	    "</RequestId></Error>";
	static const char init[] = "<InitiateMultipartUploadResult>"
	    "<Bucket>b</Bucket><Key>k</Key><UploadId>abc.DEF-1_2</UploadId>"
	    "</InitiateMultipartUploadResult>";
	char code[32], msg[64], err[ERR_MAX], *id;

	CHECK_INT(s3xml_error(e403, strlen(e403), code, sizeof(code), msg,
	    sizeof(msg)), 1);
	CHECK_STR(code, "SignatureDoesNotMatch");
	CHECK_STR(msg, "The request signature we calculated does not match");
	/* Cut to fit, never overrun. */
	CHECK_INT(s3xml_error(e403, strlen(e403), code, 5, msg, 4), 1);
	CHECK_STR(code, "Sign");
	CHECK_STR(msg, "The");
	CHECK_INT(s3xml_error("<CompleteMultipartUploadResult/>", 32, code,
	    sizeof(code), msg, sizeof(msg)), 0);
	CHECK_INT(s3xml_error("not xml at all", 14, code, sizeof(code), msg,
	    sizeof(msg)), 0);
	CHECK_STR(code, "");
	/* Not NUL-terminated: nothing is read past len. */
	CHECK_INT(s3xml_error(e403, 20, code, sizeof(code), msg,
	    sizeof(msg)), 0);

	id = s3xml_upload_id(init, strlen(init), err);
	CHECK_STR(id, "abc.DEF-1_2");
	free(id);
	CHECK(s3xml_upload_id("<InitiateMultipartUploadResult/>", 32, err) ==
	    NULL);
	CHECK(strstr(err, "no UploadId") != NULL);
}

static void
test_url(void)
{
	struct buf b = BUF_INIT(BUF_NOMAX);
	char err[ERR_MAX];

	/* SigV4's encoding: unreserved bytes as they are, the rest %XX. */
	CHECK_INT(s3url_encode(&b, "01H/chunks/000001 a+b=c&d~e_f.g-h", 1),
	    0);
	CHECK_STR(b.data, "01H/chunks/000001%20a%2Bb%3Dc%26d~e_f.g-h");
	buf_reset(&b);
	CHECK_INT(s3url_encode(&b, "a/b\xc3\xbc%", 0), 0);
	CHECK_STR(b.data, "a%2Fb%C3%BC%25");
	buf_reset(&b);

	/* Query parameters in the caller's (sorted) order, "k=" kept. */
	CHECK_INT(s3url_query_add(&b, "continuation-token", "x/y+z="), 0);
	CHECK_INT(s3url_query_add(&b, "delimiter", "/"), 0);
	CHECK_INT(s3url_query_add(&b, "uploads", ""), 0);
	CHECK_STR(b.data, "continuation-token=x%2Fy%2Bz%3D&delimiter=%2F&"
	    "uploads=");
	buf_reset(&b);

	CHECK_INT(s3url_build(&b, 0, "127.0.0.1:9000", "strata", 0,
	    "a b/c", "partNumber=1&uploadId=x"), 0);
	CHECK_STR(b.data, "http://127.0.0.1:9000/strata/a%20b/c?"
	    "partNumber=1&uploadId=x");
	buf_reset(&b);
	CHECK_INT(s3url_build(&b, 1, "s3.eu-west-1.amazonaws.com", "thanos",
	    1, "k", NULL), 0);
	CHECK_STR(b.data, "https://thanos.s3.eu-west-1.amazonaws.com/k");
	buf_reset(&b);
	CHECK_INT(s3url_build(&b, 1, "minio:9000", "thanos", 0, NULL,
	    "list-type=2"), 0);
	CHECK_STR(b.data, "https://minio:9000/thanos?list-type=2");
	buf_reset(&b);
	CHECK_INT(s3url_build(&b, 1, "s3.amazonaws.com", "thanos", 1, "",
	    "list-type=2"), 0);
	CHECK_STR(b.data, "https://thanos.s3.amazonaws.com/?list-type=2");
	buf_release(&b);

	/* auto: virtual-hosted for the clouds, path style for the rest. */
	CHECK_INT(s3url_virtual("s3.amazonaws.com", "thanos", S3_LOOKUP_AUTO,
	    1), 1);
	CHECK_INT(s3url_virtual("s3.eu-west-1.amazonaws.com:443", "thanos",
	    S3_LOOKUP_AUTO, 1), 1);
	CHECK_INT(s3url_virtual("minio.kube-mon.svc.cluster.local:9000",
	    "thanos", S3_LOOKUP_AUTO, 0), 0);
	CHECK_INT(s3url_virtual("127.0.0.1:9000", "thanos", S3_LOOKUP_AUTO,
	    0), 0);
	CHECK_INT(s3url_virtual("localhost:9000", "thanos", S3_LOOKUP_AUTO,
	    0), 0);
	CHECK_INT(s3url_virtual("[::1]:9000", "thanos", S3_LOOKUP_AUTO, 0),
	    0);
	CHECK_INT(s3url_virtual("s3.amazonaws.com", "my.bucket",
	    S3_LOOKUP_AUTO, 1), 0);
	CHECK_INT(s3url_virtual("s3.amazonaws.com", "my.bucket",
	    S3_LOOKUP_AUTO, 0), 1);
	CHECK_INT(s3url_virtual("s3.amazonaws.com", "Upper_Case",
	    S3_LOOKUP_AUTO, 1), 0);
	CHECK_INT(s3url_virtual("127.0.0.1:9000", "thanos",
	    S3_LOOKUP_VIRTUAL, 0), 1);
	CHECK_INT(s3url_virtual("s3.amazonaws.com", "thanos",
	    S3_LOOKUP_PATH, 1), 0);

	CHECK_INT(s3url_endpoint_check("minio.kube-mon.svc.cluster.local:9000",
	    err), 0);
	CHECK_INT(s3url_endpoint_check("s3.amazonaws.com", err), 0);
	CHECK_INT(s3url_endpoint_check("[::1]:9000", err), 0);
	CHECK_INT(s3url_endpoint_check("", err), -1);
	CHECK_STR(err, "no s3 endpoint in config file");
	CHECK_INT(s3url_endpoint_check("http://minio:9000", err), -1);
	CHECK(strstr(err, "without a scheme") != NULL);
	CHECK_INT(s3url_endpoint_check("minio:9000/path", err), -1);
	CHECK_INT(s3url_endpoint_check("user@minio:9000", err), -1);
	CHECK_INT(s3url_endpoint_check("minio:", err), -1);
	CHECK_INT(s3url_endpoint_check("minio:99999", err), -1);
	CHECK_INT(s3url_endpoint_check("minio:0", err), -1);
	CHECK_INT(s3url_endpoint_check(":9000", err), -1);
	CHECK_INT(s3url_endpoint_check("[::1", err), -1);
}

/* A config with the seed's fields; the strings are the config's. */
static void
seed(struct s3_config *c)
{
	s3_config_init(c);
	c->bucket = strdup("thanos");
	c->endpoint = strdup("minio.kube-mon.svc.cluster.local:9000");
	c->insecure = 1;
}

static void
test_open(void)
{
	struct s3_config c;
	struct bucket *b;
	char err[ERR_MAX];

	seed(&c);
	c.access_key = strdup("minio");
	c.secret_key = strdup("minio123");
	b = s3_open(&c, err);
	CHECK(b != NULL);
	/* The bucket took everything; the config is empty again. */
	CHECK(c.bucket == NULL && c.secret_key == NULL);
	if (b != NULL)
		CHECK_STR(b->url, "s3://thanos");
	CHECK_INT(bucket_set_prefix(b, "/tenant/a/", err), 0);
	CHECK_STR(b->prefix, "tenant/a");
	CHECK_INT(bucket_set_prefix(b, "a/../b", err), -1);
	bucket_free(b);
	s3_config_release(&c);

	/* Half a key pair is an error, not a silent anonymous bucket. */
	seed(&c);
	c.access_key = strdup("minio");
	CHECK(s3_open(&c, err) == NULL);
	CHECK(strstr(err, "access_key and secret_key go together") != NULL);
	CHECK(c.bucket != NULL);
	s3_config_release(&c);

	seed(&c);
	free(c.endpoint);
	c.endpoint = NULL;
	CHECK(s3_open(&c, err) == NULL);
	CHECK_STR(err, "no s3 endpoint in config file");
	s3_config_release(&c);

	seed(&c);
	c.region = strdup("EU West");
	CHECK(s3_open(&c, err) == NULL);
	CHECK(strstr(err, "region") != NULL);
	s3_config_release(&c);

	/* Keys from the environment when the config has none; half a
	 * pair there is no pair (anonymous). */
	setenv("AWS_ACCESS_KEY_ID", "envkey", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
	setenv("AWS_SESSION_TOKEN", "envtoken", 1);
	seed(&c);
	b = s3_open(&c, err);
	CHECK(b != NULL);
	bucket_free(b);
	s3_config_release(&c);
	unsetenv("AWS_SECRET_ACCESS_KEY");
	seed(&c);
	b = s3_open(&c, err);
	CHECK(b != NULL);
	bucket_free(b);
	s3_config_release(&c);
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SESSION_TOKEN");

	/* Upload headers refuse what would break a header line. */
	s3_config_init(&c);
	CHECK_INT(s3_config_put_header(&c, "x-amz-meta-team", "obs", err), 0);
	CHECK_INT(s3_config_put_header(&c, "x-amz-meta-a b", "v", err), -1);
	CHECK_INT(s3_config_put_header(&c, "x-amz-meta-x", "a\r\nb: c", err),
	    -1);
	CHECK_INT(c.nput_headers, 1);
	CHECK_STR(c.put_headers[0], "x-amz-meta-team: obs");
	s3_config_release(&c);
}

/* A loopback port nothing listens on. */
static unsigned
closed_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	unsigned port = 1;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) != -1 &&
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	if (fd != -1)
		close(fd);
	return port;
}

/* Requests that never reach a server: the error line names the bucket
 * and the object, not the endpoint URL, and never the secret. */
static void
test_requests(void)
{
	struct s3_config c;
	struct bucket *b;
	struct buf got = BUF_INIT(1024);
	struct timespec t0, t1;
	char want[ERR_MAX], endpoint[64];
	int p[2];

	s3_config_init(&c);
	snprintf(endpoint, sizeof(endpoint), "127.0.0.1:%u", closed_port());
	c.bucket = strdup("thanos");
	c.endpoint = strdup(endpoint);
	c.insecure = 1;
	c.max_attempts = 2;
	c.access_key = strdup("AKIA");
	c.secret_key = strdup("sup3rsecret");
	CHECK((b = s3_open(&c, err_)) != NULL);
	if (b == NULL)
		return;
	CHECK_INT(bucket_set_prefix(b, "pfx", err_), 0);
	CHECK_INT(bucket_get(b, "01H/meta.json", &got, err_), -1);
	snprintf(want, sizeof(want), "get s3://thanos/pfx/01H/meta.json: "
	    "Failed to connect to 127.0.0.1 port %s", strchr(endpoint, ':') +
	    1);
	CHECK(strncmp(err_, want, strlen(want)) == 0);
	CHECK(strstr(err_, "sup3rsecret") == NULL);
	CHECK_INT(bucket_put(b, "k", "v", 1, err_), -1);
	CHECK(strncmp(err_, "put s3://thanos/pfx/k: ", 23) == 0);
	CHECK_INT(bucket_list(b, "", '/', NULL, NULL, err_), -1);
	CHECK(strncmp(err_, "list s3://thanos/pfx: ", 22) == 0);

	/* A readable abort_fd stops a request before it starts. */
	CHECK_INT(pipe(p), 0);
	CHECK_INT(write(p[1], "x", 1), 1);
	b->abort_fd = p[0];
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_INT(bucket_head(b, "k", &(struct bucket_attr){ 0, 0 }, err_),
	    -1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK_STR(err_, "head s3://thanos/pfx/k: aborted");
	CHECK(t1.tv_sec - t0.tv_sec < 2);
	close(p[0]);
	close(p[1]);
	bucket_free(b);
	s3_config_release(&c);
	buf_release(&got);
}

int
main(void)
{
	char err[ERR_MAX];

	test_list();
	test_errors();
	test_url();
	test_open();
	CHECK_INT(http_init(err), 0);
	test_requests();
	http_cleanup();
	return unit_done();
}
