/*
 * dedup-gen: series lines for bench/dedup-filter.sh, sorted as
 * dedup-filter wants them.
 *
 *	dedup-gen SERIES REPLICAS SAMPLES [values|chunks] [SEED]
 *
 * Half the series are counters (integers), half gauges with full-precision
 * values, as scripts/gen-openmetrics makes them: the digits store-serve
 * writes for the project's own test data.  Each replica scrapes every 15 s
 * with its own phase and 0-1.5 s of jitter; replica a is down for a while
 * in the first third (a staleness marker, then nothing), replica b in the
 * second, so that every group has gaps to fill.  Prints "<lines> lines
 * <samples> samples" on stderr at the end.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/labels.h"
#include "base/parse.h"
#include "series/jsonl.h"
#include "tsdb/xorchunk.h"

#define STEP_MS		15000
#define START_MS	1700000000000LL
#define STALE_BITS	JSONL_STALE_BITS
#define CHUNK		120

/* xorshift64*: deterministic and the same everywhere. */
static uint64_t rng = 88172645463325252ULL;

static uint64_t
rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static double
unit(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

static double
stale(void)
{
	uint64_t b = STALE_BITS;
	double v;

	memcpy(&v, &b, sizeof(v));
	return v;
}

int
main(int argc, char *argv[])
{
	struct buf line = BUF_INIT(BUF_NOMAX), chunk = BUF_INIT(BUF_NOMAX);
	struct labels l = LABELS_INIT;
	char inst[64], rep[8], e[ERR_MAX];
	uint64_t series, replicas, samples;
	int64_t *t;
	double *v;
	unsigned long long lines = 0, total = 0;
	int chunks = 0;

	if (argc < 4 || argc > 6)
		errx(2, "usage: dedup-gen SERIES REPLICAS SAMPLES "
		    "[values|chunks] [SEED]");
	if (parse_uint64(argv[1], 1, 10000000, &series, e) == -1 ||
	    parse_uint64(argv[2], 1, 26, &replicas, e) == -1 ||
	    parse_uint64(argv[3], 1, 10000000, &samples, e) == -1)
		errx(2, "%s", e);
	if (argc > 4)
		chunks = strcmp(argv[4], "chunks") == 0;
	if (argc > 5)
		rng += strtoull(argv[5], NULL, 10);
	if ((t = calloc(samples + 1, sizeof(*t))) == NULL ||
	    (v = calloc(samples + 1, sizeof(*v))) == NULL)
		err(1, "samples");
	for (uint64_t s = 0; s < series; s++) {
		int counter = s < series / 2;

		snprintf(inst, sizeof(inst), "host-%06llu:9100",
		    (unsigned long long)s);
		for (uint64_t r = 0; r < replicas; r++) {
			int64_t phase = (int64_t)(rnd() % STEP_MS);
			/* Down from samples/6 (replica a) or samples/2 (b)
			 * for 2% of the time plus up to 20 minutes. */
			size_t down = r == 0 ? samples / 6 : samples / 2 + r;
			size_t up = down + samples / 50 + rnd() % 80;
			double x = (double)(rnd() % 1000);
			size_t n = 0;

			for (size_t i = 0; i < samples; i++) {
				if (r < 2 && i > down && i < up)
					continue;
				t[n] = START_MS + (int64_t)i * STEP_MS + phase +
				    (int64_t)(rnd() % 1500);
				if (r < 2 && i == down)
					v[n] = stale();
				else if (counter)
					v[n] = x += (double)(rnd() % 100);
				else
					v[n] = (unit() - 0.5) * 200;
				n++;
			}
			labels_reset(&l);
			snprintf(rep, sizeof(rep), "%c", (char)('a' + r));
			labels_add(&l, STR("__name__"), counter ?
			    STR("app_requests_total") : STR("app_temperature"));
			labels_add(&l, STR("instance"), str_of(inst));
			labels_add(&l, STR("job"), STR("node"));
			labels_add(&l, STR("replica"), str_of(rep));
			buf_reset(&line);
			if (!chunks) {
				if (jsonl_add_values(&line, &l, t, v, n) == -1)
					err(1, "line");
			} else {
				int rc = jsonl_begin(&line, &l);

				for (size_t i = 0; i < n && rc == 0; i += CHUNK) {
					size_t end = i + CHUNK < n ? i + CHUNK : n, len;
					const unsigned char *p;
					struct xor_enc enc;

					buf_reset(&chunk);
					xor_enc_init(&enc, &chunk);
					for (size_t k = i; k < end && rc == 0; k++)
						rc = xor_enc_add(&enc, t[k], v[k]);
					if (rc == 0 && (p = xor_enc_finish(&enc,
					    &len)) != NULL)
						rc = jsonl_add_chunk(&line, i == 0,
						    t[i], t[end - 1], p, len);
				}
				if (rc != 0 || jsonl_end_chunks(&line) == -1)
					err(1, "line");
			}
			if (fwrite(line.data, 1, line.len, stdout) != line.len)
				err(1, "write <stdout>");
			lines++;
			total += n;
		}
	}
	free(t);
	free(v);
	labels_release(&l);
	buf_release(&line);
	buf_release(&chunk);
	/* For the bench: what it made, on stderr. */
	fprintf(stderr, "%llu lines %llu samples\n", lines, total);
	return fclose(stdout) == 0 ? 0 : 1;
}
