/*
 * endpoint: the stores query-merge is given with --store, and the URLs
 * they stand for now: Thanos' DNS service discovery (discovery/dns),
 * with HTTP URLs where Thanos has gRPC host:port pairs.
 *
 * A spec is one of these forms (SCHEME is "http" or "https", "http" if
 * left out; PATH, if given, starts with '/' and ends up in every URL):
 *
 *   http://HOST[:PORT][/PATH]		used exactly as given (query string
 *   https://HOST[:PORT][/PATH]		and all), never resolved; the
 *					scheme in any case.
 *   HOST:PORT[/PATH]			Thanos' plain form: becomes
 *					http://HOST:PORT[/PATH], never
 *					resolved.
 *   dns+[SCHEME://]HOST:PORT[/PATH]	every A and AAAA record of HOST:
 *					SCHEME://ADDR:PORT[/PATH], an IPv6
 *					ADDR in brackets.  PORT is required.
 *					An IP literal HOST (IPv6 in brackets:
 *					dns+[::1]:9090) is its own address.
 *   dnssrv+[SCHEME://]NAME[:PORT][/PATH]
 *					the SRV records of NAME (e.g.
 *					_http._tcp.prom.monitoring.svc);
 *					for each, every A and AAAA record of
 *					its target, with the record's port
 *					(or PORT if given, as in Thanos).
 *   dnssrvnoa+[SCHEME://]NAME[:PORT][/PATH]
 *					the SRV records of NAME, each as
 *					SCHEME://TARGET:PORT[/PATH] with the
 *					target name as the answer spells it
 *					(no address lookup).
 *
 * HOST, NAME: letters, digits, '-', '_' and '.' (no empty label, no
 * leading '.'), at most 253 bytes, or an IP literal where a HOST may be
 * one.  PORT: decimal, 1 to 65535.  The prefix is lowercase.  Anything
 * else is an error naming the spec: an empty spec, a missing or bad
 * port, an unknown prefix (Thanos' "dnsa+" included), a scheme other
 * than http/https, a prefix with nothing after it, an IPv6 address
 * without brackets, a space or control byte anywhere.
 *
 * Lookups (see endpoint_resolver_new for where they go): a name that
 * does not exist (NXDOMAIN) or has no records of the type asked
 * (NODATA) gives no URLs and no error, as in Thanos (which only logs
 * it); an SRV target without addresses adds nothing, and a target of
 * "." (RFC 2782: no such service) is skipped.  Any other failure (no
 * answer in time, the server refused or failed, an answer that does not
 * parse, an SRV target that is not a host name, an SRV port of 0 with no
 * PORT in the spec) is an error for the whole spec, and the caller keeps
 * what it had (Thanos keeps the last good result).
 *
 * What always holds: the URLs endpoint_resolve hands back are sorted
 * (strcmp) and unique, so two resolutions compare with a loop; the
 * spec's scheme and path are in every one of them; a spec that parsed
 * never fails for its form, only for its lookups.
 */
#ifndef NET_ENDPOINT_H
#define NET_ENDPOINT_H

#include <stddef.h>

#include "base/errbuf.h"

/* With a server given to endpoint_resolver_new: seconds to wait for an
 * answer, and tries per query: a server that never answers costs 2 s
 * per spec (glibc 2.36 waits the same on every try at one server). */
#define ENDPOINT_DNS_TIMEOUT_S	1
#define ENDPOINT_DNS_ATTEMPTS	2
#define ENDPOINT_NAME_MAX	253

enum endpoint_kind {
	ENDPOINT_URL,		/* http(s)://... or HOST:PORT */
	ENDPOINT_DNS,		/* dns+ */
	ENDPOINT_DNSSRV,	/* dnssrv+ */
	ENDPOINT_DNSSRVNOA	/* dnssrvnoa+ */
};

/* A parsed spec.  Every string is owned by the spec. */
struct endpoint_spec {
	enum endpoint_kind kind;
	char	*text;		/* the spec as given, for messages */
	char	*scheme;	/* "http" or "https" */
	/* ENDPOINT_URL: the whole URL (HOST:PORT already as http://...);
	 * ENDPOINT_DNS: the host name, or the IP literal without brackets;
	 * SRV kinds: the SRV name. */
	char	*name;
	/* Decimal, 1-65535.  NULL for ENDPOINT_URL, and for the SRV kinds
	 * when the records' own ports are to be used. */
	char	*port;
	char	*path;		/* "" or "/..."; "" for ENDPOINT_URL */
};

#define ENDPOINT_SPEC_INIT	{ ENDPOINT_URL, NULL, NULL, NULL, NULL, NULL }

/*
 * Parse text into s (whose old contents are not freed: init or release
 * it first).  -1 with err ("endpoint 'TEXT': what is wrong"), s then
 * empty, for a bad spec or out of memory.
 */
int	endpoint_parse(struct endpoint_spec *s, const char *text,
	    char err[ERR_MAX]);

/* Free what s owns and leave it as ENDPOINT_SPEC_INIT. */
void	endpoint_spec_release(struct endpoint_spec *s);

/*
 * The state of DNS lookups.  Not thread-safe: use one per thread
 * (query-merge refreshes discovery from one thread, so it needs one).
 */
struct endpoint_resolver;

/*
 * A resolver.  server NULL: glibc's resolver as /etc/resolv.conf (and
 * RES_OPTIONS, LOCALDOMAIN) configure it, read again at every
 * endpoint_resolve so that edits are seen; its search list, timeouts
 * and attempts apply; A and AAAA lookups go through getaddrinfo(3), so
 * /etc/hosts and nsswitch.conf apply too (dns+localhost:9090 works).
 *
 * server "ADDR[:PORT]" (an IPv4 address; PORT 53 if left out; query-
 * merge's --store.sd-dns-server): every lookup, SRV and A/AAAA alike,
 * is asked of that server only, for the name exactly as written (no
 * search list, no /etc/hosts), waiting ENDPOINT_DNS_TIMEOUT_S per try,
 * ENDPOINT_DNS_ATTEMPTS tries.
 *
 * Either way, an IP literal resolves to itself without a lookup.
 * NULL with err for a bad server or out of memory.
 */
struct endpoint_resolver *endpoint_resolver_new(const char *server,
	    char err[ERR_MAX]);

void	endpoint_resolver_free(struct endpoint_resolver *r);

/*
 * The URLs s stands for now: *urls gets a malloc'd array of *n malloc'd
 * strings, sorted and unique (*urls NULL when *n is 0); the caller frees
 * it with endpoint_urls_free.  ENDPOINT_URL specs give their URL without
 * a lookup.  -1 with err (naming the spec and the lookup) if a lookup
 * failed, as described at the top; *urls and *n are then unchanged.
 */
int	endpoint_resolve(struct endpoint_resolver *r,
	    const struct endpoint_spec *s, char ***urls, size_t *n,
	    char err[ERR_MAX]);

/* Sort urls[0..*n) (strcmp) and free and drop duplicates, shrinking *n:
 * to merge the results of several specs, concatenate them and call
 * this. */
void	endpoint_urls_uniq(char **urls, size_t *n);

/* Free the n strings and the array; NULL is fine. */
void	endpoint_urls_free(char **urls, size_t n);

#endif
