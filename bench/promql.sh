#!/usr/bin/env bash
# PromQL: typical dashboard queries answered by query-merge (our engine,
# reading store-serve) and by a Prometheus 2.42 holding the same blocks on
# local disk, in one run: median latency of each, ratio, peak RSS.
# Blocks: 10,000 series x 40 h at 60 s (scripts/bench-blocks) and 200
# classic histograms (8 buckets each) over the first 6 h, both cached in
# bench/.cache/.
#
#	SERIES=10000 HOURS=40 STEP=60 RUNS=5 bench/promql.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/build/bin tools=$top/build/tools
series=${SERIES:-10000} hours=${HOURS:-40} step=${STEP:-60} runs=${RUNS:-5}
cache=$("$top/scripts/bench-blocks" "$series" "$hours" "$step")
start=1700000000
hist=$top/bench/.cache/hist-200-6-60
if [ ! -d "$hist" ]; then
	echo "  generating 200 histograms x 6h at 60s ..." >&2
	rm -rf "$hist.new" && mkdir -p "$hist.new"
	awk -v start=$start 'BEGIN {
		srand(5)
		n = split("0.005 0.01 0.025 0.05 0.1 0.25 0.5 +Inf", le, " ")
		print "# HELP rpc_seconds RPC latency.\n# TYPE rpc_seconds histogram"
		for (k = 0; k < 360; k++) for (s = 0; s < 200; s++) {
			t = start + k * 60 + s % 60
			obs = int(rand() * 50)
			for (o = 0; o < obs; o++) {
				x = rand() * rand() * 0.6
				sum[s] += x
				for (i = 1; i <= n; i++) if (le[i] == "+Inf" || x <= le[i] + 0) c[s, i]++
			}
			l = sprintf("job=\"%s\",instance=\"h%d\"", s % 4 ? "api" : "db", s)
			for (i = 1; i <= n; i++)
				printf "rpc_seconds_bucket{%s,le=\"%s\"} %d %d\n", l, le[i], c[s, i], t
			printf "rpc_seconds_sum{%s} %.6f %d\n", l, sum[s], t
			printf "rpc_seconds_count{%s} %d %d\n", l, c[s, n], t
		}
		print "# EOF"
	}' >"$hist.om"
	promtool tsdb create-blocks-from openmetrics -q "$hist.om" "$hist.new" >/dev/null
	rm -f "$hist.om"
	mv "$hist.new" "$hist"
fi
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

mkdir -p "$tmp/bucket" "$tmp/prom"
for b in "$cache"/01* "$hist"/01*; do
	cp -al "$b" "$tmp/bucket/"
	cp -r "$b" "$tmp/prom/"
done
: >"$tmp/empty.yml"
pp=$(port) sp=$(port) qp=$(port)
prometheus --config.file="$tmp/empty.yml" --storage.tsdb.path="$tmp/prom" \
	--storage.tsdb.retention.time=100y --web.listen-address="127.0.0.1:$pp" \
	>"$tmp/prom.log" 2>&1 &
pids+=($!)
prom_pid=$!
"$bin/store-serve" --bucket="$tmp/bucket" --http-address="127.0.0.1:$sp" \
	--data-dir="$tmp/data" 2>"$tmp/store.log" &
pids+=($!)
store_pid=$!
P=http://127.0.0.1:$pp S=http://127.0.0.1:$sp Q=http://127.0.0.1:$qp
wait_ready "$P"
wait_ready "$S"
"$bin/query-merge" --store="$S" --http-address="127.0.0.1:$qp" 2>"$tmp/qm.log" &
pids+=($!)
qm_pid=$!
wait_ready "$Q"

median_ms() {
	local i t
	for i in $(seq "$runs"); do
		t=$(date +%s%N)
		"$@" >/dev/null
		echo $(( ($(date +%s%N) - t) / 1000000 ))
	done | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}
end=$((start + 6 * 3600))
q() { curl -sf --data-urlencode "query=$2" -d start="$start" -d end="$end" -d step=60 "$1/api/v1/query_range"; }
echo "PromQL: query-merge over store-serve vs Prometheus 2.42 from local disk"
echo "  query_range over 6h at step 60s (median of $runs, ms):"
printf '    %-70s %8s %8s %6s\n' query prometheus strata ratio
same=0 total=0
for expr in 'sum by (job) (rate(app_1_requests_total[5m]))' \
	'sum by (job, shard) (rate({__name__=~"app_[0-4]_requests_total"}[5m]))' \
	'topk(5, app_3_temperature)' \
	'avg_over_time(app_5_temperature{job="api"}[10m])' \
	'histogram_quantile(0.9, sum by (le, job) (rate(rpc_seconds_bucket[5m])))' \
	'sum(rate(rpc_seconds_sum[5m])) / sum(rate(rpc_seconds_count[5m]))'; do
	a=$(median_ms q "$P" "$expr")
	b=$(median_ms q "$Q" "$expr")
	printf '    %-70s %8d %8d %5.1fx\n' "$expr" "$a" "$b" \
		"$(awk -v a="$a" -v b="$b" 'BEGIN { print a / (b > 0 ? b : 1) }')"
	# The answers agree (values to 1e-9 relative).
	total=$((total + 1))
	if "$top/tests/promql/compare-results" <(q "$P" "$expr") <(q "$Q" "$expr") >/dev/null; then
		same=$((same + 1))
	fi
done
echo "  answers equal to Prometheus': $same of $total"
pa=$(hwm "$prom_pid") qm=$(hwm "$qm_pid") ss=$(hwm "$store_pid")
echo "  peak RSS: prometheus $pa KiB; query-merge $qm KiB + store-serve $ss KiB: $(awk -v a="$pa" -v b="$((qm + ss))" 'BEGIN { printf "%.1f", a / b }')x less"
