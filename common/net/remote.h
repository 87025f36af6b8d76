/*
 * remote: Prometheus' remote-read protocol (POST /api/v1/read) as 2.42
 * speaks it, for both ends: request bodies, the SAMPLES response and
 * the STREAMED_XOR_CHUNKS frame stream (prometheus-formats.md section 6).
 *
 * A request is a snappy block (the block format, not the framed one) of
 * a ReadRequest: queries, each a closed millisecond range, label matchers
 * and optional hints, and the response types the client accepts, best
 * first.  A SAMPLES answer is one snappy block of a ReadResponse: per
 * query, in request order, its series with their samples.  A
 * STREAMED_XOR_CHUNKS answer is a sequence of frames
 *
 *	uvarint(size) | BE32 CRC32C(msg) | msg[size]
 *
 * each msg a ChunkedReadResponse holding one series (or a part of a long
 * one) with its raw XOR chunks, and the index of the query it answers.
 *
 * Invariants: protobuf-c and snappy stay inside remote.c; callers see our
 * structs (struct matcher, struct labels, arrays of t and v).  Everything
 * read from a peer is bounded: the request body and its decoded size,
 * each frame's size, and the memory protobuf-c may take to unpack a
 * message (8 times its size plus 1 MiB), so a small hostile message
 * cannot make a huge tree.  Decoders never read outside their input,
 * whatever the bytes.  Values travel as their 64 bits: NaN payloads
 * (the stale marker) survive both ways, -0.0 survives in chunks, and in
 * SAMPLES is written as Prometheus writes it: not at all, so it reads
 * back as +0.0 (proto3 omits a zero, and -0.0 == 0).  The encoders write
 * the message bytes 2.42 writes for the same data (snappy's compressed
 * form of them may differ from Go's; both read the same).  Nothing here
 * prints or exits.
 */
#ifndef NET_REMOTE_H
#define NET_REMOTE_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "base/labels.h"
#include "tsdb/matcher.h"

/* --- HTTP ---------------------------------------------------------------- */

#define REMOTE_PATH		"/api/v1/read"
#define REMOTE_VERSION		"0.1.0"
/* Request and SAMPLES response: Content-Type, with Content-Encoding
 * REMOTE_ENCODING.  Streamed responses: REMOTE_CT_STREAM and no
 * Content-Encoding.  A client tells them apart by Content-Type. */
#define REMOTE_CT_SAMPLES	"application/x-protobuf"
#define REMOTE_CT_STREAM	"application/x-streamed-protobuf; " \
				"proto=prometheus.ChunkedReadResponse"
#define REMOTE_ENCODING		"snappy"

/* The request headers Prometheus' client sends, as http_request.headers
 * takes them (NULL-terminated), with User-Agent "strata/<version>". */
extern const char *const remote_request_headers[];

/* --- limits -------------------------------------------------------------- */

/* Prometheus reads at most 32 MiB of request body, and we decode at most
 * as much. */
#define REMOTE_MAX_BODY		((size_t)32 << 20)
/* The server's frame budget (--storage.remote.read-max-bytes-in-frame). */
#define REMOTE_FRAME_BYTES	((size_t)1 << 20)
/* The client's cap on one frame (config.DefaultChunkedReadLimit). */
#define REMOTE_MAX_FRAME	((size_t)50000000)
/* The default cap on a decoded SAMPLES response. */
#define REMOTE_MAX_RESPONSE	((size_t)1 << 30)

/* --- the request --------------------------------------------------------- */

enum remote_type {
	REMOTE_SAMPLES = 0,
	REMOTE_STREAMED_XOR_CHUNKS = 1
};

/* Chunk.type of an XOR float chunk (2.42 also knows 0, unknown, and 2,
 * integer native histograms). */
#define REMOTE_CHUNK_XOR	1

/* What decoders return, and what 2.42 answers for each (see
 * remote_http_status). */
#define REMOTE_EBAD	(-1)	/* malformed input */
#define REMOTE_EQUERY	(-2)	/* a matcher that cannot be built */
#define REMOTE_ESYS	(-3)	/* out of memory: errno is set */

struct remote_hints {
	int64_t		 step_ms;
	char		*func;		/* owned; NULL when empty */
	int64_t		 start_ms, end_ms;
	char		**grouping;	/* owned, ngrouping strings */
	size_t		 ngrouping;
	int		 by;
	int64_t		 range_ms;
};

struct remote_query {
	int64_t			 start_ms, end_ms;	/* both inclusive */
	struct matcher		*matchers;	/* owned (matchers_free) */
	size_t			 nmatchers;
	int			 has_hints;
	struct remote_hints	 hints;
};

/*
 * A whole request.  It owns every pointer in it: remote_request_release
 * frees the queries, their matchers (with matchers_free), the hints and
 * the types.  types holds the accepted response types as sent, unknown
 * numbers included, so an error can name them.
 */
struct remote_request {
	struct remote_query	*queries;
	size_t			 nqueries;
	int32_t			*types;
	size_t			 ntypes;
	size_t			 qcap, tcap;	/* private */
};

#define REMOTE_REQUEST_INIT	{ NULL, 0, NULL, 0, 0, 0 }

void	remote_request_init(struct remote_request *rq);
void	remote_request_release(struct remote_request *rq);

/* Append a query over [start_ms, end_ms] with n matchers.  On success
 * the request owns m (an array matcher_parse_selector made, or NULL when
 * n is 0); on -1 (ENOMEM) m is still the caller's.  The query has no
 * hints: set them in rq->queries[rq->nqueries - 1] if wanted, from
 * malloc'd strings. */
int	remote_request_add_query(struct remote_request *rq, int64_t start_ms,
	    int64_t end_ms, struct matcher *m, size_t n);
/* Append an accepted response type.  -1 on ENOMEM. */
int	remote_request_add_type(struct remote_request *rq, int32_t type);

/*
 * Server side: decode a request body (len bytes, still snappy-compressed)
 * into rq, which must be empty (REMOTE_REQUEST_INIT or just released).
 * 0 on success.  Otherwise rq is left empty, err holds one line, and the
 * return says whose fault it was:
 *   REMOTE_EBAD	the body: too long, not snappy, decoding to more than
 *			REMOTE_MAX_BODY, not a ReadRequest, a label name
 *			holding a NUL byte;
 *   REMOTE_EQUERY	a matcher: an unknown type ("invalid matcher type",
 *			2.42's words) or a regex PCRE2 will not compile;
 *   REMOTE_ESYS	out of memory.
 */
int	remote_request_decode(struct remote_request *rq, const void *body,
	    size_t len, char *err);

/* The HTTP status 2.42 answers for a decoder's return: 400 for
 * REMOTE_EBAD (and for remote_request_pick_type's -1), 500 for
 * REMOTE_EQUERY and REMOTE_ESYS, 200 for 0. */
int	remote_http_status(int rc);

/* Client side: append the body for rq to out: the packed ReadRequest,
 * snappy-compressed.  -1 with err on ENOMEM, or ENOBUFS past out's cap. */
int	remote_request_encode(const struct remote_request *rq, struct buf *out,
	    char *err);

/*
 * Server side: the response type to answer with, as 2.42 picks it: the
 * first accepted type the server knows; SAMPLES when the list is empty.
 * -1 (HTTP 400) when none is known, with 2.42's message in err: "server
 * does not support any of the requested response types: [5]; supported:
 * map[SAMPLES:{} STREAMED_XOR_CHUNKS:{}]".
 */
int	remote_request_pick_type(const struct remote_request *rq,
	    enum remote_type *type, char *err);

/* --- SAMPLES ------------------------------------------------------------- */

/*
 * Server side: build a SAMPLES body (common/net/samplesenc.c).  For each
 * query of the request, in order: remote_samples_enc_query, then
 * remote_samples_enc_series for each of its series (sorted by labels, as
 * Prometheus sends them); then either remote_samples_enc_finish (the whole
 * body at once) or remote_samples_enc_next until it returns 0 (the body in
 * pieces of about 1 MiB, each freed from the encoder as it is handed
 * out).  A query with no series still needs its remote_samples_enc_query.
 * The body is compressed as it is built, so the encoder holds about the
 * compressed answer, never the message.  max caps the uncompressed
 * response (snappy itself stops at 4 GiB - 1); past it calls fail with
 * ENOBUFS.  All calls return 0 (next: 1 while more is to come), or -1
 * with errno (ENOBUFS, ENOMEM), after which only release is useful.  The
 * rest of the struct is private.
 */
struct remote_zpart {			/* one QueryResult */
	struct buf	 z;		/* its snappy elements */
	size_t		 len;		/* its uncompressed length */
};

struct remote_samples_enc {
	struct buf		 win;	/* bytes not yet compressed */
	struct buf		 ser;	/* one series, encoded */
	struct buf		 zscratch;
	struct remote_zpart	*parts;
	size_t			 nparts, cap;
	size_t			 total, max;	/* uncompressed bytes */
	int			 open;		/* the last part takes series */
	/* handing out */
	int			 started, ohead;
	size_t			 oi, ooff;
};

void	remote_samples_enc_init(struct remote_samples_enc *e, size_t max);
int	remote_samples_enc_query(struct remote_samples_enc *e);
/* One series: its labels (sorted) and n samples, t[i] with v[i].  The
 * arrays are only read during the call. */
int	remote_samples_enc_series(struct remote_samples_enc *e,
	    const struct labels *l, const int64_t *t, const double *v,
	    size_t n);
/* No more series: the last window is compressed and the building
 * buffers freed (next does it itself if needed). */
int	remote_samples_enc_close(struct remote_samples_enc *e);
/* Append the next piece of the snappy body to out: 1 if more follows. */
int	remote_samples_enc_next(struct remote_samples_enc *e,
	    struct buf *out);
/* Append the whole snappy body to out.  The encoder is empty afterwards
 * and can build another response. */
int	remote_samples_enc_finish(struct remote_samples_enc *e,
	    struct buf *out);
void	remote_samples_enc_release(struct remote_samples_enc *e);

/*
 * A decoded series, from either response type: labels, then samples
 * (SAMPLES) or chunks (STREAMED_XOR_CHUNKS).  Label strings and chunk
 * data point into the decoded message and live as long as it does.
 */
struct remote_chunk {
	int64_t			 mint, maxt;	/* closed range */
	int			 encoding;	/* REMOTE_CHUNK_XOR, ... */
	const unsigned char	*data;	/* BE16 count + bit stream */
	size_t			 len;
};

struct remote_series {
	struct labels		 labels;
	int64_t			*t;
	double			*v;
	size_t			 n;
	struct remote_chunk	*chunks;
	size_t			 nchunks;
};

struct remote_result {
	struct remote_series	*series;
	size_t			 nseries;
};

/* A decoded SAMPLES response; owns everything it points to. */
struct remote_response {
	struct remote_result	*results;	/* one per query */
	size_t			 nresults;
	void			*msg;		/* private */
};

#define REMOTE_RESPONSE_INIT	{ NULL, 0, NULL }

/*
 * Client side: decode a SAMPLES body (snappy block of a ReadResponse) into
 * r, which must be empty.  max caps the decoded size (0: REMOTE_MAX_RESPONSE).
 * 0, or REMOTE_EBAD / REMOTE_ESYS with err set and r empty.
 */
int	remote_samples_decode(struct remote_response *r, const void *body,
	    size_t len, size_t max, char *err);
void	remote_response_release(struct remote_response *r);

/* --- STREAMED_XOR_CHUNKS ------------------------------------------------- */

/*
 * Server side: frames of ChunkedReadResponse, appended to out whole, so
 * that at any return out holds only complete frames and can be sent.
 *
 * The split is 2.42's: one series per frame; a frame gets the series'
 * chunks in the order given until its budget is used up, the budget being
 * max_bytes minus the encoded size of the labels, less each chunk's
 * encoded size (Go's Size(): the message without its key and length); a
 * frame ends after the chunk that takes the budget to 0 or below, or with
 * the series.  So a frame may overshoot max_bytes by one chunk, a chunk
 * bigger than the budget still goes out (alone), and each frame of a
 * split series repeats the labels.  A series with no chunk sends nothing.
 *
 * Use: remote_frame_enc_series(query index, labels), then
 * remote_frame_enc_chunk for each chunk in time order, and
 * remote_frame_enc_end after the series (a new series also ends the
 * previous one).  Calls return 0 or -1 with errno: ENOMEM, ENOBUFS past
 * out's cap (out is then as before that frame, and the frame lost, so
 * treat it as fatal), or EINVAL for a chunk outside a series.  The rest
 * of the struct is private.
 */
struct remote_frame_enc {
	struct buf	*out;
	size_t		 max_bytes;
	int64_t		 query_index;
	struct buf	 labels;	/* the series' labels, packed */
	struct buf	 chunks;	/* chunks packed for the next frame */
	int64_t		 left;		/* budget left in that frame */
	size_t		 nchunks;
	size_t		 label_size;
	int		 open;
};

/* max_bytes 0: REMOTE_FRAME_BYTES.  out is borrowed. */
void	remote_frame_enc_init(struct remote_frame_enc *e, struct buf *out,
	    size_t max_bytes);
int	remote_frame_enc_series(struct remote_frame_enc *e,
	    int64_t query_index, const struct labels *l);
/* One chunk; data (len bytes, copied) is the chunk as stored, encoding
 * byte not included. */
int	remote_frame_enc_chunk(struct remote_frame_enc *e, int64_t mint,
	    int64_t maxt, int encoding, const void *data, size_t len);
int	remote_frame_enc_end(struct remote_frame_enc *e);
/* Samples as XOR chunks of at most 120 (Prometheus' chunk size), for a
 * series whose stored chunks cannot go out as they are.  scratch is the
 * caller's, reused between calls. */
int	remote_frame_enc_samples(struct remote_frame_enc *e, const int64_t *t,
	    const double *v, size_t n, struct buf *scratch);
void	remote_frame_enc_release(struct remote_frame_enc *e);

/* One decoded frame: the query it answers and its series (chunks only),
 * valid until the next remote_frame_dec_next or release. */
struct remote_frame {
	int64_t			 query_index;
	struct remote_series	*series;
	size_t			 nseries;
};

/*
 * Client side: read frames from a response body that arrives in pieces.
 * Feed bytes as they come, then call next until it returns 0; at the end
 * of the body, finish says whether a frame was cut short.  A frame over
 * max bytes, a bad size varint, a CRC mismatch or a message that is not a
 * ChunkedReadResponse is an error naming the frame and its offset in the
 * stream; after an error the reader stays failed.  A split series comes
 * as consecutive frames with the same query index and labels: joining
 * them is the caller's job.  The rest of the struct is private.
 */
struct remote_frame_dec {
	struct buf	 in;		/* bytes fed and not yet read */
	size_t		 off;		/* first unread byte of in */
	size_t		 max;
	uint64_t	 pos;		/* stream offset of in.data[off] */
	uint64_t	 nframes;	/* frames read */
	int		 failed;
	void		*msg;		/* the last frame's message */
	struct remote_series *series;
	size_t		 cap;
};

/* max 0: REMOTE_MAX_FRAME. */
void	remote_frame_dec_init(struct remote_frame_dec *d, size_t max);
/* Keep n more bytes of the stream.  -1 on ENOMEM.  Calling next until 0
 * before feeding again keeps at most one partial frame buffered. */
int	remote_frame_dec_feed(struct remote_frame_dec *d, const void *p,
	    size_t n);
/* 1 and the next frame in *f, 0 when the bytes fed end before the next
 * frame does, or REMOTE_EBAD / REMOTE_ESYS with err. */
int	remote_frame_dec_next(struct remote_frame_dec *d,
	    struct remote_frame *f, char *err);
/* The body has ended: 0 when it ended between frames, else REMOTE_EBAD
 * ("truncated frame ..."). */
int	remote_frame_dec_finish(struct remote_frame_dec *d, char *err);
void	remote_frame_dec_release(struct remote_frame_dec *d);

/* --- from chunks to samples ---------------------------------------------- */

/* Samples of one series: t[i], v[i], owned. */
struct remote_points {
	int64_t		*t;
	double		*v;
	size_t		 n, cap;
	int		 unsorted;	/* private */
};

#define REMOTE_POINTS_INIT	{ NULL, 0, 0, 0, 0 }

/*
 * Append the samples of n XOR chunks that fall in [mint, maxt], as their
 * exact bits.  Call it for every frame of a split series, then
 * remote_points_finish.  REMOTE_EBAD with err for a chunk that is not
 * XOR or does not decode (the points then hold what came before it),
 * REMOTE_ESYS on ENOMEM.
 */
int	remote_points_add_chunks(struct remote_points *p,
	    const struct remote_chunk *c, size_t n, int64_t mint, int64_t maxt,
	    char *err);
/* Put the points in time order, keeping the first of equal timestamps
 * (chunks may overlap: a block and the head, two replicas' blocks).
 * -1 on ENOMEM, the points then unchanged. */
int	remote_points_finish(struct remote_points *p);
void	remote_points_reset(struct remote_points *p);
void	remote_points_release(struct remote_points *p);

#endif
