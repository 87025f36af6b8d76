#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/errbuf.h"
#include "base/log.h"
#include "base/parse.h"
#include "base/sig.h"
#include "net/extlabels.h"
#include "promcheck.h"
#include "result.h"
#include "ship.h"
#include "tsdb/block.h"
#include "upload.h"

#define NO_LABELS "no external labels configured on Prometheus server, " \
	"uniquely identifying external labels must be configured; see " \
	"https://thanos.io/tip/thanos/storage.md#external-labels for details"

/* A block that failed and waits for its next try. */
struct retry {
	char		*path;
	unsigned	 attempts;
	int64_t		 due;		/* monotonic ms */
};

struct up {
	struct upload_config *c;
	struct buf	 in;		/* stdin bytes not yet taken */
	size_t		 off;		/* where the next line starts */
	size_t		 lineno;
	int		 eof;
	int		 stop;		/* a signal came */
	struct retry	*q;
	size_t		 nq;
	unsigned	 failed;	/* blocks given up for good */
};

static int
drain_signals(struct up *u, char *err)
{
	int sig;

	while ((sig = sig_next(u->c->sigfd)) > 0) {
		log_info("exiting", "signal", strsignal(sig));
		u->stop = 1;
	}
	if (sig == -1)
		return errbuf_sys(err, "signalfd");
	return 0;
}

/* The labels to ship with: Prometheus' current ones, or the last known
 * when it cannot be asked now (Thanos keeps its last ones too). */
static int
refresh_labels(struct up *u, char *err)
{
	struct extlabels now = EXTLABELS_INIT;
	char e[ERR_MAX];

	if (u->c->prom_url == NULL)
		return 0;
	if (extlabels_fetch(&now, u->c->prom_url, u->c->sigfd, e) == -1) {
		log_warn("cannot ask Prometheus for its external labels; "
		    "using the last ones", "err", e);
		return 0;
	}
	if (now.n == 0) {
		extlabels_release(&now);
		return errbuf_set(err, "%s", NO_LABELS);
	}
	if (!extlabels_equal(&now, &u->c->labels)) {
		struct buf b = BUF_INIT(BUF_NOMAX);

		if (extlabels_format(&now, &b) == 0)
			log_info("external labels changed", "url",
			    u->c->prom_url, "labels", b.data);
		buf_release(&b);
	}
	extlabels_release(&u->c->labels);
	u->c->labels = now;
	return 0;
}

/*
 * Before the first block, as Thanos' sidecar does: Prometheus' block
 * durations checked, then its labels, asked every 2 s until the ready
 * timeout.  1 when a signal came first.
 */
static int
first_labels(struct up *u, char *err)
{
	struct upload_config *c = u->c;
	struct pollfd p = { .fd = c->sigfd, .events = POLLIN };
	int64_t deadline = clock_mono_ms() + c->ready_timeout_ms;
	struct buf b = BUF_INIT(BUF_NOMAX);
	char e[ERR_MAX], t[PARSE_DURATION_MAX];
	int flags_ok = 0, rc;

	if (c->prom_url == NULL)
		return 0;
	for (;;) {
		if (!flags_ok && (rc = promcheck_flags(c->prom_url, c->sigfd,
		    c->ignore_unequal, e)) != 1) {
			if (rc == -1)
				return errbuf_set(err, "validate Prometheus "
				    "flags: %s", e);
			flags_ok = 1;
		}
		if (flags_ok && extlabels_fetch(&c->labels, c->prom_url,
		    c->sigfd, e) == 0) {
			if (c->labels.n == 0)
				return errbuf_set(err, "%s", NO_LABELS);
			if (extlabels_format(&c->labels, &b) == 0)
				log_info("external labels from Prometheus",
				    "url", c->prom_url, "labels", b.data);
			buf_release(&b);
			return 0;
		}
		if (clock_mono_ms() >= deadline) {
			parse_duration_format(c->ready_timeout_ms, t,
			    sizeof(t));
			return errbuf_set(err, "aborting as no external labels "
			    "found after waiting %s: %s", t, e);
		}
		log_warn("Prometheus not ready for its external labels; "
		    "retrying", "err", e);
		if (poll(&p, 1, UPLOAD_LABELS_RETRY_MS) > 0) {
			if (drain_signals(u, err) == -1)
				return -1;
			if (u->stop)
				return 1;
		}
	}
}

/* A line is a block dir: absolute, its last part a ULID, no '/' after. */
static int
check_line(const char *line, char *err)
{
	const char *slash = strrchr(line, '/');
	char q[PARSE_QUOTE_MAX];

	if (*line == '\0')
		return errbuf_set(err, "empty line");
	if (line[0] != '/' || slash == NULL || !tsdb_block_name(slash + 1))
		return errbuf_set(err, "'%s' is not a block directory (an "
		    "absolute path ending in a ULID)", parse_quote(line, q));
	return 0;
}

/* The next whole line of stdin, or NULL for none yet.  At EOF a last
 * line without its newline still counts. */
static char *
next_line(struct up *u, char *err, int *bad)
{
	char *start = u->in.data + u->off, *nl;
	size_t left = u->in.len - u->off;

	*bad = 0;
	if (left == 0)
		return NULL;
	if ((nl = memchr(start, '\n', left)) == NULL) {
		if (left > UPLOAD_LINE_MAX) {
			*bad = 1;
			errbuf_set(err, "<stdin>:%zu: line longer than %d "
			    "bytes", u->lineno + 1, UPLOAD_LINE_MAX);
			return NULL;
		}
		if (!u->eof)
			return NULL;
		nl = start + left;
		u->off = u->in.len;
	} else
		u->off += (size_t)(nl - start) + 1;
	*nl = '\0';
	u->lineno++;
	if (memchr(start, '\0', (size_t)(nl - start)) != NULL) {
		*bad = 1;
		errbuf_set(err, "<stdin>:%zu: a NUL byte", u->lineno);
		return NULL;
	}
	return start;
}

static int
read_stdin(struct up *u, char *err)
{
	char chunk[65536];
	ssize_t r;

	/* Keep the buffer small: drop what was taken. */
	if (u->off > 0) {
		memmove(u->in.data, u->in.data + u->off, u->in.len - u->off);
		u->in.len -= u->off;
		u->in.data[u->in.len] = '\0';
		u->off = 0;
	}
	/* poll said readable, so one read(2) does not block. */
	while ((r = read(STDIN_FILENO, chunk, sizeof(chunk))) == -1 &&
	    errno == EINTR)
		;
	if (r == -1)
		return errbuf_sys(err, "read <stdin>");
	if (r == 0) {
		u->eof = 1;
		return 0;
	}
	if (buf_add(&u->in, chunk, (size_t)r) == -1)
		return errbuf_sys(err, "read <stdin>");
	return 0;
}

static struct retry *
queued(struct up *u, const char *path)
{
	size_t i;

	for (i = 0; i < u->nq; i++)
		if (strcmp(u->q[i].path, path) == 0)
			return &u->q[i];
	return NULL;
}

static int
enqueue(struct up *u, const char *path, unsigned attempts, char *err)
{
	struct retry *v;

	if ((v = reallocarray(u->q, u->nq + 1, sizeof(*v))) == NULL)
		return errbuf_sys(err, "retry queue");
	u->q = v;
	if ((v[u->nq].path = strdup(path)) == NULL)
		return errbuf_sys(err, "retry queue");
	v[u->nq].attempts = attempts;
	v[u->nq].due = clock_mono_ms() + u->c->retry_ms;
	u->nq++;
	return 0;
}

static void
dequeue(struct up *u, size_t i)
{
	free(u->q[i].path);
	memmove(&u->q[i], &u->q[i + 1], (u->nq - i - 1) * sizeof(*u->q));
	u->nq--;
}

/* One attempt at path (its attempt-th), then the result line and the
 * log.  A failure worth retrying goes (back) into the queue. */
static int
attempt(struct up *u, const char *path, unsigned n, char *err)
{
	struct ship s = {
		.bucket = u->c->bucket, .labels = &u->c->labels,
		.shipper_file = u->c->shipper_file, .sigfd = u->c->sigfd,
	};
	struct ship_result r;
	int retry;

	memset(&r, 0, sizeof(r));
	if (refresh_labels(u, r.err) == -1) {
		const char *slash = strrchr(path, '/');

		r.status = SHIP_FAILED;
		snprintf(r.ulid, sizeof(r.ulid), "%s", slash + 1);
	} else
		ship_block(&s, path, &r);
	/* Forever while input is open (Thanos syncs until stopped); once
	 * it has ended, up to UPLOAD_EOF_ATTEMPTS tries in all. */
	retry = r.status == SHIP_FAILED &&
	    (!u->eof || n < UPLOAD_EOF_ATTEMPTS);
	if (result_print(&r, path, n, retry ? u->c->retry_ms : -1) == -1)
		return errbuf_sys(err, "write <stdout>");
	switch (r.status) {
	case SHIP_UPLOADED:
	case SHIP_EXISTS:
		log_info(r.status == SHIP_UPLOADED ? "uploaded" :
		    "in the bucket already; recorded", "block", path);
		return 0;
	case SHIP_ABORTED:
		log_warn("abandoned at a signal; it is uploaded again next "
		    "time", "block", path);
		return 0;
	case SHIP_GONE:
		log_error("block gone from disk before it was shipped",
		    "block", path, "err", r.err);
		u->failed++;
		return 0;
	case SHIP_FAILED:
		break;
	}
	log_error("upload failed", "block", path, "err", r.err);
	if (!retry) {
		u->failed++;
		return 0;
	}
	return enqueue(u, path, n, err);
}

static int
retry_due(struct up *u, char *err)
{
	struct retry r;
	size_t i;

	for (i = 0; i < u->nq; i++)
		if (clock_mono_ms() >= u->q[i].due)
			break;
	if (i == u->nq)
		return 0;
	r = u->q[i];
	u->q[i].path = NULL;
	dequeue(u, i);
	if (attempt(u, r.path, r.attempts + 1, err) == -1) {
		free(r.path);
		return -1;
	}
	free(r.path);
	return 1;
}

/* Wait up to ms (-1: forever) for a signal or stdin, and take what came
 * of either. */
static int
wait_input(struct up *u, int64_t ms, char *err)
{
	struct pollfd pfd[2] = {
		{ .fd = u->c->sigfd, .events = POLLIN },
		{ .fd = STDIN_FILENO, .events = POLLIN },
	};

	if (ms > 3600000)
		ms = 3600000;
	if (poll(pfd, u->eof ? 1 : 2, (int)ms) == -1 && errno != EINTR)
		return errbuf_sys(err, "poll");
	if (drain_signals(u, err) == -1)
		return -1;
	if (!u->stop && !u->eof && pfd[1].revents & (POLLIN | POLLHUP |
	    POLLERR) && read_stdin(u, err) == -1)
		return -1;
	return 0;
}

static int
loop(struct up *u, char *err)
{
	char *line, e[ERR_MAX];
	int64_t wait, now;
	size_t i;
	int bad, rc;

	for (;;) {
		/* What is there now, without waiting: retries that keep
		 * failing must not hide new lines, the end, or a signal. */
		if (wait_input(u, 0, err) == -1)
			return -1;
		if (u->stop)
			return 0;
		/* Older blocks first: due retries before new lines. */
		if ((rc = retry_due(u, err)) == -1)
			return -1;
		if (rc == 1)
			continue;
		if ((line = next_line(u, err, &bad)) != NULL) {
			if (check_line(line, e) == -1)
				return errbuf_set(err, "<stdin>:%zu: %s",
				    u->lineno, e);
			if (queued(u, line) == NULL &&
			    attempt(u, line, 1, err) == -1)
				return -1;
			continue;
		}
		if (bad)
			return -1;
		if (u->eof && u->nq == 0)
			return 0;
		wait = -1;
		now = clock_mono_ms();
		for (i = 0; i < u->nq; i++)
			if (wait < 0 || u->q[i].due - now < wait)
				wait = u->q[i].due > now ?
				    u->q[i].due - now : 0;
		if (wait_input(u, wait, err) == -1)
			return -1;
	}
}

int
upload_run(struct upload_config *c, char *err)
{
	struct up u = { .c = c, .in = BUF_INIT(BUF_NOMAX) };
	int rc;

	if ((rc = first_labels(&u, err)) == 0) {
		log_info("waiting for block lines on stdin");
		rc = loop(&u, err);
	} else if (rc == 1)
		rc = 0;
	while (u.nq > 0)
		dequeue(&u, u.nq - 1);
	free(u.q);
	buf_release(&u.in);
	if (rc == -1)
		return -1;
	if (u.stop)
		return 0;
	return u.failed > 0 ? 1 : 0;
}
