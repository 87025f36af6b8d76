#!/usr/bin/env bash
# Per-block memory of store-serve: the anonymous resident memory (RssAnon:
# the process's own heap, not the memory-mapped blocks) of a store-serve
# serving a quarter of the blocks of a bucket, and of one serving all of
# them.  The difference over the difference in block count is what each
# loaded block costs at rest, mostly what its index reader keeps: the
# sampled symbol and postings offset tables.
#
# Two buckets: bench/store-serve.sh's (10,000 series, but only ~130
# distinct label values per block), and one where every series has its
# own label value (a pod or request id), so each block's index holds
# 10,000+ symbols and postings offset entries: the case where keeping a
# table entry per symbol would make memory grow with the series.
#
#	SERIES=10000 HOURS=40 bench/store-serve-memory.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${STRATA_BIN:-$top/build/bin} tools=${STRATA_TOOLS:-$top/build/tools}
series=${SERIES:-10000} hours=${HOURS:-40}
tmp=$(mktemp -d)
pid=
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

# hicard_blocks: print the directory of the high-cardinality blocks,
# made once by promtool and cached like scripts/bench-blocks does.
hicard_blocks() {
	local cache=$top/bench/.cache/hicard-$series-$hours
	if [ ! -d "$cache" ]; then
		echo "  generating $series unique series x ${hours}h ..." >&2
		rm -rf "$cache.new"
		mkdir -p "$cache.new"
		awk -v series="$series" -v hours="$hours" 'BEGIN {
			print "# TYPE job_info gauge"
			for (t = 0; t < hours * 3600; t += 1800)
				for (s = 0; s < series; s++)
					printf "job_info{id=\"%08x-%04d\",job=\"batch\"} %d %d\n", \
					    s * 2654435761 % 4294967296, s, s, 1700000000 + t
			print "# EOF"
		}' >"$cache.om"
		promtool tsdb create-blocks-from openmetrics -q "$cache.om" \
			"$cache.new" >/dev/null
		rm -f "$cache.om"
		mv "$cache.new" "$cache"
	fi
	echo "$cache"
}

wait_ready() {
	for _ in $(seq 600); do curl -sf "$1/-/ready" >/dev/null && return 0; sleep 0.1; done
	echo "bench: $1 never became ready" >&2
	return 1
}

# rss_anon BUCKET: RssAnon (KiB) of a store-serve over BUCKET, at rest
# after queries that touched every block's index.
rss_anon() {
	local port kib
	port=$("$tools/freeport")
	"$bin/store-serve" --bucket="$1" --http-address="127.0.0.1:$port" \
		--data-dir="$tmp/data" 2>"$tmp/store.log" &
	pid=$!
	wait_ready "http://127.0.0.1:$port"
	curl -sf "http://127.0.0.1:$port/api/v1/labels" >/dev/null
	curl -sf "http://127.0.0.1:$port/api/v1/label/job/values" >/dev/null
	kib=$(awk '/^RssAnon/ { print $2 }' "/proc/$pid/status")
	kill "$pid"
	wait "$pid" || true
	pid=
	echo "$kib"
}

# per_block CACHE: RssAnon over a quarter of its blocks and over all.
per_block() {
	local blocks nall nquarter q a d
	blocks=("$1"/01*)
	nall=${#blocks[@]}
	nquarter=$(( (nall + 3) / 4 ))
	# A directory bucket of the first quarter: copies, as a directory
	# bucket does not follow symbolic links.
	d=$(mktemp -d "$tmp/quarter.XXXXXX")
	cp -r "${blocks[@]:0:$nquarter}" "$d/"
	q=$(rss_anon "$d")
	a=$(rss_anon "$1")
	printf '    %2d blocks: %7d KiB RssAnon\n' "$nquarter" "$q"
	printf '    %2d blocks: %7d KiB RssAnon\n' "$nall" "$a"
	awk -v q="$q" -v a="$a" -v nq="$nquarter" -v na="$nall" 'BEGIN {
		printf "    per block: %.0f KiB\n", (a - q) / (na - nq)
	}'
}

low=$("$top/scripts/bench-blocks" "$series" "$hours" 60)
high=$(hicard_blocks)
echo "store-serve anonymous memory at rest, $series series per block"
echo "  few label values (bench/store-serve.sh's blocks):"
per_block "$low"
echo "  a label value per series:"
per_block "$high"
