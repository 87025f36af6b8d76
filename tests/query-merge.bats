#!/usr/bin/env bats
# query-merge against real peers: two Prometheus 2.42 replicas on loopback
# (external labels replica=a and replica=b, scraping the same targets every
# second) and store-serve over a bucket holding each replica's own blocks
# (Prometheus' TSDB snapshots, with Thanos' external labels), so history
# and live data overlap with the very same samples, as a shipped block and
# its Prometheus do.

load helper

setup() {
	cd "$BATS_TEST_TMPDIR"
}

# replicas: start replica a and b (PA, PB, PROM_A, PROM_B, their PIDs and
# data dirs), both scraping both.
replicas() {
	PA=$(freeport) PB=$(freeport)
	for r in a b; do
		local port=$PA
		[ $r = b ] && port=$PB
		cat >"$BATS_TEST_TMPDIR/$r.yml" <<-EOF
		global:
		  scrape_interval: 1s
		  external_labels: {cluster: c1, replica: $r}
		scrape_configs:
		  - job_name: prom
		    static_configs: [{targets: ['127.0.0.1:$PA', '127.0.0.1:$PB']}]
		EOF
		start_replica $r $port
	done
	PROM_URL=$PROM_A wait_until 30 prometheus_ready
	PROM_URL=$PROM_B wait_until 30 prometheus_ready
}

# start_replica NAME PORT: (re)start one replica on its port and data dir.
start_replica() {
	local r=$1 port=$2
	mkdir -p "$BATS_TEST_TMPDIR/data-$r"
	bg prometheus --config.file="$BATS_TEST_TMPDIR/$r.yml" \
		--storage.tsdb.path="$BATS_TEST_TMPDIR/data-$r" \
		--web.listen-address="127.0.0.1:$port" --web.enable-admin-api \
		>>"$BATS_TEST_TMPDIR/prom-$r.log" 2>&1
	eval "PID_$r=\$(tail -n 1 \"\$BATS_TEST_TMPDIR/pids\")"
	eval "PROM_$(tr a-z A-Z <<<"$r")=http://127.0.0.1:$port"
}

# samples URL N: until the Prometheus at URL holds N samples of up.
has_samples() {
	local n
	n=$(curl -sf "$1/api/v1/query" --data-urlencode 'query=count_over_time(up[1h])' |
		jq '[.data.result[].value[1] | tonumber] | min // 0')
	[ "${n:-0}" -ge "$2" ]
}

# bucket: each replica's head as a block (TSDB snapshot) in a directory
# bucket with the replica's external labels, and store-serve over it
# (STORE).
bucket() {
	local r url dir b
	mkdir -p "$BATS_TEST_TMPDIR/bucket"
	for r in a b; do
		url=$PROM_A
		[ $r = b ] && url=$PROM_B
		dir=$(curl -sf -XPOST "$url/api/v1/admin/tsdb/snapshot?skip_head=false" | jq -r .data.name)
		for b in "$BATS_TEST_TMPDIR/data-$r/snapshots/$dir"/*/; do
			b=${b%/}
			jq --arg r $r '. + {thanos: {labels: {cluster: "c1", replica: $r}, downsample: {resolution: 0}, source: "sidecar"}}' \
				"$b/meta.json" >"$b/meta.json.new"
			mv "$b/meta.json.new" "$b/meta.json"
			cp -r "$b" "$BATS_TEST_TMPDIR/bucket/"
		done
	done
	local port
	port=$(freeport)
	STORE=http://127.0.0.1:$port
	bg store-serve --bucket="$BATS_TEST_TMPDIR/bucket" --http-address="127.0.0.1:$port" \
		--data-dir="$BATS_TEST_TMPDIR/store-data" 2>"$BATS_TEST_TMPDIR/store.log"
	wait_until 30 curl -sf "$STORE/-/ready"
}

# start_qm [ARGS...]: query-merge on a free port (QM).
start_qm() {
	local port
	port=$(freeport)
	QM=http://127.0.0.1:$port
	bg query-merge --http-address="127.0.0.1:$port" "$@" 2>>"$BATS_TEST_TMPDIR/qm.log"
	wait_until 30 curl -sf "$QM/-/ready"
}

fixture() {
	replicas
	wait_until 30 has_samples "$PROM_A" 4
	wait_until 30 has_samples "$PROM_B" 4
	bucket
	# Live data goes on past the snapshots.
	sleep 2
	STORES="--store=$PROM_A --store=$PROM_B --store=$STORE"
}

# check_series FILE [MAXGAP]: every series line has strictly increasing
# timestamps, none closer than half the 1 s interval (no doubled samples),
# and no hole over MAXGAP ms (1.5 intervals unless said).
check_series() {
	jq -e -s --argjson max "${2:-1500}" 'all(.[]; .timestamps as $t |
		all(range(1; $t | length); ($t[.] - $t[. - 1]) >= 500 and ($t[.] - $t[. - 1]) <= $max))' "$1"
}

@test "query-merge --once: one series per target deduplicated, one per replica without; history and live meet without doubled samples" {
	fixture
	snap_end=$(date +%s%3N)
	sleep 2
	# shellcheck disable=SC2086
	run -0 query-merge --once $STORES --query.replica-label=replica \
		--match='up{job="prom"}' --start=0
	echo "$output" >dedup.jsonl
	[ "$(wc -l <dedup.jsonl)" -eq 2 ]
	jq -e -s 'all(.[]; .metric.replica == null and .metric.cluster == "c1")' dedup.jsonl
	check_series dedup.jsonl
	# shellcheck disable=SC2086
	run -0 query-merge --once $STORES --query.replica-label=replica \
		--match='up{job="prom"}' --start=0 --no-dedup
	echo "$output" >raw.jsonl
	[ "$(wc -l <raw.jsonl)" -eq 4 ]
	# Each replica's series: its bucket samples and its live ones, each
	# once; past the snapshot as well as before it.  (A replica alone
	# may miss a scrape on a loaded machine: only doubling is checked.)
	check_series raw.jsonl 1000000
	jq -e -s --argjson e "$snap_end" 'all(.[]; .timestamps[-1] > $e)' raw.jsonl
	# The store alone holds the history, with the same timestamps as
	# the replica holds them.
	run -0 query-merge --once --store="$STORE" --no-dedup --match='up{job="prom"}' --start=0
	[ "$(wc -l <<<"$output")" -eq 4 ]
	for r in a b; do
		url=$PROM_A
		[ $r = b ] && url=$PROM_B
		hist=$(jq -c -s "map(select(.metric.replica == \"$r\")) | map(.timestamps) | add" <<<"$output")
		live=$(query-merge --once --store="$url" --match='up{job="prom"}' --start=0 |
			jq -c -s 'map(.timestamps) | add')
		jq -e -n --argjson h "$hist" --argjson l "$live" '($h - $l) == []'
	done
	# The filter in a pipe gives what query-merge's own dedup gives,
	# over a range that is over (live data no longer changes it).
	end=$(( $(date +%s) - 1 ))
	# shellcheck disable=SC2086
	query-merge --once $STORES --match='up{job="prom"}' --start=0 --end="$end" --no-dedup |
		dedup-filter --query.replica-label=replica >piped.jsonl
	# shellcheck disable=SC2086
	query-merge --once $STORES --query.replica-label=replica \
		--match='up{job="prom"}' --start=0 --end="$end" >direct.jsonl
	[ "$(wc -l <piped.jsonl)" -eq 2 ]
	diff piped.jsonl direct.jsonl
}

@test "query-merge serves the Prometheus API: query_range, query, series, labels, values, stores, export" {
	fixture
	# shellcheck disable=SC2086
	start_qm $STORES --query.replica-label=replica
	now=$(date +%s)
	run -0 curl -sf "$QM/api/v1/query_range" --data-urlencode 'query=up{job="prom"}' \
		-d start=$((now - 60)) -d end="$now" -d step=1
	[ "$(jq '.data.result | length' <<<"$output")" -eq 2 ]
	[ "$(jq -r .data.resultType <<<"$output")" = matrix ]
	jq -e '.data.result | all(.metric.replica == null)' <<<"$output"
	run -0 curl -sf "$QM/api/v1/query_range" --data-urlencode 'query=up{job="prom"}' \
		-d start=$((now - 60)) -d end="$now" -d step=1 -d dedup=false
	[ "$(jq '.data.result | length' <<<"$output")" -eq 4 ]
	run -0 curl -sf "$QM/api/v1/query" --data-urlencode 'query=up' -d time="$now"
	[ "$(jq -r .data.resultType <<<"$output")" = vector ]
	[ "$(jq '.data.result | length' <<<"$output")" -eq 2 ]
	jq -e '.data.result | all(.value[1] == "1")' <<<"$output"
	# replicaLabels[] per request: none given, nothing deduplicated.
	run -0 curl -sf "$QM/api/v1/query" --data-urlencode 'query=up' -d time="$now" \
		--data-urlencode 'replicaLabels[]=cluster'
	[ "$(jq '.data.result | length' <<<"$output")" -eq 4 ]
	run -0 curl -sf "$QM/api/v1/series" --data-urlencode 'match[]=up'
	[ "$(jq '.data | length' <<<"$output")" -eq 2 ]
	run -0 curl -sf "$QM/api/v1/labels" --data-urlencode 'match[]=up'
	[ "$(jq -c .data <<<"$output")" = '["__name__","cluster","instance","job"]' ]
	run -0 curl -sf "$QM/api/v1/label/replica/values?dedup=false"
	[ "$(jq -c .data <<<"$output")" = '["a","b"]' ]
	run -0 curl -sf "$QM/api/v1/label/instance/values"
	[ "$(jq -c .data <<<"$output")" = "$(jq -cn --arg a "127.0.0.1:$PA" --arg b "127.0.0.1:$PB" '[$a, $b] | sort')" ]
	# Thanos' stores shape: two Prometheus, one store, no errors.
	run -0 curl -sf "$QM/api/v1/stores"
	[ "$(jq '.data.prometheus | length' <<<"$output")" -eq 2 ]
	[ "$(jq '.data.store | length' <<<"$output")" -eq 1 ]
	jq -e '[.data[][] | .lastError] | all(. == null)' <<<"$output"
	jq -e '.data.store[0].labelSets | length == 2' <<<"$output"
	# Export: the same lines as --once.
	curl -sf "$QM/api/v1/export" --data-urlencode 'match[]=up{job="prom"}' \
		-d start=0 -d end="$now" >export.jsonl
	# shellcheck disable=SC2086
	query-merge --once $STORES --query.replica-label=replica \
		--match='up{job="prom"}' --start=0 --end="$now" >once.jsonl
	diff export.jsonl once.jsonl
	run -0 curl -sf "$QM/-/healthy"
	run -0 curl -sf "$QM/metrics"
	grep -q '^strata_build_info' <<<"$output"
}

@test "query-merge answers PromQL over the replicas and the bucket; promtool query works against it" {
	fixture
	# shellcheck disable=SC2086
	start_qm $STORES --query.replica-label=replica
	now=$(date +%s)
	run -0 curl -sf "$QM/api/v1/query" --data-urlencode 'query=count by (job) (up{job="prom"})' -d time="$now"
	[ "$(jq -r '.data.result[0].value[1]' <<<"$output")" = 2 ]
	run -0 curl -sf "$QM/api/v1/query" --data-urlencode 'query=count by (job) (up{job="prom"})' \
		-d time="$now" -d dedup=false
	[ "$(jq -r '.data.result[0].value[1]' <<<"$output")" = 4 ]
	run -0 curl -sf "$QM/api/v1/query_range" \
		--data-urlencode 'query=sum by (job) (rate(prometheus_http_requests_total[10s]))' \
		-d start=$((now - 20)) -d end="$now" -d step=2
	[ "$(jq -r .data.resultType <<<"$output")" = matrix ]
	[ "$(jq '.data.result | length' <<<"$output")" -eq 1 ]
	# promtool, Prometheus' own client.
	run -0 promtool query instant "$QM" 'sum(up{job="prom"})' --time="$now"
	[[ $output == *"=> 2 @["* ]]
	run -0 promtool query range "$QM" 'up{job="prom"}' --start=$((now - 10)) --end="$now" --step=5s
	[[ $output == *'up{cluster="c1", instance="127.0.0.1:'* ]]
	# Prometheus' error types and codes.
	run -0 curl -s -w '\n%{http_code}' "$QM/api/v1/query" --data-urlencode 'query=sum(up'
	[ "${lines[1]}" = 400 ]
	[ "$(jq -r .error <<<"${lines[0]}")" = 'invalid parameter "query": 1:7: parse error: unclosed left parenthesis' ]
	run -0 curl -s -w '\n%{http_code}' "$QM/api/v1/query" \
		--data-urlencode 'query={__name__=~"up|prometheus_build_info"} * on() group_left up' -d time="$now"
	[ "${lines[1]}" = 422 ]
	[ "$(jq -r .errorType <<<"${lines[0]}")" = execution ]
	# What Grafana asks besides queries.
	run -0 curl -sf "$QM/api/v1/status/buildinfo"
	[ "$(jq -r .data.version <<<"$output")" = 2.42.0 ]
	run -0 curl -sf "$QM/api/v1/query_exemplars?query=up&start=0&end=1"
	[ "$(jq -c .data <<<"$output")" = '[]' ]
	run -0 curl -sf "$QM/api/v1/metadata"
}

@test "query-merge stacks: a second one over the first, and a real Prometheus reading it, answer the same" {
	fixture
	# shellcheck disable=SC2086
	start_qm $STORES --query.replica-label=replica
	first=$QM
	start_qm --store="$first"
	second=$QM
	now=$(date +%s)
	q() {
		curl -sf "$1/api/v1/query_range" --data-urlencode "query=$2" \
			-d start=$((now - 30)) -d end="$now" -d step=1 | jq -S .data
	}
	diff <(q "$first" 'up{job="prom"}') <(q "$second" 'up{job="prom"}')
	run -0 curl -sf "$second/api/v1/stores"
	[ "$(jq '.data.query | length' <<<"$output")" -eq 1 ]
	# A Prometheus with remote_read to query-merge: PromQL over the
	# deduplicated series.
	port=$(freeport)
	printf 'remote_read:\n  - url: %s/api/v1/read\n    read_recent: true\n' "$first" >reader.yml
	bg prometheus --config.file=reader.yml --storage.tsdb.path=reader \
		--web.listen-address="127.0.0.1:$port" >reader.log 2>&1
	PROM_URL=http://127.0.0.1:$port wait_until 30 prometheus_ready
	run -0 curl -sf "http://127.0.0.1:$port/api/v1/query" \
		--data-urlencode 'query=count by (instance) (up{job="prom"})' -d time="$now"
	jq -e '.data.result | length == 2 and all(.value[1] == "1")' <<<"$output"
	diff <(q "http://127.0.0.1:$port" 'up{job="prom"}') <(q "$first" 'up{job="prom"}')
}

@test "query-merge: bad input is a 400; a store that sends garbage is a warning, or an error without partial response" {
	fixture
	# A "store" that answers every request with 200 and garbage.
	gport=$(freeport)
	bg python3 -c '
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self): self.send_error(404)
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse")
        self.end_headers()
        self.wfile.write(b"\xff\xff\xff\xff\xff garbage")
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()' "$gport"
	wait_until 10 curl -s -o /dev/null "http://127.0.0.1:$gport/"
	# shellcheck disable=SC2086
	start_qm $STORES --store="http://127.0.0.1:$gport" --query.replica-label=replica
	now=$(date +%s)
	run -0 curl -s -w '\n%{http_code}' "$QM/api/v1/query" --data-urlencode 'query=up{job=~"("}'
	[ "${lines[1]}" = 400 ]
	[ "$(jq -r .errorType <<<"${lines[0]}")" = bad_data ]
	run -0 curl -s -w '\n%{http_code}' "$QM/api/v1/query" --data-urlencode 'query=up' -d time=yesterday
	[ "${lines[1]}" = 400 ]
	run -0 curl -s -w '\n%{http_code}' "$QM/api/v1/query_range" --data-urlencode 'query=up' \
		-d start=10 -d end=5 -d step=1
	[ "${lines[1]}" = 400 ]
	run -0 curl -s -w '\n%{http_code}' "$QM/api/v1/query" --data-urlencode 'query={a=""}'
	[ "${lines[1]}" = 400 ]
	run -0 curl -s -w '\n%{http_code}' "$QM/api/v1/query" --data-urlencode 'query=up' -d dedup=maybe
	[ "${lines[1]}" = 400 ]
	# Garbage from one store: the answer from the others, and a warning.
	run -0 curl -sf "$QM/api/v1/query" --data-urlencode 'query=up{job="prom"}' -d time="$now"
	[ "$(jq '.data.result | length' <<<"$output")" -eq 2 ]
	jq -e ".warnings | length == 1 and (.[0] | contains(\"127.0.0.1:$gport\"))" <<<"$output"
	run -0 curl -s -w '\n%{http_code}' "$QM/api/v1/query" --data-urlencode 'query=up{job="prom"}' \
		-d time="$now" -d partial_response=false
	[ "${lines[1]}" -ge 500 ]
	[ "$(jq -r .status <<<"${lines[0]}")" = error ]
	# Still serving.
	run -0 curl -sf "$QM/-/healthy"
}

@test "query-merge finds stores through DNS (dnsmasq): dns+ and dnssrv+, a record added is used after the next refresh" {
	fixture
	sport=${STORE##*:}
	echo "127.0.0.1 store.strata.test" >hosts
	start_dnsmasq hosts --srv-host=_http._tcp.prom.strata.test,prom-a.strata.test,$PA \
		--host-record=prom-a.strata.test,127.0.0.1
	start_qm --store="dns+store.strata.test:$sport" \
		--store="dnssrv+_http._tcp.prom.strata.test" \
		--store.sd-dns-server="$DNSMASQ_SERVER" --store.sd-dns-interval=1s \
		--query.replica-label=replica
	wait_until 10 bash -c "curl -sf '$QM/api/v1/stores' | jq -e '.data.prometheus | length == 1'"
	run -0 curl -sf "$QM/api/v1/stores"
	[ "$(jq -r '.data.prometheus[0].name' <<<"$output")" = "http://127.0.0.1:$PA" ]
	[ "$(jq -r '.data.store[0].name' <<<"$output")" = "http://127.0.0.1:$sport" ]
	# A second address for the store name: 127.0.0.2 has no store, so it
	# shows up with an error; a query still answers, with a warning.
	echo "127.0.0.2 store.strata.test" >>hosts
	kill -HUP "$DNSMASQ_PID"
	wait_until 10 bash -c "curl -sf '$QM/api/v1/stores' | jq -e '[.data[][]] | length == 3'"
	run -0 curl -sf "$QM/api/v1/stores"
	jq -e '[.data[][] | select(.name == "http://127.0.0.2:'"$sport"'")] | length == 1' <<<"$output"
	run -0 curl -sf "$QM/api/v1/query" --data-urlencode 'query=up{job="prom"}'
	[ "$(jq '.data.result | length' <<<"$output")" -eq 2 ]
}

@test "query-merge: a replica stopped and started leaves no hole; both stopped, history with a warning, an error without partial response" {
	fixture
	# shellcheck disable=SC2086
	start_qm $STORES --query.replica-label=replica
	kill "$PID_b"
	wait "$PID_b" 2>/dev/null || true
	sleep 5
	start_replica b "$PB"
	PROM_URL=$PROM_B wait_until 30 prometheus_ready
	sleep 3
	now=$(date +%s)
	curl -sf "$QM/api/v1/export" --data-urlencode 'match[]=up{job="prom"}' -d start=0 -d end="$now" >after.jsonl
	[ "$(wc -l <after.jsonl)" -eq 2 ]
	check_series after.jsonl
	# Both down: the bucket's history only, and a warning per replica.
	kill "$PID_a" "$PID_b"
	wait "$PID_a" "$PID_b" 2>/dev/null || true
	run -0 curl -sf "$QM/api/v1/query_range" --data-urlencode 'query=up{job="prom"}' \
		-d start=$((now - 60)) -d end="$now" -d step=1
	[ "$(jq '.data.result | length' <<<"$output")" -eq 2 ]
	[ "$(jq '.warnings | length' <<<"$output")" -eq 2 ]
	run -0 curl -s -w '\n%{http_code}' "$QM/api/v1/query_range" --data-urlencode 'query=up{job="prom"}' \
		-d start=$((now - 60)) -d end="$now" -d step=1 -d partial_response=false
	[ "${lines[1]}" -ge 500 ]
}

@test "query-merge: a replica switch is no counter reset for rate(), increase(), resets() (read by a real Prometheus)" {
	# One counter, +1..5 every 15 s, recorded by two replicas that
	# started apart: a counts from 1000 and misses 20 minutes, b counts
	# from 0.  Deduplication switches from a to b in a's gap.
	t0=1700000000
	awk -v t0=$t0 'BEGIN {
		srand(3); c = 0
		for (i = 0; i < 240; i++) {
			c += 1 + int(rand() * 5)
			ta = t0 + i * 15; tb = ta + 2
			if (i < 80 || i >= 160) a = a sprintf("demo_total{job=\"x\"} %d %d\n", c + 1000, ta)
			b = b sprintf("demo_total{job=\"x\"} %d %d\n", c, tb)
		}
		h = "# HELP demo_total A counter.\n# TYPE demo_total counter\n"
		printf "%s%s# EOF\n", h, a > "a.om"; printf "%s%s# EOF\n", h, b > "b.om"
	}'
	mkdir -p bucket
	for r in a b; do
		make_blocks $r.om blocks-$r
		for blk in blocks-$r/01*; do
			jq --arg r $r '. + {thanos: {labels: {replica: $r}, downsample: {resolution: 0}, source: "sidecar"}}' \
				"$blk/meta.json" >m && mv m "$blk/meta.json"
			cp -r "$blk" bucket/
		done
	done
	sport=$(freeport)
	STORE=http://127.0.0.1:$sport
	bg store-serve --bucket=bucket --http-address="127.0.0.1:$sport" --data-dir=sdata 2>store.log
	wait_until 30 curl -sf "$STORE/-/ready"
	start_qm --store="$STORE" --query.replica-label=replica
	# Raw reads are the input samples, unchanged: a's then b's.
	run -0 curl -sf "$QM/api/v1/export" --data-urlencode 'match[]=demo_total' -d start=$t0 -d end=$((t0 + 3600))
	[ "$(jq '.values | max' <<<"$output")" -ge 1000 ]
	port=$(freeport)
	printf 'remote_read:\n  - url: %s/api/v1/read\n    read_recent: true\n' "$QM" >reader.yml
	bg prometheus --config.file=reader.yml --storage.tsdb.path=reader \
		--web.listen-address="127.0.0.1:$port" >reader.log 2>&1
	PROM_URL=http://127.0.0.1:$port
	wait_until 30 prometheus_ready
	q() {
		curl -sf "$PROM_URL/api/v1/query" --data-urlencode "query=$1" -d time=$((t0 + 3590)) |
			jq -r '.data.result[0].value[1]'
	}
	[ "$(q 'resets(demo_total[1h])')" = 0 ]
	# The increase is the counter's own (b alone holds all of it).
	truth=$(awk '/^demo_total/ { if (!f) f = $2; l = $2 } END { print l - f }' b.om)
	inc=$(q 'increase(demo_total[1h])')
	awk -v i="$inc" -v t="$truth" 'BEGIN { exit !(i >= t && i < t * 1.02) }'
	# And rate never jumps at the switch: its largest 1m rate is the
	# counter's largest step.
	max=$(q 'max_over_time(rate(demo_total[1m])[1h:15s])')
	awk -v m="$max" 'BEGIN { exit !(m < 1) }'
}

@test "query-merge: --help, --version, usage errors name the bad input; an unreachable store is a warning, or exit 1 without partial response" {
	run -0 query-merge --help
	[[ $output == usage:* ]]
	run -0 query-merge --version
	[[ $output == "query-merge "* ]]
	run -2 query-merge
	[[ $output == *"no --store"* ]]
	run -2 query-merge --store=dns+nope
	[[ $output == *"'dns+nope': missing port"* ]]
	run -2 query-merge --store=http://127.0.0.1:1 --deduplication.func=magic
	[[ $output == *"'magic'"* ]]
	run -2 query-merge --store=http://127.0.0.1:1 --query.replica-label=1bad
	[[ $output == *"'1bad' is not a label name"* ]]
	run -2 query-merge --store=http://127.0.0.1:1 --match=up
	[[ $output == *"need --once"* ]]
	run -2 query-merge --once --store=http://127.0.0.1:1 --match='up{'
	[[ $output == *"--match"* ]]
	port=$(freeport)
	run -0 --separate-stderr query-merge --once --store="http://127.0.0.1:$port" --match=up
	[ -z "$output" ]
	[[ $stderr == *"partial response"*"127.0.0.1:$port"* ]]
	run -1 query-merge --once --no-query.partial-response --store="http://127.0.0.1:$port" --match=up
	[[ $output == *"127.0.0.1:$port"* ]]
}
