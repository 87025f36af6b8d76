#!/usr/bin/env bats
# promql-diff: the engine, as query-merge serves it over store-serve,
# against a real Prometheus 2.42 holding the same blocks.  Generated counters, gauges (with NaN, infinities, -0) and
# classic histograms go into blocks with promtool; Prometheus serves
# them, store-serve --once dumps them as series lines for promql-eval.
# Every query of tests/promql/diff-queries.txt is asked of both at three
# instants and over two ranges; the answers must match (same series,
# same timestamps, values within 1e-9), and almost all are byte for byte
# the same.

load helper

setup_file() {
	export D=$BATS_FILE_TMPDIR
	cd "$D"
	"$TOP/scripts/gen-openmetrics" 40 2 15 7 >g.om
	# Six classic histograms, cumulative buckets with a rare reset.
	awk -v start=1700000000 'BEGIN {
		srand(11)
		n = split("0.05 0.1 0.25 0.5 1 2.5 +Inf", le, " ")
		for (k = 0; k < 480; k++) for (s = 0; s < 6; s++) {
			t = start + k * 15 + s
			if (rand() < 0.003) {
				for (i = 1; i <= n; i++) c[s, i] = 0
				sum[s] = 0
			}
			obs = int(rand() * 20)
			for (o = 0; o < obs; o++) {
				x = rand() * rand() * 3
				sum[s] += x
				for (i = 1; i <= n; i++)
					if (le[i] == "+Inf" || x <= le[i] + 0) c[s, i]++
			}
			l = sprintf("job=\"%s\",instance=\"i%d\"", s % 2 ? "api" : "db", s)
			for (i = 1; i <= n; i++)
				printf "req_duration_seconds_bucket{%s,le=\"%s\"} %d %d\n", l, le[i], c[s, i], t
			printf "req_duration_seconds_sum{%s} %.6f %d\n", l, sum[s], t
			printf "req_duration_seconds_count{%s} %d %d\n", l, c[s, n], t
		}
	}' >h.om
	{ grep -v '^# EOF' g.om; cat h.om; echo '# EOF'; } >all.om
	make_blocks all.om B
	store-serve --once --bucket=B >series
	mkdir prom
	cp -r B/. prom
	: >empty.yml
	port=$(freeport)
	export PROM_URL=http://127.0.0.1:$port
	prometheus --config.file=empty.yml --storage.tsdb.path=prom \
		--storage.tsdb.retention.time=100y \
		--web.listen-address="127.0.0.1:$port" >prom.log 2>&1 3>&- &
	echo $! >"$D/prom.pid"
	wait_until 30 prometheus_ready
	# Ours: query-merge whose one store is store-serve over the blocks.
	port=$(freeport)
	store-serve --bucket=B --http-address="127.0.0.1:$port" --data-dir=sdata \
		2>store.log 3>&- &
	echo $! >>"$D/prom.pid"
	wait_until 30 curl -sf "http://127.0.0.1:$port/-/ready"
	qport=$(freeport)
	export QM_URL=http://127.0.0.1:$qport
	query-merge --store="http://127.0.0.1:$port" --http-address="127.0.0.1:$qport" \
		2>qm.log 3>&- &
	echo $! >>"$D/prom.pid"
	wait_until 30 curl -sf "$QM_URL/-/ready"
}

teardown_file() {
	local pid
	for pid in $(cat "$BATS_FILE_TMPDIR/prom.pid"); do
		kill "$pid" 2>/dev/null || true
	done
	for pid in $(cat "$BATS_FILE_TMPDIR/prom.pid"); do
		wait "$pid" 2>/dev/null || true
	done
}

# ask WHAT QUERY ARGS...: Prometheus' answer in want, ours in got.
ask() {
	local api=$1 q=$2
	shift 2
	curl -s "$PROM_URL/api/v1/$api" --data-urlencode "query=$q" \
		$(printf -- '--data-urlencode %s ' "$@") >"$D/want" || true
	{ curl -s "$QM_URL/api/v1/$api" --data-urlencode "query=$q" \
		$(printf -- '--data-urlencode %s ' "$@"); echo; } >"$D/got" || true
}

@test "diff-queries.txt: the same answers as Prometheus 2.42" {
	local q ord n=0 same=0 failed=0 out t
	while IFS= read -r q; do
		case $q in '#'*|'') continue ;; esac
		ord= ranges="60 137"
		case $q in
		'ordered '*) q=${q#ordered }; ord=--ordered ;;
		'instant '*) q=${q#instant }; ord=--ordered; ranges= ;;
		esac
		for t in 1700000050 1700003600 1700007190; do
			ask query "$q" "time=$t"
			n=$((n + 1))
			if ! out=$("$TOP/tests/promql/compare-results" "$D/want" "$D/got" $ord); then
				echo "instant $t: $q: $out"
				failed=$((failed + 1))
			fi
			[ "$out" != identical ] || same=$((same + 1))
		done
		for s in $ranges; do
			ask query_range "$q" start=1699999900 end=1700007300 "step=$s"
			n=$((n + 1))
			if ! out=$("$TOP/tests/promql/compare-results" "$D/want" "$D/got"); then
				echo "range step $s: $q: $out"
				failed=$((failed + 1))
			fi
			[ "$out" != identical ] || same=$((same + 1))
		done
	done <"$TOP/tests/promql/diff-queries.txt"
	echo "$n answers compared, $same byte for byte the same, $failed differ"
	[ "$n" -ge 500 ]
	[ "$failed" -eq 0 ]
	# Only the order of a few unordered vectors may differ (Prometheus
	# iterates a Go map in histogram_quantile).
	[ "$same" -ge $((n - 10)) ]
}

@test "bad-queries.txt: the same parse errors, message and position" {
	local q n=0 failed=0 want got
	while IFS= read -r q; do
		case $q in '# '*) [ $n -gt 0 ] || continue ;; esac
		n=$((n + 1))
		want=$(curl -s "$PROM_URL/api/v1/query_range" \
			--data-urlencode "query=$q" --data-urlencode start=0 \
			--data-urlencode end=10 --data-urlencode step=1 |
			jq -r '.error // "no error"')
		got=$("$STRATA_TOOLS/promql-eval" --start=0 --end=10 --step=1 \
			-- "$q" </dev/null | jq -r '.error // "no error"')
		if [ "$want" != "$got" ]; then
			printf '%s\n  want: %s\n  got:  %s\n' "$q" "$want" "$got"
			failed=$((failed + 1))
		fi
	done <"$TOP/tests/promql/bad-queries.txt"
	echo "$n queries, $failed differ"
	[ "$n" -ge 150 ]
	[ "$failed" -eq 0 ]
}

@test "errors: the same type and text as Prometheus (query_range)" {
	local q
	for q in 'foo +' 'sum(' '1 and 1' 'rate(x)' 'foo[5m]' '"s"' \
		'{__name__=~".+"} * on() app_0_requests_total' \
		'label_replace(app_4_temperature, "x", "$1", "job", "(.*")' \
		'holt_winters(app_4_temperature[5m], 1.5, 0.5)' \
		'count_values("1", app_9_temperature)' \
		'topk(NaN, app_4_temperature)'; do
		ask query_range "$q" start=1700000000 end=1700003600 step=60
		cat "$D/got"
		jq -e .error "$D/got" >/dev/null
		diff <(cat "$D/want"; echo) "$D/got"
	done
}
