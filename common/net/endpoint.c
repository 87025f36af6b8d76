#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "base/errbuf.h"
#include "base/parse.h"
#include "net/endpoint.h"

struct endpoint_resolver {
	struct __res_state res;
	int		   res_open;	/* res holds what res_ninit made */
	int		   override;	/* ask server only */
	struct sockaddr_in server;
	char		   server_text[INET_ADDRSTRLEN + 8];
	/* One answer at a time: the biggest a DNS message can be, so an
	 * answer that came over TCP after truncation always fits. */
	unsigned char	   ans[NS_MAXMSG];
};

/* A growing list of URLs; each string and the array are owned. */
struct urlv {
	char	**v;
	size_t	  n, cap;
};

/* One SRV answer, kept apart from r->ans because the address lookups of
 * its targets reuse that buffer. */
struct srv {
	char		 target[NS_MAXDNAME];
	unsigned	 port;
};

/*
 * Parsing.
 */

void
endpoint_spec_release(struct endpoint_spec *s)
{
	free(s->text);
	free(s->scheme);
	free(s->name);
	free(s->port);
	free(s->path);
	*s = (struct endpoint_spec)ENDPOINT_SPEC_INIT;
}

static int
spec_err(struct endpoint_spec *s, const char *text, char *err,
    const char *fmt, ...)
{
	char q[PARSE_QUOTE_MAX], why[ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	endpoint_spec_release(s);
	return errbuf_set(err, "endpoint '%s': %s", parse_quote(text, q),
	    why);
}

/* A host or SRV name: what DNS names hold in practice (RFC 952/1123
 * host names, plus '_' for SRV labels such as _http._tcp).  Anything
 * else would have to be escaped in a URL, or is a typo. */
static int
name_ok(const char *p, size_t len)
{
	size_t i;

	if (len == 0 || len > ENDPOINT_NAME_MAX || p[0] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		if (!isalnum((unsigned char)p[i]) && p[i] != '-' &&
		    p[i] != '_' && p[i] != '.')
			return 0;
		if (p[i] == '.' && i + 1 < len && p[i + 1] == '.')
			return 0;
	}
	return 1;
}

/* Decimal 1-65535, digits only. */
static int
port_ok(const char *p, size_t len)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0 || len > 5)
		return 0;
	for (i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return 0;
		v = v * 10 + (unsigned long)(p[i] - '0');
	}
	return v >= 1 && v <= 65535;
}

/* No byte a URL cannot carry unescaped on a command line. */
static int
printable(const char *p)
{
	for (; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return 0;
	return 1;
}

/* Length of "http://" or "https://" at the start of p, any case; 0 if
 * neither.  *https tells which. */
static size_t
scheme_len(const char *p, int *https)
{
	if (strncasecmp(p, "http://", 7) == 0) {
		*https = 0;
		return 7;
	}
	if (strncasecmp(p, "https://", 8) == 0) {
		*https = 1;
		return 8;
	}
	return 0;
}

/* An explicit http(s):// URL: kept as given. */
static int
parse_url(struct endpoint_spec *s, const char *text, size_t slen, int https,
    char *err)
{
	const char *host = text + slen;

	if (*host == '\0' || *host == '/' || *host == '?' || *host == '#')
		return spec_err(s, text, err, "no host in URL");
	if ((s->name = strdup(text)) == NULL ||
	    (s->scheme = strdup(https ? "https" : "http")) == NULL ||
	    (s->path = strdup("")) == NULL)
		return spec_err(s, text, err, "%s", strerror(errno));
	return 0;
}

/*
 * HOST[:PORT][/PATH] at p, for every form but an explicit URL.  Brackets
 * (an IPv6 literal) are taken where a HOST may be an IP literal.
 */
static int
parse_hostport(struct endpoint_spec *s, const char *text, const char *p,
    char *err)
{
	const char *end, *host, *hend, *port = NULL, *slash;
	struct in6_addr a6;
	char lit[INET6_ADDRSTRLEN];
	int srv = s->kind == ENDPOINT_DNSSRV || s->kind == ENDPOINT_DNSSRVNOA;
	size_t hlen;

	slash = strchr(p, '/');
	end = slash != NULL ? slash : p + strlen(p);
	if (p == end)
		return spec_err(s, text, err, "no host");
	if (*p == '[') {
		if (srv)
			return spec_err(s, text, err,
			    "an SRV name cannot be an IP address");
		host = p + 1;
		if ((hend = memchr(host, ']', (size_t)(end - host))) == NULL)
			return spec_err(s, text, err, "no ']' after '['");
		hlen = (size_t)(hend - host);
		if (hlen >= sizeof(lit) || (memcpy(lit, host, hlen),
		    lit[hlen] = '\0', inet_pton(AF_INET6, lit, &a6) != 1))
			return spec_err(s, text, err,
			    "'[...]' does not hold an IPv6 address");
		if (hend + 1 < end) {
			if (hend[1] != ':')
				return spec_err(s, text, err,
				    "':PORT' must follow ']'");
			port = hend + 2;
		}
	} else {
		host = p;
		hend = memchr(p, ':', (size_t)(end - p));
		if (hend != NULL)
			port = hend + 1;
		else
			hend = end;
		hlen = (size_t)(hend - host);
		if (port != NULL && memchr(port, ':', (size_t)(end - port)))
			return spec_err(s, text, err,
			    "an IPv6 address must be in brackets");
		if (!name_ok(host, hlen))
			return spec_err(s, text, err, "'%.*s' is not a %s",
			    (int)(hlen > 64 ? 64 : hlen), host,
			    srv ? "DNS name" : "host name or address");
	}
	if (port == NULL && !srv)
		return spec_err(s, text, err, "missing port");
	if (port != NULL && !port_ok(port, (size_t)(end - port)))
		return spec_err(s, text, err, "bad port '%.*s' (want 1-65535)",
		    (int)((size_t)(end - port) > 16 ? 16 : end - port), port);

	if (s->kind == ENDPOINT_URL) {
		/* Thanos' plain HOST:PORT: an http URL, unresolved. */
		if (asprintf(&s->name, "http://%s", p) == -1) {
			s->name = NULL;
			return spec_err(s, text, err, "%s", strerror(errno));
		}
		if ((s->path = strdup("")) == NULL)
			return spec_err(s, text, err, "%s", strerror(errno));
		return 0;
	}
	if ((s->name = strndup(host, hlen)) == NULL ||
	    (port != NULL &&
	    (s->port = strndup(port, (size_t)(end - port))) == NULL) ||
	    (s->path = strdup(slash != NULL ? slash : "")) == NULL)
		return spec_err(s, text, err, "%s", strerror(errno));
	return 0;
}

int
endpoint_parse(struct endpoint_spec *s, const char *text, char err[ERR_MAX])
{
	static const struct {
		const char	  *prefix;
		enum endpoint_kind kind;
	} kinds[] = {
		{ "dns", ENDPOINT_DNS },
		{ "dnssrv", ENDPOINT_DNSSRV },
		{ "dnssrvnoa", ENDPOINT_DNSSRVNOA },
	};
	const char *p = text;
	size_t i, n, slen;
	int https = 0;

	*s = (struct endpoint_spec)ENDPOINT_SPEC_INIT;
	if (*text == '\0')
		return errbuf_set(err, "empty endpoint");
	if (!printable(text))
		return spec_err(s, text, err, "space or control byte");
	if ((s->text = strdup(text)) == NULL)
		return spec_err(s, text, err, "%s", strerror(errno));

	if ((slen = scheme_len(text, &https)) != 0)
		return parse_url(s, text, slen, https, err);

	/* A prefix is a word of lowercase letters and a '+': a '+' further
	 * on (in a path) is not one. */
	n = strspn(text, "abcdefghijklmnopqrstuvwxyz");
	if (text[n] == '+') {
		for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			if (strlen(kinds[i].prefix) == n &&
			    strncmp(kinds[i].prefix, text, n) == 0)
				break;
		if (i == sizeof(kinds) / sizeof(kinds[0]))
			return spec_err(s, text, err, "unknown prefix '%.*s+' "
			    "(want dns+, dnssrv+ or dnssrvnoa+)",
			    (int)(n > 16 ? 16 : n), text);
		s->kind = kinds[i].kind;
		p = text + n + 1;
		if (*p == '\0')
			return spec_err(s, text, err, "nothing after '%.*s+'",
			    (int)n, text);
		p += scheme_len(p, &https);
	}
	if (strstr(p, "://") != NULL)
		return spec_err(s, text, err,
		    "unsupported scheme (want http:// or https://)");
	if ((s->scheme = strdup(https ? "https" : "http")) == NULL)
		return spec_err(s, text, err, "%s", strerror(errno));
	return parse_hostport(s, text, p, err);
}

/*
 * URL lists.
 */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
endpoint_urls_uniq(char **urls, size_t *n)
{
	size_t i, out = 0;

	if (*n == 0)
		return;
	qsort(urls, *n, sizeof(*urls), cmp_str);
	for (i = 1; i < *n; i++) {
		if (strcmp(urls[out], urls[i]) == 0)
			free(urls[i]);
		else
			urls[++out] = urls[i];
	}
	*n = out + 1;
}

void
endpoint_urls_free(char **urls, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(urls[i]);
	free(urls);
}

/* Add SCHEME://HOST:PORT/PATH, HOST an IPv6 address (has ':') in
 * brackets.  -1 with errno on ENOMEM. */
static int
urlv_add(struct urlv *l, const struct endpoint_spec *s, const char *host,
    unsigned port)
{
	int v6 = strchr(host, ':') != NULL;
	char **nv, *u;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;

		if ((nv = reallocarray(l->v, cap, sizeof(*nv))) == NULL)
			return -1;
		l->v = nv;
		l->cap = cap;
	}
	if (asprintf(&u, "%s://%s%s%s:%u%s", s->scheme, v6 ? "[" : "", host,
	    v6 ? "]" : "", port, s->path) == -1)
		return -1;
	l->v[l->n++] = u;
	return 0;
}

/*
 * Lookups.
 */

struct endpoint_resolver *
endpoint_resolver_new(const char *server, char err[ERR_MAX])
{
	struct endpoint_resolver *r;
	char q[PARSE_QUOTE_MAX], addr[INET_ADDRSTRLEN];
	const char *colon;
	size_t alen;
	unsigned port = 53;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		errbuf_sys(err, "resolver");
		return NULL;
	}
	if (server == NULL)
		return r;
	/* glibc takes only IPv4 servers in nsaddr_list; an IPv6 one would
	 * mean writing its private _u._ext fields. */
	if (strchr(server, '[') != NULL ||
	    ((colon = strchr(server, ':')) != NULL &&
	    strchr(colon + 1, ':') != NULL)) {
		errbuf_set(err, "DNS server '%s': only IPv4 addresses are "
		    "supported", parse_quote(server, q));
		goto fail;
	}
	alen = colon != NULL ? (size_t)(colon - server) : strlen(server);
	if (colon != NULL && !port_ok(colon + 1, strlen(colon + 1))) {
		errbuf_set(err, "DNS server '%s': bad port (want 1-65535)",
		    parse_quote(server, q));
		goto fail;
	}
	if (colon != NULL)
		port = (unsigned)strtoul(colon + 1, NULL, 10);
	if (alen >= sizeof(addr) || (memcpy(addr, server, alen),
	    addr[alen] = '\0',
	    inet_pton(AF_INET, addr, &r->server.sin_addr) != 1)) {
		errbuf_set(err, "DNS server '%s': not an IPv4 ADDR[:PORT]",
		    parse_quote(server, q));
		goto fail;
	}
	r->server.sin_family = AF_INET;
	r->server.sin_port = htons((uint16_t)port);
	snprintf(r->server_text, sizeof(r->server_text), "%s:%u", addr, port);
	r->override = 1;
	return r;
fail:
	free(r);
	return NULL;
}

static void
state_close(struct endpoint_resolver *r)
{
	if (r->res_open) {
		/* glibc's res_nclose also frees what res_ninit and res_send
		 * allocated (it has no res_ndestroy). */
		res_nclose(&r->res);
		r->res_open = 0;
	}
}

void
endpoint_resolver_free(struct endpoint_resolver *r)
{
	if (r == NULL)
		return;
	state_close(r);
	free(r);
}

/* Fresh resolver state for one endpoint_resolve: resolv.conf is read
 * each time (glibc caches it and rereads it only when it changed), and
 * no socket stays open between refreshes. */
static int
state_open(struct endpoint_resolver *r, const struct endpoint_spec *s,
    char *err)
{
	char q[PARSE_QUOTE_MAX];

	memset(&r->res, 0, sizeof(r->res));
	/* On failure res_ninit leaves nothing to close (and res_nclose on
	 * a zeroed state would close fd 0). */
	if (res_ninit(&r->res) == -1)
		return errbuf_set(err, "endpoint '%s': cannot set up the "
		    "resolver (/etc/resolv.conf)", parse_quote(s->text, q));
	r->res_open = 1;
	if (r->override) {
		r->res.nscount = 1;
		r->res.nsaddr_list[0] = r->server;
		r->res.retrans = ENDPOINT_DNS_TIMEOUT_S;
		r->res.retry = ENDPOINT_DNS_ATTEMPTS;
		r->res.options &= ~(unsigned long)(RES_DNSRCH | RES_DEFNAMES);
		/* glibc drops a REFUSED or SERVFAIL answer and tries the next
		 * server, unless pfcode is set (for dig): with one server
		 * there is no next, and we want the answer's rcode so that
		 * "refused" is not reported as a timeout. */
		r->res.pfcode = RES_PRF_REPLY;
	}
	return 0;
}

static const char *
type_name(int type)
{
	switch (type) {
	case ns_t_a:	return "A";
	case ns_t_aaaa:	return "AAAA";
	default:	return "SRV";
	}
}

static int
lookup_err(struct endpoint_resolver *r, const struct endpoint_spec *s,
    const char *name, int type, char *err, const char *fmt, ...)
{
	char q[PARSE_QUOTE_MAX], why[ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return errbuf_set(err, "endpoint '%s': lookup %s %s%s%s: %s",
	    parse_quote(s->text, q), type_name(type), name,
	    r->override ? " at " : "", r->override ? r->server_text : "",
	    why);
}

/*
 * Ask for name's records of type into r->ans.  1 and *len when there
 * is an answer with records; 0 for NXDOMAIN or no records of that type
 * (what Thanos treats as "not found"); -1 with err otherwise.
 */
static int
dns_query(struct endpoint_resolver *r, const struct endpoint_spec *s,
    const char *name, int type, int *len, char *err)
{
	int n, e;

	errno = 0;
	/* Without a server of our own the search list applies, as it does
	 * to Go's resolver in Thanos; with one, names are taken as
	 * written. */
	if (r->override)
		n = res_nquery(&r->res, name, ns_c_in, type, r->ans,
		    sizeof(r->ans));
	else
		n = res_nsearch(&r->res, name, ns_c_in, type, r->ans,
		    sizeof(r->ans));
	e = errno;
	if (n >= 0) {
		if ((size_t)n > sizeof(r->ans))
			return lookup_err(r, s, name, type, err,
			    "answer too long");
		*len = n;
		return 1;
	}
	switch (r->res.res_h_errno) {
	case HOST_NOT_FOUND:
	case NO_DATA:
		return 0;
	case TRY_AGAIN:
		/* No answer in time, nobody listening, or SERVFAIL. */
		if (e == ETIMEDOUT || e == ECONNREFUSED)
			return lookup_err(r, s, name, type, err, "%s",
			    e == ETIMEDOUT ? "no answer in time" :
			    "connection refused");
		return lookup_err(r, s, name, type, err, "server failure");
	default:
		return lookup_err(r, s, name, type, err,
		    "refused or unusable answer");
	}
}

/* Open r->ans (len bytes) for reading its answer section. */
static int
answer_open(struct endpoint_resolver *r, const struct endpoint_spec *s,
    const char *name, int type, int len, ns_msg *m, char *err)
{
	if (ns_initparse(r->ans, len, m) == -1)
		return lookup_err(r, s, name, type, err, "malformed answer");
	return 0;
}

/* Answer record i if it is of class IN and type; 0 to skip it (a CNAME
 * on the way), 1 to use it, -1 with err if it does not parse. */
static int
answer_rr(struct endpoint_resolver *r, const struct endpoint_spec *s,
    const char *name, int type, ns_msg *m, int i, ns_rr *rr, char *err)
{
	if (ns_parserr(m, ns_s_an, i, rr) == -1)
		return lookup_err(r, s, name, type, err, "malformed answer");
	return ns_rr_class(*rr) == ns_c_in && (int)ns_rr_type(*rr) == type;
}

/* The A or AAAA records of name, each as a URL with port, asked of
 * r->server. */
static int
dns_addrs(struct endpoint_resolver *r, const struct endpoint_spec *s,
    const char *name, int type, unsigned port, struct urlv *l, char *err)
{
	char addr[INET6_ADDRSTRLEN];
	int af = type == ns_t_a ? AF_INET : AF_INET6, i, len, rc;
	size_t want = type == ns_t_a ? 4 : 16;
	ns_msg m;
	ns_rr rr;

	if ((rc = dns_query(r, s, name, type, &len, err)) <= 0)
		return rc;
	if (answer_open(r, s, name, type, len, &m, err) == -1)
		return -1;
	for (i = 0; i < ns_msg_count(m, ns_s_an); i++) {
		if ((rc = answer_rr(r, s, name, type, &m, i, &rr, err)) == -1)
			return -1;
		if (rc == 0)
			continue;
		if (ns_rr_rdlen(rr) != want)
			return lookup_err(r, s, name, type, err,
			    "%s record of %u bytes", type_name(type),
			    (unsigned)ns_rr_rdlen(rr));
		inet_ntop(af, ns_rr_rdata(rr), addr, sizeof(addr));
		if (urlv_add(l, s, addr, port) == -1)
			return errbuf_sys(err, "endpoint");
	}
	return 0;
}

/* name's addresses through getaddrinfo: /etc/hosts, then DNS, as
 * nsswitch.conf says. */
static int
gai_addrs(struct endpoint_resolver *r, const struct endpoint_spec *s,
    const char *name, unsigned port, struct urlv *l, char *err)
{
	struct addrinfo hints, *res, *ai;
	char addr[INET6_ADDRSTRLEN], q[PARSE_QUOTE_MAX];
	const void *a;
	int rc;

	(void)r;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;	/* one entry per address */
	switch ((rc = getaddrinfo(name, NULL, &hints, &res))) {
	case 0:
		break;
	case EAI_NONAME:
	case EAI_NODATA:
	case EAI_ADDRFAMILY:
		return 0;
	case EAI_SYSTEM:
		return errbuf_sys(err, "endpoint '%s': lookup %s",
		    parse_quote(s->text, q), name);
	default:
		return errbuf_set(err, "endpoint '%s': lookup %s: %s",
		    parse_quote(s->text, q), name, gai_strerror(rc));
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET)
			a = &((struct sockaddr_in *)ai->ai_addr)->sin_addr;
		else if (ai->ai_family == AF_INET6)
			a = &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
		else
			continue;
		inet_ntop(ai->ai_family, a, addr, sizeof(addr));
		if (urlv_add(l, s, addr, port) == -1) {
			freeaddrinfo(res);
			return errbuf_sys(err, "endpoint");
		}
	}
	freeaddrinfo(res);
	return 0;
}

/* Every address of name, each as a URL with port. */
static int
addrs(struct endpoint_resolver *r, const struct endpoint_spec *s,
    const char *name, unsigned port, struct urlv *l, char *err)
{
	unsigned char bin[sizeof(struct in6_addr)];
	char addr[INET6_ADDRSTRLEN];
	int af;

	/* An IP literal is its own address: no lookup, whoever answers. */
	af = inet_pton(AF_INET, name, bin) == 1 ? AF_INET :
	    inet_pton(AF_INET6, name, bin) == 1 ? AF_INET6 : 0;
	if (af != 0) {
		inet_ntop(af, bin, addr, sizeof(addr));
		return urlv_add(l, s, addr, port) == -1 ?
		    errbuf_sys(err, "endpoint") : 0;
	}
	if (!r->override)
		return gai_addrs(r, s, name, port, l, err);
	if (dns_addrs(r, s, name, ns_t_a, port, l, err) == -1 ||
	    dns_addrs(r, s, name, ns_t_aaaa, port, l, err) == -1)
		return -1;
	return 0;
}

/* The SRV records of s->name into *out (*nout records; malloc'd). */
static int
srv_records(struct endpoint_resolver *r, const struct endpoint_spec *s,
    struct srv **out, size_t *nout, char *err)
{
	const unsigned char *rd;
	struct srv *v = NULL;
	size_t n = 0;
	int i, len, rc, used;
	ns_msg m;
	ns_rr rr;

	*out = NULL;
	*nout = 0;
	if ((rc = dns_query(r, s, s->name, ns_t_srv, &len, err)) <= 0)
		return rc;
	if (answer_open(r, s, s->name, ns_t_srv, len, &m, err) == -1)
		return -1;
	if (ns_msg_count(m, ns_s_an) > 0 &&
	    (v = calloc(ns_msg_count(m, ns_s_an), sizeof(*v))) == NULL)
		return errbuf_sys(err, "endpoint");
	for (i = 0; i < ns_msg_count(m, ns_s_an); i++) {
		rc = answer_rr(r, s, s->name, ns_t_srv, &m, i, &rr, err);
		if (rc == -1)
			goto fail;
		if (rc == 0)
			continue;
		/* priority, weight, port (16 bits each), target */
		rd = ns_rr_rdata(rr);
		if (ns_rr_rdlen(rr) < 7 ||
		    (used = dn_expand(ns_msg_base(m), ns_msg_end(m), rd + 6,
		    v[n].target, sizeof(v[n].target))) < 0 ||
		    6 + used > ns_rr_rdlen(rr)) {
			lookup_err(r, s, s->name, ns_t_srv, err,
			    "malformed SRV record");
			goto fail;
		}
		v[n].port = ns_get16(rd + 4);
		/* Target "." says there is no such service (RFC 2782). */
		if (v[n].target[0] == '\0' || strcmp(v[n].target, ".") == 0)
			continue;
		if (!name_ok(v[n].target, strlen(v[n].target))) {
			lookup_err(r, s, s->name, ns_t_srv, err,
			    "SRV target is not a host name");
			goto fail;
		}
		if (v[n].port == 0 && s->port == NULL) {
			lookup_err(r, s, s->name, ns_t_srv, err,
			    "SRV record with port 0");
			goto fail;
		}
		if (s->port != NULL)
			v[n].port = (unsigned)strtoul(s->port, NULL, 10);
		n++;
	}
	*out = v;
	*nout = n;
	return 0;
fail:
	free(v);
	return -1;
}

static int
resolve_dns(struct endpoint_resolver *r, const struct endpoint_spec *s,
    struct urlv *l, char *err)
{
	struct srv *v;
	size_t i, n;
	int rc = 0;

	if (s->kind == ENDPOINT_DNS)
		return addrs(r, s, s->name,
		    (unsigned)strtoul(s->port, NULL, 10), l, err);
	if (srv_records(r, s, &v, &n, err) == -1)
		return -1;
	for (i = 0; i < n && rc == 0; i++) {
		if (s->kind == ENDPOINT_DNSSRVNOA) {
			if (urlv_add(l, s, v[i].target, v[i].port) == -1)
				rc = errbuf_sys(err, "endpoint");
		} else
			rc = addrs(r, s, v[i].target, v[i].port, l, err);
	}
	free(v);
	return rc;
}

int
endpoint_resolve(struct endpoint_resolver *r, const struct endpoint_spec *s,
    char ***urls, size_t *n, char err[ERR_MAX])
{
	struct urlv l = { NULL, 0, 0 };
	int rc;

	if (s->kind == ENDPOINT_URL) {
		if ((l.v = malloc(sizeof(*l.v))) == NULL ||
		    (l.v[0] = strdup(s->name)) == NULL) {
			free(l.v);
			return errbuf_sys(err, "endpoint");
		}
		*urls = l.v;
		*n = 1;
		return 0;
	}
	if (state_open(r, s, err) == -1)
		return -1;
	rc = resolve_dns(r, s, &l, err);
	state_close(r);
	if (rc == -1) {
		endpoint_urls_free(l.v, l.n);
		return -1;
	}
	endpoint_urls_uniq(l.v, &l.n);
	if (l.n == 0) {
		free(l.v);
		l.v = NULL;
	}
	*urls = l.v;
	*n = l.n;
	return 0;
}
