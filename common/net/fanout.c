#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/fanout.h"

#define DEFAULT_TIMEOUT_MS	30000
#define DEFAULT_MAX_BODY	((size_t)64 << 20)
#define CONNECT_TIMEOUT_MS	5000

void
fanout_req_init(struct fanout_req *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->body, BUF_NOMAX);
}

void
fanout_req_release(struct fanout_req *r)
{
	buf_release(&r->body);
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct fanout_req *r = arg;
	size_t max = r->max_body ? r->max_body : DEFAULT_MAX_BODY;

	n *= size;
	if (r->body.len + n > max) {
		errbuf_set(r->err, "%s: response larger than %zu bytes",
		    r->url, max);
		r->failed = 1;
		return 0;
	}
	if (buf_add(&r->body, p, n) == -1)
		return 0;
	return n;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct fanout_req *r = arg;
	size_t len = size * n, k = sizeof("content-type:") - 1;

	if (len > k && strncasecmp(p, "content-type:", k) == 0) {
		p += k;
		len -= k;
		while (len > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		while (len > 0 && (p[len - 1] == '\r' || p[len - 1] == '\n'))
			len--;
		if (len >= sizeof(r->content_type))
			len = sizeof(r->content_type) - 1;
		memcpy(r->content_type, p, len);
		r->content_type[len] = '\0';
	}
	return size * n;
}

static CURL *
easy_for(struct fanout_req *r, struct curl_slist **hl)
{
	CURL *c;

	if ((c = curl_easy_init()) == NULL)
		return NULL;
	for (const char *const *h = r->headers; h && *h; h++)
		*hl = curl_slist_append(*hl, *h);
	*hl = curl_slist_append(*hl, "Expect:");
	curl_easy_setopt(c, CURLOPT_URL, r->url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, *hl);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)CONNECT_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
	    r->timeout_ms > 0 ? r->timeout_ms : (long)DEFAULT_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_PRIVATE, r);
	/* Our peers' bodies are already compressed (snappy) or small. */
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, NULL);
	if (r->req_body != NULL) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, r->req_body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)r->req_len);
	}
	return c;
}

int
fanout_run(struct fanout_req *r, size_t n, char *err)
{
	struct curl_slist **hl;
	CURL **easy;
	CURLM *m;
	CURLMsg *msg;
	int running, left, rc = 0;

	if ((m = curl_multi_init()) == NULL)
		return errbuf_set(err, "curl_multi_init failed");
	easy = calloc(n ? n : 1, sizeof(*easy));
	hl = calloc(n ? n : 1, sizeof(*hl));
	if (easy == NULL || hl == NULL) {
		rc = errbuf_sys(err, "fan-out");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		r[i].status = 0;
		r[i].failed = 0;
		r[i].err[0] = '\0';
		r[i].content_type[0] = '\0';
		buf_reset(&r[i].body);
		if ((easy[i] = easy_for(&r[i], &hl[i])) == NULL ||
		    curl_multi_add_handle(m, easy[i]) != CURLM_OK) {
			errbuf_set(r[i].err, "%s: cannot start a transfer",
			    r[i].url);
			r[i].failed = 1;
		}
	}
	do {
		if (curl_multi_perform(m, &running) != CURLM_OK)
			break;
		if (running && curl_multi_poll(m, NULL, 0, 1000, NULL) !=
		    CURLM_OK)
			break;
	} while (running);
	while ((msg = curl_multi_info_read(m, &left)) != NULL) {
		struct fanout_req *q;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
		    (char **)&q);
		curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE,
		    &q->status);
		if (msg->data.result != CURLE_OK) {
			if (!q->failed)
				errbuf_set(q->err, "%s: %s", q->url,
				    curl_easy_strerror(msg->data.result));
			q->failed = 1;
		}
	}
out:
	for (size_t i = 0; easy && i < n; i++) {
		if (easy[i] != NULL) {
			curl_multi_remove_handle(m, easy[i]);
			curl_easy_cleanup(easy[i]);
		}
		if (hl)
			curl_slist_free_all(hl[i]);
	}
	free(easy);
	free(hl);
	curl_multi_cleanup(m);
	return rc;
}
