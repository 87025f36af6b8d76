#!/usr/bin/env bats
# make demo's script, run non-interactively: two real Prometheus replicas
# rendered from one template, each with its own external labels, their
# backfilled history shipped to a bucket, store-serve and query-merge.

load helper

@test "the demo starts both replicas with their own labels and stops them all" {
	export DEMO_DIR=$BATS_TEST_TMPDIR/demo DEMO_SECONDS=0
	run -0 "$TOP/scripts/demo"
	echo "$output"
	[[ $output == *"prometheus-a  http://127.0.0.1:"*"replica: prometheus-a"*"alert rules: 2"* ]]
	[[ $output == *"prometheus-b  http://127.0.0.1:"*"replica: prometheus-b"*"alert rules: 2"* ]]
	[[ $output == *'up{instance="127.0.0.1:'*'",job="prometheus"} 1'* ]]
	# Shipped, served, deduplicated.
	[[ $output == *"blocks shipped by tsdb-watch | block-upload"* ]]
	[[ $output == *"deduplicated (2 series)"* ]]
	[[ $output == *"with dedup=false (4 series)"* ]]
	[[ $output == *'replica="prometheus-b"} 1'* ]]
	[[ $output =~ history\ from\ the\ bucket:\ demo_requests_total\ over\ the\ last\ 4h:\ [1-9][0-9]+\ points ]]
	ls "$DEMO_DIR"/bucket/01*/meta.json
	[[ $output == *"demo: stopped"*"data and logs are in $DEMO_DIR" ]]
	grep -q 'event=reload ' "$DEMO_DIR/prometheus-a/config-envsubst.events"
	# Every process it started is gone.
	[ -z "$(grep -l "$DEMO_DIR" /proc/[0-9]*/cmdline 2>/dev/null)" ]
}
