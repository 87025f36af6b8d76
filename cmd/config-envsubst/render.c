#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/errbuf.h"
#include "base/io.h"
#include "render.h"

static int
is_gzip(const struct buf *b)
{
	return b->len >= 3 && (unsigned char)b->data[0] == 0x1f &&
	    (unsigned char)b->data[1] == 0x8b && b->data[2] == 0x08;
}

static int
gunzip(const struct buf *in, struct buf *out, const char *path, char *err)
{
	z_stream z;
	int zr;

	memset(&z, 0, sizeof(z));
	/* 16 + MAX_WBITS: expect a gzip header, not a raw zlib stream. */
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return errbuf_set(err, "%s: gzip: out of memory", path);
	z.next_in = (unsigned char *)in->data;
	z.avail_in = (unsigned)in->len;
	do {
		if (buf_grow(out, 65536) == -1) {
			inflateEnd(&z);
			if (errno == ENOBUFS)
				return errbuf_set(err, "%s: larger than %u "
				    "bytes once decompressed", path, RENDER_MAX);
			return errbuf_sys(err, "%s", path);
		}
		z.next_out = (unsigned char *)out->data + out->len;
		z.avail_out = 65536;
		zr = inflate(&z, Z_NO_FLUSH);
		out->len += 65536 - z.avail_out;
		out->data[out->len] = '\0';
		if (zr != Z_OK && zr != Z_STREAM_END) {
			errbuf_set(err, "%s: gzip: %s", path,
			    z.msg ? z.msg : "corrupt or truncated data");
			inflateEnd(&z);
			return -1;
		}
		if (zr == Z_OK && z.avail_in == 0 && z.avail_out != 0) {
			inflateEnd(&z);
			return errbuf_set(err, "%s: gzip: truncated data",
			    path);
		}
	} while (zr != Z_STREAM_END);
	inflateEnd(&z);
	return 0;
}

int
render_load(const char *path, struct buf *out, char *err)
{
	struct buf raw = BUF_INIT(RENDER_MAX);
	int r;

	if (io_read_file(path, &raw, err) == -1) {
		buf_release(&raw);
		return -1;
	}
	buf_reset(out);
	if (is_gzip(&raw)) {
		r = gunzip(&raw, out, path, err);
		buf_release(&raw);
		return r;
	}
	buf_release(out);
	*out = raw;
	return 0;
}

static int
is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

int
render_envsubst(const char *in, size_t n, const char *name, struct buf *out,
    char *err)
{
	const char *p = in, *end = in + n, *q, *val;
	size_t line = 1;
	char var[256];

	buf_reset(out);
	while (p < end) {
		if (*p == '\n')
			line++;
		if (p[0] != '$' || end - p < 4 || p[1] != '(') {
			if (buf_addch(out, *p++) == -1)
				goto nomem;
			continue;
		}
		for (q = p + 2; q < end && is_name_char(*q); q++)
			;
		if (q == p + 2 || q == end || *q != ')') {
			/* Not a reference: "$(" is plain text. */
			if (buf_add(out, p, 2) == -1)
				goto nomem;
			p += 2;
			continue;
		}
		if ((size_t)(q - p - 2) >= sizeof(var))
			return errbuf_set(err, "%s:%zu: environment variable "
			    "name longer than %zu bytes", name, line,
			    sizeof(var) - 1);
		memcpy(var, p + 2, (size_t)(q - p - 2));
		var[q - p - 2] = '\0';
		if ((val = getenv(var)) == NULL)
			return errbuf_set(err, "%s:%zu: environment variable "
			    "\"%s\" is not set", name, line, var);
		if (buf_addstr(out, val) == -1)
			goto nomem;
		p = q + 1;
	}
	if (buf_add(out, "", 0) == -1)
		goto nomem;
	return 0;
nomem:
	if (errno == ENOBUFS)
		return errbuf_set(err, "%s: rendered output larger than %zu "
		    "bytes", name, out->max);
	return errbuf_sys(err, "%s", name);
}
