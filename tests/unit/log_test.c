/*
 * log_test: logfmt_add's quoting and escapes, log_set_level's names, and
 * the lines log_write puts on stderr, caught by pointing fd 2 at a pipe
 * for the length of one call.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/errbuf.h"
#include "base/log.h"
#include "unit.h"

#define LINE_MAX_	16384	/* log_write's cap on one line */
#define HUGE		100000

static int cap_fd = -1, saved_fd = -1;
static char out[4 * LINE_MAX_];
static char huge[HUGE + 1];

/* Send fd 2 into a pipe until end_capture.  Lines here stay under the
 * pipe's 64 KiB, so log_write never blocks on it. */
static int
begin_capture(void)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	if ((saved_fd = dup(STDERR_FILENO)) == -1 ||
	    dup2(p[1], STDERR_FILENO) == -1) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	close(p[1]);
	cap_fd = p[0];
	return 0;
}

/* Put fd 2 back and read what was written into out; its length. */
static size_t
end_capture(void)
{
	size_t len = 0;
	ssize_t r;

	dup2(saved_fd, STDERR_FILENO);
	close(saved_fd);
	/* fd 2 was the pipe's last writer: read to end of file. */
	while (len < sizeof(out) - 1 &&
	    (r = read(cap_fd, out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)r;
	out[len] = '\0';
	close(cap_fd);
	cap_fd = saved_fd = -1;
	return len;
}

/* One pair alone, in fb (released at the end of test_quote). */
static struct buf fb = BUF_INIT(BUF_NOMAX);

static const char *
fmt1(const char *key, const char *value)
{
	buf_reset(&fb);
	if (logfmt_add(&fb, key, value) == -1)
		return NULL;
	return fb.data;
}

static void
test_quote(void)
{
	static const struct {
		const char	*v, *want;
	} v[] = {
		{ "plain", "k=plain" },
		{ "http://h:9090/api/v1", "k=http://h:9090/api/v1" },
		{ "h\xc3\xa9llo", "k=h\xc3\xa9llo" },	/* UTF-8 as is */
		{ "", "k=\"\"" },
		{ "a b", "k=\"a b\"" },
		{ " ", "k=\" \"" },
		{ "a=b", "k=\"a=b\"" },
		{ "=", "k=\"=\"" },
		{ "say \"hi\"", "k=\"say \\\"hi\\\"\"" },
		{ "C:\\dir", "k=\"C:\\\\dir\"" },
		{ "a\nb", "k=\"a\\nb\"" },
		{ "a\rb", "k=\"a\\rb\"" },
		{ "a\tb", "k=\"a\\tb\"" },
		{ "\x01", "k=\"\\u0001\"" },
		{ "x\x1b[0m", "k=\"x\\u001b[0m\"" },
		{ "\x1f", "k=\"\\u001f\"" },
		{ "del\x7f", "k=\"del\\u007f\"" },
	};
	struct buf b = BUF_INIT(BUF_NOMAX);

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		CHECK_STR(fmt1("k", v[i].v), v[i].want);
	CHECK_STR(fmt1("k", NULL), "k=\"\"");
	CHECK_STR(fmt1("level", "info"), "level=info");
	buf_release(&fb);

	/* Pairs after the first get one space before them. */
	CHECK_INT(logfmt_add(&b, "a", "1"), 0);
	CHECK_INT(logfmt_add(&b, "b", "x y"), 0);
	CHECK_INT(logfmt_add(&b, "c", NULL), 0);
	CHECK_STR(b.data, "a=1 b=\"x y\" c=\"\"");
	buf_release(&b);

	/* Over the buffer's cap: -1 with ENOBUFS. */
	buf_init(&b, 8);
	CHECK_INT(logfmt_add(&b, "key", "v"), 0);
	errno = 0;
	CHECK_INT(logfmt_add(&b, "key", "value"), -1);
	CHECK_INT(errno, ENOBUFS);
	CHECK(b.len <= 8);
	buf_release(&b);
	/* What fits of a value is kept, quoted or not: dropped whole, it
	 * would read as an empty value. */
	buf_init(&b, 8);
	errno = 0;
	CHECK_INT(logfmt_add(&b, "k", "abcdefghij"), -1);
	CHECK_INT(errno, ENOBUFS);
	CHECK_STR(b.data, "k=abcdef");
	buf_release(&b);
	buf_init(&b, 8);
	errno = 0;
	CHECK_INT(logfmt_add(&b, "k", "a b c d e"), -1);
	CHECK_INT(errno, ENOBUFS);
	CHECK_STR(b.data, "k=\"a b c");
	buf_release(&b);
	buf_init(&b, 8);
	errno = 0;
	CHECK_INT(logfmt_add(&b, "key", "a b c d e"), -1);
	CHECK_INT(errno, ENOBUFS);
	CHECK(b.len <= 8);
	buf_release(&b);
}

static void
test_level(void)
{
	static const char *const bad[] = {
		"", "INFO", "Info", "warning", "err", "debugx", "info ",
		"trace", "fatal",
	};

	CHECK_INT(log_get_level(), LOG_INFO);	/* the default */
	CHECK_INT(log_set_level("debug"), 0);
	CHECK_INT(log_get_level(), LOG_DEBUG);
	CHECK_INT(log_set_level("warn"), 0);
	CHECK_INT(log_get_level(), LOG_WARN);
	CHECK_INT(log_set_level("error"), 0);
	CHECK_INT(log_get_level(), LOG_ERROR);
	CHECK_INT(log_set_level("info"), 0);
	CHECK_INT(log_get_level(), LOG_INFO);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_INT(log_set_level(bad[i]), -1);
		CHECK_INT(log_get_level(), LOG_INFO);
	}
}

/* "ts=YYYY-MM-DDTHH:MM:SS.mmmZ " at the start of s, between lo and hi. */
static int
good_ts(const char *s, int64_t lo, int64_t hi)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:dd.dddZ";
	char ts[sizeof(pat)], err[ERR_MAX];
	int64_t ms;

	if (strncmp(s, "ts=", 3) != 0)
		return 0;
	s += 3;
	for (size_t i = 0; i < sizeof(pat) - 1; i++)
		if (pat[i] == 'd' ? !isdigit((unsigned char)s[i]) :
		    s[i] != pat[i])
			return 0;
	if (s[sizeof(pat) - 1] != ' ')
		return 0;
	memcpy(ts, s, sizeof(pat) - 1);
	ts[sizeof(pat) - 1] = '\0';
	if (clock_parse_time(ts, &ms, err) == -1)
		return 0;
	return ms >= lo && ms <= hi;
}

static void
test_write(void)
{
	static const char tail[] = " level=info msg=\"reload done\" "
	    "url=http://h/x n=3 empty=\"\" why=\"a=b\"\n";
	int64_t t0, t1;
	size_t len;
	char *nl;

	t0 = clock_real_ms();
	if (begin_capture() == -1) {
		CHECK(!"capture stderr");
		return;
	}
	log_info("reload done", "url", "http://h/x", "n", "3",
	    "empty", (const char *)NULL, "why", "a=b");
	len = end_capture();
	t1 = clock_real_ms();
	CHECK(good_ts(out, t0, t1));
	CHECK_INT(len, 3 + 24 + strlen(tail));
	CHECK_STR(len > 27 ? out + 27 : "", tail);

	/* No pairs at all, and a message that needs no quotes. */
	if (begin_capture() == -1)
		return;
	log_error("boom");
	len = end_capture();
	CHECK(good_ts(out, t0, clock_real_ms()));
	CHECK_STR(len > 27 ? out + 27 : "", " level=error msg=boom\n");

	/* Below the level: nothing at all.  At or above: one line each. */
	CHECK_INT(log_set_level("warn"), 0);
	if (begin_capture() == -1)
		return;
	log_debug("d");
	log_info("i", "k", "v");
	log_warn("w");
	log_error("e");
	len = end_capture();
	CHECK(strstr(out, "msg=d") == NULL);
	CHECK(strstr(out, "msg=i") == NULL);
	CHECK((nl = strchr(out, '\n')) != NULL);
	CHECK(strstr(out, " level=warn msg=w\n") == out + 27);
	if (nl != NULL) {
		CHECK(good_ts(nl + 1, t0, clock_real_ms()));
		CHECK_STR(nl + 1 + 27, " level=error msg=e\n");
	}
	CHECK_INT(log_set_level("debug"), 0);
	if (begin_capture() == -1)
		return;
	log_debug("d");
	len = end_capture();
	CHECK_STR(len > 27 ? out + 27 : "", " level=debug msg=d\n");
	CHECK_INT(log_set_level("info"), 0);
}

/* Count of c in the len bytes at s. */
static size_t
count(const char *s, size_t len, char c)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += s[i] == c;
	return n;
}

static void
test_huge(void)
{
	size_t len;

	/* A value that needs no quotes: cut, not dropped, and nothing
	 * after it pretends the line is whole. */
	memset(huge, 'x', HUGE);
	if (begin_capture() == -1)
		return;
	log_info("big", "v", huge, "after", "1");
	len = end_capture();
	CHECK(len > 0 && len <= LINE_MAX_);
	CHECK_INT(len, LINE_MAX_);
	CHECK(len > 0 && out[len - 1] == '\n');
	CHECK_INT(count(out, len, '\n'), 1);
	CHECK(strstr(out, " level=info msg=big v=xxxxxxxxxxxxxxxx") != NULL);
	CHECK(strstr(out, "after=") == NULL);

	/* A value that needs quotes is cut the same way. */
	for (size_t i = 0; i < HUGE; i++)
		huge[i] = i % 2 ? ' ' : 'a';
	if (begin_capture() == -1)
		return;
	log_warn("big", "v", huge, "after", "1");
	len = end_capture();
	CHECK_INT(len, LINE_MAX_);
	CHECK(len > 0 && out[len - 1] == '\n');
	CHECK_INT(count(out, len, '\n'), 1);
	CHECK(strstr(out, " level=warn msg=big v=\"a a a a a ") != NULL);
	CHECK(strstr(out, "after=") == NULL);

	/* Escapes count against the cap too. */
	memset(huge, '\n', HUGE);
	if (begin_capture() == -1)
		return;
	log_error("big", "v", huge);
	len = end_capture();
	CHECK_INT(len, LINE_MAX_);
	CHECK(len > 0 && out[len - 1] == '\n');
	CHECK_INT(count(out, len, '\n'), 1);

	/* The next line is whole again. */
	if (begin_capture() == -1)
		return;
	log_info("small", "k", "v");
	len = end_capture();
	CHECK_STR(len > 27 ? out + 27 : "", " level=info msg=small k=v\n");
}

int
main(void)
{
	test_quote();
	test_level();
	test_write();
	test_huge();
	return unit_done();
}
