#!/usr/bin/env bash
# store-serve as a store gateway vs a Prometheus 2.42 holding the same
# blocks on local disk: 20+ blocks x 10,000 series (the project's own
# generator, imported by promtool; cached in bench/.cache/).
#
# 1. The same remote read requests (both response types) answered by
#    store-serve and by that Prometheus: median latency of each, ratio.
# 2. The same query_range requests to that Prometheus and to a second,
#    empty Prometheus whose remote_read points at store-serve.
# 3. Peak RSS (VmHWM) of store-serve and of the Prometheus with the data.
#
#	SERIES=10000 HOURS=40 STEP=60 RUNS=5 bench/store-serve.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/build/bin tools=$top/build/tools
series=${SERIES:-10000} hours=${HOURS:-40} step=${STEP:-60} runs=${RUNS:-5}
cache=$("$top/scripts/bench-blocks" "$series" "$hours" "$step")
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT

nblocks=$(ls -d "$cache"/01* | wc -l)

port() { "$tools/freeport"; }
wait_ready() {
	for _ in $(seq 600); do curl -sf "$1/-/ready" >/dev/null && return 0; sleep 0.1; done
	echo "bench: $1 never became ready" >&2
	return 1
}

# The Prometheus with the data: a copy, as it compacts and writes.
cp -r "$cache" "$tmp/promdata"
: >"$tmp/empty.yml"
pp=$(port) sp=$(port) rp=$(port)
prometheus --config.file="$tmp/empty.yml" --storage.tsdb.path="$tmp/promdata" \
	--storage.tsdb.retention.time=100y --web.listen-address="127.0.0.1:$pp" \
	>"$tmp/prom.log" 2>&1 &
pids+=($!)
prom_pid=$!
"$bin/store-serve" --bucket="$cache" --http-address="127.0.0.1:$sp" \
	--data-dir="$tmp/data" 2>"$tmp/store.log" &
pids+=($!)
store_pid=$!
printf 'remote_read:\n  - url: http://127.0.0.1:%s/api/v1/read\n    read_recent: true\n' "$sp" >"$tmp/reader.yml"
prometheus --config.file="$tmp/reader.yml" --storage.tsdb.path="$tmp/reader" \
	--web.listen-address="127.0.0.1:$rp" >"$tmp/reader.log" 2>&1 &
pids+=($!)
P=http://127.0.0.1:$pp S=http://127.0.0.1:$sp R=http://127.0.0.1:$rp
wait_ready "$P"
wait_ready "$S"
wait_ready "$R"

# median_ms CMD...: median wall time of RUNS runs, in ms.
median_ms() {
	local i t
	for i in $(seq "$runs"); do
		t=$(date +%s%N)
		"$@" >/dev/null
		echo $(( ($(date +%s%N) - t) / 1000000 ))
	done | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

start=1700000000
end=$((start + hours * 3600))
echo "store-serve vs Prometheus 2.42 on the same $nblocks blocks ($series series, ${hours}h at ${step}s)"
echo "  remote read, same request to both, raw response (median of $runs, ms):"
printf '    %-52s %8s %8s %6s\n' request prometheus store ratio
for sel in 'app_1_requests_total' '{job="api",__name__=~"app_[0-4].*"}' \
	'app_5_temperature{instance="host-1:9100"}'; do
	for t in samples chunks; do
		a=$(median_ms "$tools/remote-read" "$P/api/v1/read" --raw --type=$t --match="$sel" \
			--start=$((start * 1000)) --end=$((end * 1000)))
		b=$(median_ms "$tools/remote-read" "$S/api/v1/read" --raw --type=$t --match="$sel" \
			--start=$((start * 1000)) --end=$((end * 1000)))
		printf '    %-52s %8d %8d %5.1fx\n' "$sel ($t)" "$a" "$b" \
			"$(awk -v a="$a" -v b="$b" 'BEGIN { print a / (b > 0 ? b : 1) }')"
	done
done
echo "  query_range over ${hours}h, step 5m (median of $runs, ms): local Prometheus vs Prometheus reading store-serve"
printf '    %-52s %8s %8s %6s\n' query local remote ratio
q() { curl -sf --data-urlencode "query=$2" -d start="$start" -d end="$end" -d step=300 "$1/api/v1/query_range"; }
for expr in 'sum by (job) (rate(app_1_requests_total[10m]))' \
	'max_over_time(app_5_temperature{instance=~"host-1.*"}[30m])' \
	'count(app_7_temperature > 0)'; do
	a=$(median_ms q "$P" "$expr")
	b=$(median_ms q "$R" "$expr")
	printf '    %-52s %8d %8d %5.1fx\n' "$expr" "$a" "$b" \
		"$(awk -v a="$a" -v b="$b" 'BEGIN { print a / (b > 0 ? b : 1) }')"
done
# The same range queries (series selectors) answered by query-merge with
# store-serve as its only store: the whole path strata's own.
qp=$(port)
"$bin/query-merge" --store="$S" --http-address="127.0.0.1:$qp" 2>"$tmp/qm.log" &
pids+=($!)
Q=http://127.0.0.1:$qp
wait_ready "$Q"
echo "  query_range over ${hours}h, step 5m (median of $runs, ms): local Prometheus vs query-merge over store-serve"
printf '    %-52s %8s %8s %6s\n' query local strata ratio
for expr in 'app_1_requests_total' '{job="api",__name__=~"app_[0-4].*"}' \
	'app_5_temperature{instance="host-1:9100"}'; do
	a=$(median_ms q "$P" "$expr")
	b=$(median_ms q "$Q" "$expr")
	printf '    %-52s %8d %8d %5.1fx\n' "$expr" "$a" "$b" \
		"$(awk -v a="$a" -v b="$b" 'BEGIN { print a / (b > 0 ? b : 1) }')"
done
hwm() { awk '/VmHWM/ { print $2 }' "/proc/$1/status"; }
# Resident now, split: anonymous memory is the process's own; file pages
# are the memory-mapped blocks, the kernel's page cache (evictable).
split_rss() { awk '/^RssAnon|^RssFile/ { printf "%s %s KiB  ", $1, $2 }' "/proc/$1/status"; }
ps=$(hwm "$prom_pid") ss=$(hwm "$store_pid")
echo "  peak RSS: prometheus $ps KiB, store-serve $ss KiB: store-serve uses $(awk -v a="$ps" -v b="$ss" 'BEGIN { printf "%.1f", a / b }')x less"
echo "  now: prometheus $(split_rss "$prom_pid")"
echo "       store-serve $(split_rss "$store_pid")"
# Memory against the number of blocks: bench/store-serve-memory.sh.
