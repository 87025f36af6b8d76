#!/usr/bin/env bash
# dedup-filter against jq on the same series lines: 2,000 series x 2
# replicas x 3,600 samples, 15 s apart with up to 1.5 s of jitter, each
# replica down for a while (bench/dedup-gen.c: half counters, half
# full-precision gauges), in the values form and in the chunks form.
# For each form: dedup-filter's wall time and CPU time (user + system,
# each the best of RUNS), input series/s and samples/s by both, peak RSS;
# then jq -c . over the same input (a JSON-lines processor doing nothing
# but parse and print) as the peer, and the ratios.  Last, whether the
# issue's target holds: 20 M samples/s on one core in the values form,
# by CPU time (on a machine shared with other work the wall clock also
# counts time spent waiting for a core; on an idle one the two agree).
#
#	SERIES=2000 REPLICAS=2 SAMPLES=3600 RUNS=5 JQ_RUNS=1 bench/dedup-filter.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
make -s -C "$top" build/bin/dedup-filter build/bench/dedup-gen
bin=$top/build/bin gen=$top/build/bench/dedup-gen
series=${SERIES:-2000} replicas=${REPLICAS:-2} samples=${SAMPLES:-3600}
runs=${RUNS:-5} jq_runs=${JQ_RUNS:-1}
target=20000000
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# best N IN CMD...: the best wall time (ns) and the best CPU time (ms,
# user + system) of N runs of CMD <IN >/dev/null, and the largest peak
# RSS (KiB), into best_ns, best_cpu and best_kib.
best() {
	local n=$1 in=$2 t0 t1 u s kib cpu
	shift 2
	best_ns= best_cpu= best_kib=0
	for _ in $(seq "$n"); do
		t0=$(date +%s%N)
		/usr/bin/time -f '%U %S %M' -o "$tmp/time" "$@" <"$in" >/dev/null
		t1=$(date +%s%N)
		read -r u s kib < <(tail -n 1 "$tmp/time")
		cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%d", (u + s) * 1000 + 0.5 }')
		if [ -z "$best_ns" ] || [ $((t1 - t0)) -lt "$best_ns" ]; then
			best_ns=$((t1 - t0))
		fi
		if [ -z "$best_cpu" ] || [ "$cpu" -lt "$best_cpu" ]; then
			best_cpu=$cpu
		fi
		if [ "$kib" -gt "$best_kib" ]; then best_kib=$kib; fi
	done
}

echo "dedup-filter vs jq -c .: $series series x $replicas replicas x $samples samples"
for form in values chunks; do
	"$gen" "$series" "$replicas" "$samples" "$form" >"$tmp/in" 2>"$tmp/count"
	read -r lines _ nsamples _ <"$tmp/count"
	mb=$(awk -v b="$(stat -c %s "$tmp/in")" 'BEGIN { printf "%.1f", b / 1e6 }')
	echo "  $form form: $lines lines, $nsamples samples, $mb MB"
	# The page cache holds the input before anything is timed.
	cat "$tmp/in" >/dev/null
	best "$runs" "$tmp/in" "$bin/dedup-filter" --query.replica-label=replica
	d_ns=$best_ns d_cpu=$best_cpu d_kib=$best_kib
	best "$jq_runs" "$tmp/in" jq -c .
	j_ns=$best_ns j_cpu=$best_cpu j_kib=$best_kib
	awk -v d="$d_ns" -v dc="$d_cpu" -v j="$j_ns" -v jc="$j_cpu" \
	    -v dk="$d_kib" -v jk="$j_kib" -v l="$lines" -v s="$nsamples" \
	    -v runs="$runs" -v jr="$jq_runs" '
	function row(name, ns, cpu, kib, n) {
		if (cpu < 1)
			cpu = 1
		printf "    %-13s wall %7.3f s %7.2f M samples/s %7.0f series/s | CPU %7.3f s %7.2f M samples/s %7.0f series/s | %6d KiB peak RSS (best of %d)\n", \
		    name, ns / 1e9, s / (ns / 1e9) / 1e6, l / (ns / 1e9), \
		    cpu / 1e3, s / (cpu / 1e3) / 1e6, l / (cpu / 1e3), kib, n
	}
	BEGIN {
		row("dedup-filter", d, dc, dk, runs)
		row("jq -c .", j, jc, jk, jr)
		printf "    ratio: dedup-filter %.1fx faster than jq by wall time, %.1fx by CPU time; %.2fx its peak RSS\n", \
		    j / d, jc / (dc < 1 ? 1 : dc), dk / jk
	}'
	if [ "$form" = values ]; then
		v_wall=$(awk -v d="$d_ns" -v s="$nsamples" 'BEGIN { printf "%.0f", s / (d / 1e9) }')
		v_cpu=$(awk -v c="$d_cpu" -v s="$nsamples" 'BEGIN { printf "%.0f", s / ((c < 1 ? 1 : c) / 1e3) }')
	fi
done
m() { awk -v r="$1" 'BEGIN { printf "%.2f M", r / 1e6 }'; }
if [ "$v_cpu" -ge "$target" ]; then verdict=met; else verdict="NOT met"; fi
echo "  target 20 M samples/s on one core (values form): $verdict: $(m "$v_cpu") samples per CPU second ($(m "$v_wall") per wall second)"
