/*
 * bucket-cli: one bucket operation per run through common/bucket, so the
 * bats tests can drive the bucket API against a real S3 server (moto)
 * and a directory, and cross-check with awscli.
 *
 *	bucket-cli (--objstore.config-file=F | --bucket=URL) [--stats] CMD
 *	  put KEY FILE		upload FILE (streamed; multipart on S3)
 *	  putmem KEY FILE	read FILE into memory, then upload that
 *	  get KEY [OFF LEN]	whole object or a range to stdout (LEN "-":
 *				to the end)
 *	  getfile KEY PATH	download to PATH atomically
 *	  head KEY		"size=N mtime=T"
 *	  exists KEY		"1" or "0"
 *	  ls [-r] [-l] [PREFIX]	names (one level, or -r all), -l with sizes
 *	  rm KEY
 *	  fill PREFIX N		upload N small objects PREFIX/000000...
 *
 * Exit 0 ok, 1 failure, 2 usage, 3 not found (BUCKET_NOTFOUND).  With
 * --stats the operation counters go to stderr as "stats OP ops=N
 * failures=N bytes=N" lines.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "base/io.h"
#include "base/parse.h"
#include "bucket/bucket.h"
#include "bucket/objstore.h"
#include "net/http.h"

#define EXIT_USAGE	2
#define EXIT_NOTFOUND	3
#define GET_MAX		((size_t)2 << 30)

static const struct option longopts[] = {
	{ "bucket",		  required_argument, NULL, 'b' },
	{ "help",		  no_argument,	     NULL, 'h' },
	{ "objstore.config-file", required_argument, NULL, 'c' },
	{ "stats",		  no_argument,	     NULL, 's' },
	{ NULL, 0, NULL, 0 }
};

static void __attribute__((noreturn))
usage(FILE *fp, int status)
{
	fprintf(fp, "usage: %s (--objstore.config-file=F | --bucket=URL) "
	    "[--stats]\n"
	    "    put KEY FILE | putmem KEY FILE | get KEY [OFF LEN] |\n"
	    "    getfile KEY PATH | head KEY | exists KEY |\n"
	    "    ls [-r] [-l] [PREFIX] | rm KEY | fill PREFIX N\n",
	    program_invocation_short_name);
	exit(status);
}

static int
print_entry(void *arg, const struct bucket_entry *e, char err[ERR_MAX])
{
	int *lng = arg;

	(void)err;
	if (*lng)
		printf("%llu %s\n", (unsigned long long)e->size, e->name);
	else
		printf("%s\n", e->name);
	return 0;
}

static uint64_t
number(const char *s, const char *what)
{
	char err[ERR_MAX];
	uint64_t v;

	if (strcmp(s, "-") == 0)
		return BUCKET_TO_END;
	if (parse_uint64(s, 0, UINT64_MAX - 1, &v, err) == -1)
		errx(EXIT_USAGE, "%s: %s", what, err);
	return v;
}

static void
stats(struct bucket *b)
{
	struct bucket_stats st;
	int i;

	bucket_stats_read(b, &st);
	for (i = 0; i < BUCKET_OP_N; i++)
		if (st.ops[i] > 0)
			fprintf(stderr, "stats %s ops=%llu failures=%llu "
			    "bytes=%llu\n", bucket_op_name((enum bucket_op)i),
			    (unsigned long long)st.ops[i],
			    (unsigned long long)st.failures[i],
			    (unsigned long long)st.bytes[i]);
}

static int
run(struct bucket *b, int argc, char *argv[], char *err)
{
	struct buf data = BUF_INIT(GET_MAX);
	struct bucket_attr attr;
	const char *cmd = argv[0];
	char key[64];
	uint64_t n, i;
	int rc = -1, lng = 0, recursive = 0, ch;

	if (strcmp(cmd, "put") == 0 && argc == 3)
		return bucket_put_file(b, argv[1], argv[2], err);
	if (strcmp(cmd, "putmem") == 0 && argc == 3) {
		if (io_read_file(argv[2], &data, err) == 0)
			rc = bucket_put(b, argv[1], data.data, data.len, err);
		buf_release(&data);
		return rc;
	}
	if (strcmp(cmd, "get") == 0 && (argc == 2 || argc == 4)) {
		if (argc == 2)
			rc = bucket_get(b, argv[1], &data, err);
		else
			rc = bucket_get_range(b, argv[1],
			    number(argv[2], "offset"), number(argv[3],
			    "length"), &data, err);
		if (rc == 0 && fwrite(data.data, 1, data.len, stdout) !=
		    data.len)
			rc = errbuf_sys(err, "write <stdout>");
		buf_release(&data);
		return rc;
	}
	if (strcmp(cmd, "getfile") == 0 && argc == 3)
		return bucket_get_file(b, argv[1], argv[2], err);
	if (strcmp(cmd, "head") == 0 && argc == 2) {
		if ((rc = bucket_head(b, argv[1], &attr, err)) == 0)
			printf("size=%llu mtime=%lld\n",
			    (unsigned long long)attr.size,
			    (long long)attr.mtime);
		return rc;
	}
	if (strcmp(cmd, "exists") == 0 && argc == 2) {
		if ((rc = bucket_exists(b, argv[1], err)) < 0)
			return rc;
		printf("%d\n", rc);
		return 0;
	}
	if (strcmp(cmd, "rm") == 0 && argc == 2)
		return bucket_delete(b, argv[1], err);
	if (strcmp(cmd, "fill") == 0 && argc == 3) {
		n = number(argv[2], "count");
		for (i = 0; i < n; i++) {
			snprintf(key, sizeof(key), "%06llu",
			    (unsigned long long)i);
			buf_reset(&data);
			if (buf_addf(&data, "%s/%s", argv[1], key) == -1)
				return errbuf_sys(err, "fill");
			if (bucket_put(b, data.data, key, strlen(key),
			    err) < 0) {
				buf_release(&data);
				return -1;
			}
		}
		buf_release(&data);
		return 0;
	}
	if (strcmp(cmd, "ls") == 0) {
		optind = 1;
		while ((ch = getopt(argc, argv, "lr")) != -1) {
			if (ch == 'l')
				lng = 1;
			else if (ch == 'r')
				recursive = 1;
			else
				usage(stderr, EXIT_USAGE);
		}
		if (argc - optind > 1)
			usage(stderr, EXIT_USAGE);
		return bucket_list(b, optind < argc ? argv[optind] : "",
		    recursive ? 0 : '/', print_entry, &lng, err);
	}
	usage(stderr, EXIT_USAGE);
}

int
main(int argc, char *argv[])
{
	struct bucket *b;
	const char *config = NULL, *url = NULL;
	char err[ERR_MAX];
	int ch, rc, want_stats = 0;

	while ((ch = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'b':
			url = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		case 'h':
			usage(stdout, EXIT_SUCCESS);
		case 's':
			want_stats = 1;
			break;
		default:
			usage(stderr, EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || (config == NULL) == (url == NULL))
		usage(stderr, EXIT_USAGE);
	if (http_init(err) == -1)
		errx(EXIT_FAILURE, "%s", err);
	b = config ? bucket_open_config_file(config, err) :
	    bucket_open_url(url, err);
	if (b == NULL)
		errx(EXIT_FAILURE, "%s", err);
	rc = run(b, argc, argv, err);
	if (want_stats)
		stats(b);
	bucket_free(b);
	http_cleanup();
	if (rc < 0)
		errx(rc == BUCKET_NOTFOUND ? EXIT_NOTFOUND : EXIT_FAILURE,
		    "%s", err);
	return io_close_stdout() == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
