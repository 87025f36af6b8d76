#!/usr/bin/env bash
# query-merge over two Prometheus replicas and a store-serve vs one of
# those Prometheus answering from its local data: the same raw range
# queries (series selectors) in one run, median latency and peak RSS as
# ratios.  The replicas hold the same blocks (the project's generator,
# imported by promtool, cached in bench/.cache/) under external labels
# replica=a and replica=b; the bucket holds them once more as replica a's
# history, so query-merge reads, merges and deduplicates three copies of
# every series and answers with one.
#
#	SERIES=10000 HOURS=40 STEP=60 RANGE=6 RUNS=5 bench/query-merge.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/build/bin tools=$top/build/tools
series=${SERIES:-10000} hours=${HOURS:-40} step=${STEP:-60} runs=${RUNS:-5}
range_h=${RANGE:-6}
cache=$("$top/scripts/bench-blocks" "$series" "$hours" "$step")
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT

port() { "$tools/freeport"; }
wait_ready() {
	for _ in $(seq 900); do curl -sf "$1/-/ready" >/dev/null && return 0; sleep 0.1; done
	echo "bench: $1 never became ready" >&2
	return 1
}
hwm() { awk '/VmHWM/ { print $2 }' "/proc/$1/status"; }

declare -A url pid
for r in a b; do
	cp -r "$cache" "$tmp/prom-$r"
	printf 'global:\n  external_labels: {replica: %s}\n' "$r" >"$tmp/$r.yml"
	p=$(port)
	prometheus --config.file="$tmp/$r.yml" --storage.tsdb.path="$tmp/prom-$r" \
		--storage.tsdb.retention.time=100y --web.listen-address="127.0.0.1:$p" \
		>"$tmp/prom-$r.log" 2>&1 &
	pids+=($!)
	pid[$r]=$!
	url[$r]=http://127.0.0.1:$p
done
mkdir -p "$tmp/bucket"
for b in "$cache"/01*; do
	cp -al "$b" "$tmp/bucket/"
	n=$tmp/bucket/$(basename "$b")
	jq '. + {thanos: {labels: {replica: "a"}, downsample: {resolution: 0}, source: "sidecar"}}' \
		"$b/meta.json" >"$n/meta.json.new"
	rm "$n/meta.json"
	mv "$n/meta.json.new" "$n/meta.json"
done
sp=$(port)
"$bin/store-serve" --bucket="$tmp/bucket" --http-address="127.0.0.1:$sp" \
	--data-dir="$tmp/data" 2>"$tmp/store.log" &
pids+=($!)
S=http://127.0.0.1:$sp
wait_ready "${url[a]}"
wait_ready "${url[b]}"
wait_ready "$S"
qp=$(port)
"$bin/query-merge" --store="${url[a]}" --store="${url[b]}" --store="$S" \
	--query.replica-label=replica --http-address="127.0.0.1:$qp" 2>"$tmp/qm.log" &
pids+=($!)
qm_pid=$!
Q=http://127.0.0.1:$qp
wait_ready "$Q"

median_ms() {
	local i t
	for i in $(seq "$runs"); do
		t=$(date +%s%N)
		"$@" >/dev/null
		echo $(( ($(date +%s%N) - t) / 1000000 ))
	done | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}
start=1700000000
end=$((start + range_h * 3600))
q() { curl -sf --data-urlencode "query=$2" -d start="$start" -d end="$end" -d step=60 "$1/api/v1/query_range"; }
echo "query-merge (2 replicas + store-serve, deduplicated) vs Prometheus 2.42 from local data"
echo "  $series series, range queries over ${range_h}h at step 60s (median of $runs, ms):"
printf '    %-44s %8s %8s %6s %8s\n' query prometheus merge ratio series
for sel in 'app_1_requests_total' '{job="api",__name__=~"app_[0-4].*"}' \
	'app_5_temperature{instance="host-1:9100"}'; do
	a=$(median_ms q "${url[a]}" "$sel")
	b=$(median_ms q "$Q" "$sel")
	n=$(q "$Q" "$sel" | jq '.data.result | length')
	printf '    %-44s %8d %8d %5.1fx %8s\n' "$sel" "$a" "$b" \
		"$(awk -v a="$a" -v b="$b" 'BEGIN { print a / (b > 0 ? b : 1) }')" "$n"
done
pa=$(hwm "${pid[a]}") qm=$(hwm "$qm_pid")
echo "  peak RSS: prometheus $pa KiB, query-merge $qm KiB: $(awk -v a="$pa" -v b="$qm" 'BEGIN { printf "%.1f", a / b }')x"
