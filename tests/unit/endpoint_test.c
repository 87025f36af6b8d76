/*
 * endpoint_test: every form of a --store spec and every way to get one
 * wrong; URLs and IP literals resolved without asking DNS (even with a
 * server nobody answers at); localhost from /etc/hosts; sorting and
 * de-duplication.  Lookups against a real DNS server are tested in
 * tests/endpoint.bats with dnsmasq.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errbuf.h"
#include "net/endpoint.h"
#include "unit.h"

/* Parse text and check what it became; port and path NULL mean "no
 * port" and "". */
static void
ok(const char *text, enum endpoint_kind kind, const char *scheme,
    const char *name, const char *port, const char *path)
{
	struct endpoint_spec s;
	char err[ERR_MAX] = "";

	if (endpoint_parse(&s, text, err) == -1) {
		fprintf(stderr, "parse '%s': %s\n", text, err);
		CHECK(0);
		return;
	}
	CHECK_INT(s.kind, kind);
	CHECK_STR(s.text, text);
	CHECK_STR(s.scheme, scheme);
	CHECK_STR(s.name, name);
	if (port == NULL)
		CHECK(s.port == NULL);
	else
		CHECK_STR(s.port, port);
	CHECK_STR(s.path, path != NULL ? path : "");
	endpoint_spec_release(&s);
	CHECK(s.text == NULL && s.name == NULL && s.path == NULL);
}

/* Parsing text fails with exactly want. */
static void
bad(const char *text, const char *want)
{
	struct endpoint_spec s;
	char err[ERR_MAX] = "";

	CHECK_INT(endpoint_parse(&s, text, err), -1);
	CHECK_STR(err, want);
	CHECK(s.text == NULL && s.scheme == NULL && s.name == NULL &&
	    s.port == NULL && s.path == NULL);
}

static void
test_parse(void)
{
	struct endpoint_spec s;
	char err[ERR_MAX], name[256], spec[300];

	ok("http://127.0.0.1:9090", ENDPOINT_URL, "http",
	    "http://127.0.0.1:9090", NULL, NULL);
	ok("https://prom.example.org/prefix?x=1", ENDPOINT_URL, "https",
	    "https://prom.example.org/prefix?x=1", NULL, NULL);
	ok("HTTP://Prom:80", ENDPOINT_URL, "http", "HTTP://Prom:80", NULL,
	    NULL);
	ok("http://[::1]:9090/a+b", ENDPOINT_URL, "http",
	    "http://[::1]:9090/a+b", NULL, NULL);
	/* Thanos' plain HOST:PORT */
	ok("prom-0.prom:9090", ENDPOINT_URL, "http",
	    "http://prom-0.prom:9090", NULL, NULL);
	ok("[::1]:9090/x", ENDPOINT_URL, "http", "http://[::1]:9090/x", NULL,
	    NULL);
	ok("10.0.0.1:1", ENDPOINT_URL, "http", "http://10.0.0.1:1", NULL,
	    NULL);

	ok("dns+prom.monitoring.svc:9090", ENDPOINT_DNS, "http",
	    "prom.monitoring.svc", "9090", NULL);
	ok("dns+https://prom:443/api", ENDPOINT_DNS, "https", "prom", "443",
	    "/api");
	ok("dns+http://prom:65535", ENDPOINT_DNS, "http", "prom", "65535",
	    NULL);
	ok("dns+[2001:db8::1]:9090", ENDPOINT_DNS, "http", "2001:db8::1",
	    "9090", NULL);
	ok("dns+127.0.0.1:09090", ENDPOINT_DNS, "http", "127.0.0.1", "09090",
	    NULL);
	ok("dns+fqdn.example.:1/", ENDPOINT_DNS, "http", "fqdn.example.", "1",
	    "/");

	ok("dnssrv+_http._tcp.prom.monitoring.svc", ENDPOINT_DNSSRV, "http",
	    "_http._tcp.prom.monitoring.svc", NULL, NULL);
	ok("dnssrv+https://_web._tcp.prom:8443/p/q", ENDPOINT_DNSSRV, "https",
	    "_web._tcp.prom", "8443", "/p/q");
	ok("dnssrvnoa+_http._tcp.prom", ENDPOINT_DNSSRVNOA, "http",
	    "_http._tcp.prom", NULL, NULL);
	ok("dnssrvnoa+_http._tcp.prom:9091", ENDPOINT_DNSSRVNOA, "http",
	    "_http._tcp.prom", "9091", NULL);

	bad("", "empty endpoint");
	bad("prom", "endpoint 'prom': missing port");
	bad("prom:", "endpoint 'prom:': bad port '' (want 1-65535)");
	bad("dns+prom", "endpoint 'dns+prom': missing port");
	bad("dns+prom:", "endpoint 'dns+prom:': bad port '' (want 1-65535)");
	bad("dns+prom:0", "endpoint 'dns+prom:0': bad port '0' "
	    "(want 1-65535)");
	bad("dns+prom:65536", "endpoint 'dns+prom:65536': bad port '65536' "
	    "(want 1-65535)");
	bad("dns+prom:90a", "endpoint 'dns+prom:90a': bad port '90a' "
	    "(want 1-65535)");
	bad("dns+prom:-1", "endpoint 'dns+prom:-1': bad port '-1' "
	    "(want 1-65535)");
	bad("dns+", "endpoint 'dns+': nothing after 'dns+'");
	bad("dnssrv+", "endpoint 'dnssrv+': nothing after 'dnssrv+'");
	bad("dns+http://", "endpoint 'dns+http://': no host");
	bad("dns+:9090", "endpoint 'dns+:9090': '' is not a host name or "
	    "address");
	bad("dnsa+prom:9090", "endpoint 'dnsa+prom:9090': unknown prefix "
	    "'dnsa+' (want dns+, dnssrv+ or dnssrvnoa+)");
	bad("srv+x", "endpoint 'srv+x': unknown prefix 'srv+' "
	    "(want dns+, dnssrv+ or dnssrvnoa+)");
	bad("+x:1", "endpoint '+x:1': unknown prefix '+' "
	    "(want dns+, dnssrv+ or dnssrvnoa+)");
	bad("DNS+x:1", "endpoint 'DNS+x:1': 'DNS+x' is not a host name or "
	    "address");
	bad("ftp://x:1", "endpoint 'ftp://x:1': unsupported scheme "
	    "(want http:// or https://)");
	bad("dns+grpc://x:1", "endpoint 'dns+grpc://x:1': unsupported scheme "
	    "(want http:// or https://)");
	bad("http://", "endpoint 'http://': no host in URL");
	bad("https:///x", "endpoint 'https:///x': no host in URL");
	bad("dns+::1:9090", "endpoint 'dns+::1:9090': an IPv6 address must "
	    "be in brackets");
	bad("dns+fe80::1", "endpoint 'dns+fe80::1': an IPv6 address must be "
	    "in brackets");
	bad("dns+[::1", "endpoint 'dns+[::1': no ']' after '['");
	bad("dns+[::1]", "endpoint 'dns+[::1]': missing port");
	bad("dns+[::1]9090", "endpoint 'dns+[::1]9090': ':PORT' must follow "
	    "']'");
	bad("dns+[x]:1", "endpoint 'dns+[x]:1': '[...]' does not hold an "
	    "IPv6 address");
	bad("dns+[1.2.3.4]:1", "endpoint 'dns+[1.2.3.4]:1': '[...]' does not "
	    "hold an IPv6 address");
	bad("dnssrv+[::1]:1", "endpoint 'dnssrv+[::1]:1': an SRV name cannot "
	    "be an IP address");
	bad("dns+a..b:1", "endpoint 'dns+a..b:1': 'a..b' is not a host name "
	    "or address");
	bad("dns+.a:1", "endpoint 'dns+.a:1': '.a' is not a host name or "
	    "address");
	bad("dns+a@b:1", "endpoint 'dns+a@b:1': 'a@b' is not a host name or "
	    "address");
	bad("dnssrv+_x._tcp.a%b", "endpoint 'dnssrv+_x._tcp.a%b': "
	    "'_x._tcp.a%b' is not a DNS name");
	bad("dns+a b:1", "endpoint 'dns+a b:1': space or control byte");
	bad("http://a\tb", "endpoint 'http://a\\x09b': space or control "
	    "byte");
	bad("dns+a:1/x\x7f", "endpoint 'dns+a:1/x\\x7f': space or control "
	    "byte");

	/* 253 bytes is the longest name; 254 is too long. */
	memset(name, 'a', 254);
	name[253] = '\0';
	snprintf(spec, sizeof(spec), "dns+%s:1", name);
	ok(spec, ENDPOINT_DNS, "http", name, "1", NULL);
	name[253] = 'a';
	name[254] = '\0';
	snprintf(spec, sizeof(spec), "dns+%s:1", name);
	CHECK_INT(endpoint_parse(&s, spec, err), -1);
	CHECK(strstr(err, "is not a host name or address") != NULL);
}

/* Resolve text with r; check the URLs, in order, NULL-terminated. */
static void
resolves(struct endpoint_resolver *r, const char *text, ...)
{
	struct endpoint_spec s;
	char err[ERR_MAX] = "", **urls = (char **)&urls;
	const char *want;
	size_t n = 99, i = 0;
	va_list ap;

	if (endpoint_parse(&s, text, err) == -1 ||
	    endpoint_resolve(r, &s, &urls, &n, err) == -1) {
		fprintf(stderr, "resolve '%s': %s\n", text, err);
		CHECK(0);
		endpoint_spec_release(&s);
		return;
	}
	va_start(ap, text);
	while ((want = va_arg(ap, const char *)) != NULL) {
		CHECK(i < n);
		if (i < n)
			CHECK_STR(urls[i], want);
		i++;
	}
	va_end(ap);
	CHECK_INT(n, i);
	if (n == 0)
		CHECK(urls == NULL);
	endpoint_urls_free(urls, n);
	endpoint_spec_release(&s);
}

static void
test_resolve(void)
{
	struct endpoint_resolver *r, *dead;
	char err[ERR_MAX];

	CHECK((r = endpoint_resolver_new(NULL, err)) != NULL);
	resolves(r, "http://x.invalid:1/p", "http://x.invalid:1/p", NULL);
	resolves(r, "x.invalid:9090", "http://x.invalid:9090", NULL);
	resolves(r, "dns+127.0.0.1:9090", "http://127.0.0.1:9090", NULL);
	resolves(r, "dns+https://[0:0::1]:9090/p", "https://[::1]:9090/p",
	    NULL);
	/* /etc/hosts, through getaddrinfo: at least 127.0.0.1, maybe ::1,
	 * in that order when both are there. */
	{
		struct endpoint_spec s;
		char **urls;
		size_t n;

		CHECK(endpoint_parse(&s, "dns+localhost:9", err) == 0);
		CHECK(endpoint_resolve(r, &s, &urls, &n, err) == 0);
		CHECK(n >= 1 && n <= 2);
		CHECK_STR(urls[0], "http://127.0.0.1:9");
		if (n == 2)
			CHECK_STR(urls[1], "http://[::1]:9");
		endpoint_urls_free(urls, n);
		endpoint_spec_release(&s);
	}
	endpoint_resolver_free(r);

	/* Nobody answers at port 1: an IP literal or a URL needs no one. */
	CHECK((dead = endpoint_resolver_new("127.0.0.1:1", err)) != NULL);
	resolves(dead, "dns+127.0.0.1:9090", "http://127.0.0.1:9090", NULL);
	resolves(dead, "dns+[::1]:9090/x", "http://[::1]:9090/x", NULL);
	resolves(dead, "https://a:1", "https://a:1", NULL);
	{
		struct endpoint_spec s;
		char **urls = NULL;
		size_t n = 7;

		CHECK(endpoint_parse(&s, "dns+a.test:9", err) == 0);
		CHECK_INT(endpoint_resolve(dead, &s, &urls, &n, err), -1);
		CHECK_STR(err, "endpoint 'dns+a.test:9': lookup A a.test at "
		    "127.0.0.1:1: connection refused");
		CHECK(urls == NULL && n == 7);
		endpoint_spec_release(&s);
	}
	endpoint_resolver_free(dead);
	endpoint_resolver_free(NULL);
}

static void
test_resolver_new(void)
{
	struct endpoint_resolver *r;
	char err[ERR_MAX];

	CHECK((r = endpoint_resolver_new("127.0.0.1", err)) != NULL);
	endpoint_resolver_free(r);
	CHECK((r = endpoint_resolver_new("10.1.2.3:5353", err)) != NULL);
	endpoint_resolver_free(r);
	CHECK(endpoint_resolver_new("", err) == NULL);
	CHECK_STR(err, "DNS server '': not an IPv4 ADDR[:PORT]");
	CHECK(endpoint_resolver_new("localhost:53", err) == NULL);
	CHECK_STR(err, "DNS server 'localhost:53': not an IPv4 ADDR[:PORT]");
	CHECK(endpoint_resolver_new("127.0.0.1:", err) == NULL);
	CHECK_STR(err, "DNS server '127.0.0.1:': bad port (want 1-65535)");
	CHECK(endpoint_resolver_new("127.0.0.1:70000", err) == NULL);
	CHECK_STR(err, "DNS server '127.0.0.1:70000': bad port "
	    "(want 1-65535)");
	CHECK(endpoint_resolver_new("::1", err) == NULL);
	CHECK_STR(err, "DNS server '::1': only IPv4 addresses are supported");
	CHECK(endpoint_resolver_new("[::1]:53", err) == NULL);
	CHECK_STR(err, "DNS server '[::1]:53': only IPv4 addresses are "
	    "supported");
}

static void
test_uniq(void)
{
	const char *in[] = { "http://b", "http://a", "http://b", "http://c",
	    "http://a", "http://a" };
	char **v;
	size_t i, n = sizeof(in) / sizeof(in[0]);

	CHECK((v = calloc(n, sizeof(*v))) != NULL);
	for (i = 0; i < n; i++)
		v[i] = strdup(in[i]);
	endpoint_urls_uniq(v, &n);
	CHECK_INT(n, 3);
	CHECK_STR(v[0], "http://a");
	CHECK_STR(v[1], "http://b");
	CHECK_STR(v[2], "http://c");
	endpoint_urls_free(v, n);
	n = 0;
	endpoint_urls_uniq(NULL, &n);
	CHECK_INT(n, 0);
	endpoint_urls_free(NULL, 0);
}

int
main(void)
{
	test_parse();
	test_resolver_new();
	test_resolve();
	test_uniq();
	return unit_done();
}
