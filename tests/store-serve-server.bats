#!/usr/bin/env bats
# store-serve as a server: the series and labels API against a real
# Prometheus 2.42 holding the same blocks, /api/v1/export against the
# one-shot mode, bucket sync (new, deleted, corrupt blocks), an S3 bucket
# on moto, an unreachable bucket at start, bad requests, SIGTERM.

load helper

setup() {
	D=$BATS_TEST_TMPDIR/work
	mkdir -p "$D"
	cd "$D"
}

# start_store BUCKET-ARG...: store-serve on a free port; sets STORE.
start_store() {
	local port
	port=$(freeport)
	STORE=http://127.0.0.1:$port
	bg store-serve --http-address="127.0.0.1:$port" --data-dir="$D/data" \
		--sync-interval=1s "$@" 2>"$D/store.log"
	STORE_PID=$(tail -n 1 "$BATS_TEST_TMPDIR/pids")
}

store_ready() {
	curl -sf "$STORE/-/ready" >/dev/null
}

# A real Prometheus serving blocks of its own (a copy of DIR).
start_prom_on() {
	cp -r "$1" "$D/promdata"
	: >"$D/empty.yml"
	local port
	port=$(freeport)
	PROM_URL=http://127.0.0.1:$port
	bg prometheus --config.file="$D/empty.yml" --storage.tsdb.path="$D/promdata" \
		--storage.tsdb.retention.time=100y --web.listen-address="127.0.0.1:$port" \
		>"$D/prom.log" 2>&1
}

api() {	# api BASE PATH: the data of a Prometheus API answer, sorted keys
	curl -sfg "$1$2" | jq -S -c .data
}

@test "series, labels and label values answer as Prometheus does on the same blocks" {
	"$TOP/scripts/gen-openmetrics" 100 5 30 21 >g.om
	make_blocks g.om B
	start_store --bucket="$D/B"
	start_prom_on B
	wait_until 30 store_ready
	wait_until 30 prometheus_ready
	for q in '/api/v1/series?match[]=app_2_requests_total' \
		'/api/v1/series?match[]={job=~"api|db",shard="0"}&match[]=app_7_temperature' \
		'/api/v1/series?match[]={instance!~"host-1.*",__name__=~".+temp.*"}&start=1700003000&end=1700006000' \
		'/api/v1/series?match[]={__name__=~"app_[0-3].*"}&start=2023-11-14T23:00:00Z' \
		'/api/v1/labels' '/api/v1/labels?match[]=app_3_requests_total' \
		'/api/v1/label/job/values' '/api/v1/label/__name__/values' \
		'/api/v1/label/instance/values?match[]={job="node"}' \
		'/api/v1/label/nope/values'; do
		want=$(api "$PROM_URL" "$q")
		got=$(api "$STORE" "$q")
		[ "$want" = "$got" ] || { echo "$q"; echo "want $want"; echo "got  $got"; false; }
	done
	# POST form, as Grafana sends it.
	got=$(curl -sf "$STORE/api/v1/series" --data-urlencode 'match[]=app_2_requests_total' | jq -S -c .data)
	[ "$got" = "$(api "$PROM_URL" '/api/v1/series?match[]=app_2_requests_total')" ]
}

@test "/api/v1/export streams what --once writes; bad requests get Prometheus' 400" {
	"$TOP/scripts/gen-openmetrics" 200 3 15 8 >g.om
	make_blocks g.om B
	start_store --bucket="$D/B"
	wait_until 30 store_ready
	store-serve --once --bucket="$D/B" --match='{job="api"}' >want
	curl -sfg "$STORE/api/v1/export?match[]={job=\"api\"}" >got
	cmp want got
	store-serve --once --bucket="$D/B" --match='{job="db"}' --format=chunks \
		--start=1700001000 --end=1700005000 >want
	curl -sfg "$STORE/api/v1/export?match[]={job=\"db\"}&format=chunks&start=1700001000&end=1700005000" >got
	cmp want got
	run curl -sg -w '\n%{http_code}' "$STORE/api/v1/series"
	[ "${lines[1]}" = 400 ]
	[ "$(jq -r .error <<<"${lines[0]}")" = "no match[] parameter provided" ]
	run curl -sg -w '\n%{http_code}' "$STORE/api/v1/series?match[]=up{"
	[ "${lines[1]}" = 400 ]
	[ "$(jq -r .errorType <<<"${lines[0]}")" = bad_data ]
	run curl -sg -w '\n%{http_code}' "$STORE/api/v1/labels?start=yesterday"
	[ "${lines[1]}" = 400 ]
	[[ $(jq -r .error <<<"${lines[0]}") == *'cannot parse "yesterday" to a valid timestamp' ]]
	run curl -sg -w '\n%{http_code}' "$STORE/api/v1/series?match[]=up&start=10&end=5"
	[ "${lines[1]}" = 400 ]
	run curl -sg -o /dev/null -w '%{http_code}' "$STORE/api/v1/label/1bad/values"
	[ "$output" = 400 ]
	run curl -sg -o /dev/null -w '%{http_code}' "$STORE/api/v1/nope"
	[ "$output" = 404 ]
	run curl -sg -o /dev/null -w '%{http_code}' -X DELETE "$STORE/api/v1/series"
	[ "$output" = 405 ]
	curl -sf "$STORE/-/healthy" >/dev/null
	curl -sf "$STORE/metrics" | promtool check metrics
	curl -sf "$STORE/metrics" | grep -qx 'thanos_bucket_store_blocks_loaded 2'
	kill -TERM "$STORE_PID"
	rc=0
	wait "$STORE_PID" || rc=$?
	[ "$rc" -eq 0 ]
	grep -q 'msg="draining and exiting"' store.log
}

blocks_loaded() {
	curl -sf "$STORE/api/v1/blocks" | jq '.data.blocks | length'
}

@test "sync: new blocks appear, deleted ones go, a corrupt one is skipped" {
	"$TOP/scripts/gen-openmetrics" 20 1 60 1 1700000000 >a.om
	"$TOP/scripts/gen-openmetrics" 20 1 60 2 1700020000 >b.om
	"$TOP/scripts/gen-openmetrics" 20 1 60 3 1700040000 >c.om
	make_blocks a.om A
	make_blocks b.om Bk
	make_blocks c.om C
	mkdir bucket
	cp -r A/01* bucket/
	start_store --bucket="$D/bucket"
	wait_until 30 store_ready
	[ "$(blocks_loaded)" -eq 1 ]
	cp -r Bk/01* bucket/
	n=$(ls -d bucket/01* | wc -l)
	[ "$n" -ge 2 ]
	wait_until 10 bash -c '[ "$(curl -sf '"$STORE"'/api/v1/blocks | jq ".data.blocks | length")" -eq '"$n"' ]'
	# A corrupt block is reported and skipped; the others stay served.
	c=$(ls -d C/01* | head -n 1)
	cp -r "$c" bucket/
	printf 'XXXX' | dd of="bucket/$(basename "$c")/index" conv=notrunc status=none
	wait_until 10 grep -q "level=error msg=\"block skipped: it does not load\" block=$(basename "$c")" store.log
	[ "$(blocks_loaded)" -eq "$n" ]
	[ "$(curl -sf "$STORE/api/v1/label/__name__/values" | jq '.data | length')" -eq 10 ]
	# A deletion mark hides a block.
	a=$(basename "$(ls -d A/01*)")
	echo "{\"id\":\"$a\",\"version\":1,\"deletion_time\":1}" >"bucket/$a/deletion-mark.json"
	wait_until 10 bash -c '[ "$(curl -sf '"$STORE"'/api/v1/blocks | jq ".data.blocks | length")" -eq '"$((n - 1))"' ]'
	curl -sf "$STORE/api/v1/blocks" | jq -e "[.data.blocks[].ulid] | index(\"$a\") == null"
	curl -sf "$STORE/metrics" | grep -q '^thanos_bucket_store_block_load_failures_total [1-9]'
}

@test "an S3 bucket on moto (signatures checked) serves the same answers" {
	start_moto
	"$TOP/scripts/gen-openmetrics" 60 3 30 4 >g.om
	make_blocks g.om B
	rm -rf B/wal B/chunks_head
	moto_aws s3 cp --recursive --quiet B s3://strata/
	start_store --objstore.config-file="$MOTO_DIR/objstore.yml" --chunk-cache-size=1MB
	wait_until 30 store_ready
	store-serve --once --bucket="$D/B" >want
	curl -sfg "$STORE/api/v1/export?match[]={__name__=~\".%2B\"}" >got
	cmp want got
	store-serve --once --objstore.config-file="$MOTO_DIR/objstore.yml" >got-once
	cmp want got-once
	# Indexes were copied to the data dir; chunks came by range requests.
	[ "$(ls data/*/index | wc -l)" -eq "$(ls -d B/01* | wc -l)" ]
	curl -sf "$STORE/metrics" | grep -q '^thanos_objstore_bucket_operations_total{operation="get_range"} [1-9]'
}

@test "a bucket unreachable at start: not ready, retrying, ready once it is back" {
	start_moto
	"$TOP/scripts/gen-openmetrics" 10 1 60 4 >g.om
	make_blocks g.om B
	rm -rf B/wal B/chunks_head
	moto_aws s3 cp --recursive --quiet B s3://strata/
	# The store talks to moto through a proxy that is not there yet.
	fport=$(freeport)
	sed "s/endpoint: .*/endpoint: 127.0.0.1:$fport\n  max_retries: 1/" "$MOTO_DIR/objstore.yml" >via.yml
	start_store --objstore.config-file=via.yml
	wait_until 20 grep -q 'msg="bucket sync failed"' store.log
	run curl -s -o /dev/null -w '%{http_code}' "$STORE/-/ready"
	[ "$output" = 503 ]
	curl -sf "$STORE/-/healthy" >/dev/null
	bg "$STRATA_TOOLS/tcp-proxy" "$fport" "${S3_ENDPOINT#*:}"
	wait_until 60 store_ready
	[ "$(curl -sf "$STORE/api/v1/label/__name__/values" | jq '.data | length')" -eq 10 ]
}

# start_reader STORE_URL: a real Prometheus 2.42 with no data of its own
# whose remote_read points at the store; sets READER.
start_reader() {
	local port
	port=$(freeport)
	READER=http://127.0.0.1:$port
	cat >"$D/reader.yml" <<YML
remote_read:
  - url: $1/api/v1/read
    read_recent: true
YML
	bg prometheus --config.file="$D/reader.yml" --storage.tsdb.path="$D/reader" \
		--web.listen-address="127.0.0.1:$port" >"$D/reader.log" 2>&1
}

reader_ready() {
	curl -sf "$READER/-/ready" >/dev/null
}

# range BASE QUERY: the result of a query_range over the data, sorted.
range() {
	curl -sf --data-urlencode "query=$2" -d start=1700000000 -d end=1700018000 \
		-d step=60 "$1/api/v1/query_range" | jq -S -c '.data.result | sort_by(.metric)'
}

remote_read_matches() {
	for q in 'app_1_requests_total' 'app_5_temperature{instance=~"host-[12].*"}' \
		'rate(app_2_requests_total[5m])' 'sum by (job) (rate(app_0_requests_total[10m]))' \
		'{__name__=~"app_[3-6].*",job=~"api|db",shard!="1"}' \
		'max_over_time(app_6_temperature[30m])' 'count(app_7_temperature > 0)'; do
		want=$(range "$PROM_URL" "$q" | jq -S -c "$1")
		got=$(range "$READER" "$q")
		[ "$want" = "$got" ] || { echo "query: $q"; diff <(jq -c '.[] | .metric, .values[]' <<<"$want") <(jq -c '.[] | .metric, .values[]' <<<"$got") | head; return 1; }
	done
}

@test "remote read: a Prometheus reading the store answers as one holding the blocks" {
	"$TOP/scripts/gen-openmetrics" 100 5 30 31 >g.om
	make_blocks g.om B
	start_prom_on B
	start_store --bucket="$D/B"
	wait_until 30 store_ready
	start_reader "$STORE"
	wait_until 30 prometheus_ready
	wait_until 30 reader_ready
	remote_read_matches .
	[ "$(range "$READER" app_1_requests_total | jq length)" -gt 0 ]
	# Both response types, asked for directly.
	for t in samples chunks; do
		"$STRATA_TOOLS/remote-read" "$STORE/api/v1/read" --type=$t \
			--match='{job="api"}' >rr-$t
		store-serve --once --bucket="$D/B" --match='{job="api"}' | cmp - rr-$t
	done
}

@test "remote read with external labels from the bucket, and from S3" {
	start_moto
	"$TOP/scripts/gen-openmetrics" 60 5 30 32 >g.om
	make_blocks g.om B
	start_prom_on B
	rm -rf B/wal B/chunks_head
	for b in B/01*; do
		jq '. + {thanos: {labels: {cluster: "eu1", replica: "a"}, downsample: {resolution: 0}, source: "sidecar"}}' \
			"$b/meta.json" >m && mv m "$b/meta.json"
	done
	moto_aws s3 cp --recursive --quiet B s3://strata/
	start_store --objstore.config-file="$MOTO_DIR/objstore.yml"
	wait_until 30 store_ready
	start_reader "$STORE"
	wait_until 30 prometheus_ready
	wait_until 30 reader_ready
	# The store adds the external labels; the local Prometheus does not.
	# (Aggregations that drop the labels drop them on both sides.)
	remote_read_matches 'map(if (.metric | has("instance")) then .metric += {cluster: "eu1", replica: "a"} else . end)'
	want=$(range "$PROM_URL" 'app_1_requests_total' | jq -S -c 'map(.metric += {cluster: "eu1", replica: "a"})')
	[ "$(range "$READER" 'app_1_requests_total{cluster="eu1"}')" = "$want" ]
	[ "$(range "$READER" 'app_1_requests_total{cluster="us1"}')" = '[]' ]
}

@test "remote read: bad requests get 400, an unknown response type too" {
	"$TOP/scripts/gen-openmetrics" 5 1 60 1 >g.om
	make_blocks g.om B
	start_store --bucket="$D/B"
	wait_until 30 store_ready
	run curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary 'garbage' "$STORE/api/v1/read"
	[ "$output" = 400 ]
	run curl -s -o /dev/null -w '%{http_code}' "$STORE/api/v1/read"
	[ "$output" = 405 ]
}
