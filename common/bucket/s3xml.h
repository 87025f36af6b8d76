/*
 * s3xml: just enough XML to read S3's answers: ListObjects (v1 and v2)
 * pages, <Error> documents, CreateMultipartUpload's UploadId.
 *
 * What always holds: the input is untrusted and need not be
 * NUL-terminated; nothing reads past len, nesting is capped at
 * S3XML_DEPTH, and a malformed document (unclosed or mismatched tags, an
 * unknown entity, a bad character reference) is an error, never a
 * guess.  Text comes back entity-decoded (&amp; &lt; &gt; &quot; &apos;
 * &#N; &#xN; as UTF-8) and CDATA taken as is; with EncodingType "url"
 * in a listing, names are also percent-decoded ('+' is a space), as S3
 * encodes them then.  Attributes, comments, processing instructions and
 * namespace prefixes are skipped.
 */
#ifndef BUCKET_S3XML_H
#define BUCKET_S3XML_H

#include <stddef.h>
#include <stdint.h>

#include "base/errbuf.h"
#include "bucket/bucket.h"

#define S3XML_DEPTH	16

enum s3xml_event {
	S3XML_START,	/* an element opens; text is "" */
	S3XML_END	/* it closes; text is its own character data */
};

/*
 * Called for each element with its path from the root, names joined by
 * '/' ("ListBucketResult/Contents/Key"), and for S3XML_END the decoded
 * text directly inside it (len bytes, NUL-terminated).  Return 0 to go
 * on, -1 to stop with err set.
 */
typedef int (*s3xml_fn)(void *arg, enum s3xml_event ev, const char *path,
    const char *text, size_t len, char err[ERR_MAX]);

/* Walk doc (len bytes).  0, or -1 with err ("xml: ..." or fn's). */
int	s3xml_walk(const char *doc, size_t len, s3xml_fn fn, void *arg,
	    char err[ERR_MAX]);

/* One page of a listing.  Names are full keys, decoded. */
struct s3xml_list {
	struct bucket_entry	*v;	/* objects and "dir/" prefixes */
	size_t			 n;
	int			 truncated;
	char			*next;	/* NextContinuationToken (v2), or
					   NextMarker / last key (v1) */
};

/* Parse a ListBucketResult into page (which is reset first; release it
 * with s3xml_list_release).  -1 with err on a malformed page. */
int	s3xml_list(const char *doc, size_t len, struct s3xml_list *page,
	    char err[ERR_MAX]);
void	s3xml_list_release(struct s3xml_list *page);

/*
 * The Code and Message of an <Error> document into code (ncode bytes)
 * and msg (nmsg bytes), cut to fit, "" when absent.  1 if doc is an
 * <Error> document, 0 if it is something else (or not XML at all).
 */
int	s3xml_error(const char *doc, size_t len, char *code, size_t ncode,
	    char *msg, size_t nmsg);

/* The UploadId of an InitiateMultipartUploadResult, as a new string;
 * NULL with err when there is none. */
char	*s3xml_upload_id(const char *doc, size_t len, char err[ERR_MAX]);

/* Percent-decode s in place ('+' is a space); -1 on a bad escape. */
int	s3xml_url_decode(char *s);

#endif
