#!/usr/bin/env bats
# store-serve --once: every series, timestamp and value bit of real blocks
# made by promtool, checked against "promtool tsdb dump" (the oracle).

load helper

setup() {
	D=$BATS_TEST_TMPDIR/work
	mkdir -p "$D"
	cd "$D"
}

# Our answer in the oracle's format.
ours() {
	store-serve --once --bucket="$1" "${@:2}" | "$STRATA_TOOLS/series2dump"
}

@test "--help, --version, usage errors" {
	run -0 store-serve --help
	[[ $output == usage:* ]]
	run -0 store-serve --version
	[[ $output =~ ^store-serve\ [0-9] ]]
	run -2 store-serve --bogus
	run -2 --separate-stderr store-serve --once
	[[ $stderr == *"exactly one of --objstore.config-file and --bucket"* ]]
	run -2 --separate-stderr store-serve --bucket=. --match=up
	[[ $stderr == *"need --once"* ]]
	run -2 --separate-stderr store-serve --once --bucket=. --match='up{'
	[[ $stderr == *"--match: bad selector 'up{'"* ]]
	run -2 --separate-stderr store-serve --once --bucket=. --start=yesterday
	[[ $stderr == *"--start:"*"yesterday"* ]]
	run -1 --separate-stderr store-serve --once --bucket=s3://x/y?insecure=true
	[[ $stderr == "store-serve: "* ]]
}

@test "the edge cases of one hand-written data set, value for value" {
	cat >a.om <<'OM'
# TYPE app_requests counter
app_requests_total{code="200",job="api"} 1 1700000000
app_requests_total{code="200",job="api"} 5 1700000015
app_requests_total{code="200",job="api"} 2 1700000030.5
app_requests_total{code="500",job="api"} 0 1700000000
gauge{location="weird \"quoted\" \\ back\nslash"} 24.44 1700000009.4
gauge{location="tab\there"} 1 1700000009.4
gauge{location="ünïcødé ✓"} NaN 1700000009.4
gauge{location="ünïcødé ✓"} +Inf 1700003000
gauge{location="ünïcødé ✓"} -Inf 1700003001
gauge{location="ünïcødé ✓"} -0 1700007300
gauge{location="ünïcødé ✓"} 1e21 1700014300
gauge{location="ünïcødé ✓"} 5e-324 1700014301
gauge{location="ünïcødé ✓"} 1.7976931348623157e308 1700014302
gauge{location="ünïcødé ✓"} 0.1 1700014303.001
gauge{Zeta="z",_under="u"} 1234567.5 1700000001
gauge{a="",b="empty value dropped"} 7 1700000001
# EOF
OM
	make_blocks a.om B
	[ "$(ls -d B/01* | wc -l)" -eq 3 ]
	dump_oracle B >want
	ours B >got
	diff want got
	# The raw-chunk form holds the same samples.
	ours B --format=chunks >got-chunks
	diff want got-chunks
	# Values are exact: -0 and the NaN's bit pattern survive.
	store-serve --once --bucket=B --match='gauge{location=~"ü.*"}' >lines
	grep -q '"values":\["NaN","+Inf","-Inf",-0,1e+21,5e-324,1.7976931348623157e+308,0.1\]' lines
}

@test "generated data: counters with resets, gauges, 3 blocks, 300 series" {
	"$TOP/scripts/gen-openmetrics" 300 5 15 42 >g.om
	make_blocks g.om B
	[ "$(ls -d B/01* | wc -l)" -ge 3 ]
	dump_oracle B >want
	[ "$(wc -l <want)" -gt 100000 ]
	ours B >got
	cmp want got
	ours B --format=chunks >got-chunks
	cmp want got-chunks
}

@test "every matcher kind selects what promtool selects" {
	"$TOP/scripts/gen-openmetrics" 120 3 30 7 >g.om
	printf 'm{l="a"} 1 1700000000\nm{l="a\\nb"} 2 1700000000\nm 3 1700000000\n' >>g.om.extra
	grep -v '^# EOF' g.om >all.om
	cat g.om.extra >>all.om
	echo '# EOF' >>all.om
	make_blocks all.om B
	for sel in 'app_3_temperature' \
		'{job="api"}' '{job!="api"}' \
		'{job=~"api|db"}' '{job!~"api|db"}' \
		'app_1_requests_total{instance=~"host-1.*",shard!="0"}' \
		'{__name__=~"app_[0-4]_.*",job!~"n.*"}' \
		'{l=~".*"}' '{l!~".*"}' '{l=~"(?s:.*)"}' '{l=""}' \
		'{__name__="m",l!=""}' '{__name__=~"m|x",l=~"a|"}' \
		'{job=~"(?i)API"}' '{job="nope"}'; do
		dump_oracle B --match="$sel" >want
		ours B --match="$sel" >got
		diff want got || { echo "selector: $sel"; false; }
	done
}

@test "--start and --end select samples like promtool's --min-time/--max-time" {
	"$TOP/scripts/gen-openmetrics" 50 5 15 3 >g.om
	make_blocks g.om B
	dump_oracle B --min-time=1700003000001 --max-time=1700010000000 >want
	ours B --start=1700003000.001 --end=2023-11-15T01:00:00Z >got
	diff want got
}

@test "several --match select their union, each series once" {
	"$TOP/scripts/gen-openmetrics" 60 1 60 5 >g.om
	make_blocks g.om B
	{ dump_oracle B --match='{job="api"}'; dump_oracle B --match='{job="db"}'; } |
		sort >want
	ours B --match='{job="api"}' --match='{job=~"api|db"}' | sort >got
	diff want got
}

@test "external labels from meta.json are added, and matchers on them honoured" {
	"$TOP/scripts/gen-openmetrics" 20 1 60 5 >g.om
	make_blocks g.om B
	b=$(ls -d B/01* | head -n 1)
	jq '. + {thanos: {labels: {cluster: "eu1", replica: "a"}, downsample: {resolution: 0}, source: "sidecar"}}' \
		"$b/meta.json" >m && mv m "$b/meta.json"
	run -0 store-serve --once --bucket=B --match='{replica="a"}'
	[ "${#lines[@]}" -eq 20 ]
	[[ ${lines[0]} == '{"metric":{"__name__":"app_0_requests_total","cluster":"eu1",'* ]]
	run -0 store-serve --once --bucket=B --match='{replica="b"}'
	[ -z "$output" ]
	run -0 store-serve --once --bucket=B --match='{cluster=~"eu.*",job="api"}'
	[ "${#lines[@]}" -eq 7 ]
	run -0 store-serve --once --bucket=B --labels
	[ "$output" = "$(printf '"__name__"\n"cluster"\n"instance"\n"job"\n"replica"\n"shard"')" ]
	# Series 5 and 15 of the generator: jobs db and api.
	run -0 store-serve --once --bucket=B --label-values=job --match='{__name__="app_5_temperature"}'
	[ "$output" = "$(printf '"api"\n"db"')" ]
	run -0 store-serve --once --bucket=B --label-values=replica
	[ "$output" = '"a"' ]
}

@test "blocks being written, deleted or incomplete are not read" {
	"$TOP/scripts/gen-openmetrics" 10 1 60 5 >g.om
	make_blocks g.om B
	dump_oracle B >want
	b=$(ls -d B/01* | head -n 1)
	cp -r "$b" "B/01ARZ3NDEKTSV4RRFFQ69G5FAV.tmp-for-creation"
	mkdir B/01ARZ3NDEKTSV4RRFFQ69G5FAW            # no meta.json yet
	cp -r "$b" B/01ARZ3NDEKTSV4RRFFQ69G5FAX
	echo '{"id":"01ARZ3NDEKTSV4RRFFQ69G5FAX","version":1,"deletion_time":1}' \
		>B/01ARZ3NDEKTSV4RRFFQ69G5FAX/deletion-mark.json
	ours B >got
	diff want got
}

# --- corruption: a clear error naming the file, never a crash or a wrong
# answer presented as right (ASan is watching) ---------------------------

corrupt_setup() {
	"$TOP/scripts/gen-openmetrics" 30 1 60 9 >g.om
	make_blocks g.om B
	b=$(ls -d B/01* | head -n 1)
}

flip() {	# flip FILE OFFSET: invert one byte
	printf "$(printf '\\%03o' $(( $(od -An -tu1 -j "$2" -N1 "$1") ^ 255 )))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# The index TOC's offsets (BE64 each, last 52 bytes of the file).
toc() {	# toc FILE N: the Nth offset (0: symbols ... 5: postings table)
	local size=$(stat -c %s "$1")
	od -An -tu1 -j $((size - 52 + 8 * $2)) -N8 "$1" |
		awk '{ v = 0; for (i = 1; i <= 8; i++) v = v * 256 + $i; print v }'
}

@test "corrupt index: a flipped byte in any section that is read is caught" {
	corrupt_setup
	size=$(stat -c %s "$b/index")
	series=$(toc "$b/index" 1)
	# magic, version, symbol table (count, a string, CRC), the first
	# series entry, a postings list, the postings offset table, the TOC
	# and its CRC.
	for off in 0 4 9 20 $(($(toc "$b/index" 1) - 2)) \
		$(( (series + 15) / 16 * 16 + 3)) \
		$(($(toc "$b/index" 4) + 9)) $(($(toc "$b/index" 5) + 12)) \
		$((size - 30)) $((size - 2)); do
		cp "$b/index" index.orig
		flip "$b/index" "$off"
		echo "flipped offset $off"
		# A selector that reads the all-postings list too.
		run -1 --separate-stderr store-serve --once --bucket=B --match='{job!="nope"}'
		[[ $stderr == "store-serve: "*"/B/"*"/index"* ]] ||
			{ echo "offset $off: $stderr"; false; }
		cp index.orig "$b/index"
	done
	run -0 store-serve --once --bucket=B
}

@test "corrupt or truncated chunks, meta.json, tombstones: clear errors" {
	corrupt_setup
	cp -r B B.orig
	flip "$b/chunks/000001" 100
	run -1 --separate-stderr store-serve --once --bucket=B
	[[ $stderr == *"/chunks/000001: corrupt chunk at offset"*"CRC mismatch" ]]
	rm -rf B && cp -r B.orig B
	truncate -s 50 "$b/chunks/000001"
	run -1 --separate-stderr store-serve --once --bucket=B
	[[ $stderr == *"/chunks/000001"* ]]
	rm -rf B && cp -r B.orig B
	truncate -s 100 "$b/index"
	run -1 --separate-stderr store-serve --once --bucket=B
	[[ $stderr == *"/index"* ]]
	rm -rf B && cp -r B.orig B
	sed -i 's/"version": 1/"version": 2/' "$b/meta.json"
	run -1 --separate-stderr store-serve --once --bucket=B
	[[ $stderr == *"/meta.json: version: 2 is not 1" ]]
	rm -rf B && cp -r B.orig B
	echo '{"ulid": ' >"$b/meta.json"
	run -1 --separate-stderr store-serve --once --bucket=B
	[[ $stderr == *"/meta.json:"* ]]
	rm -rf B && cp -r B.orig B
	flip "$b/tombstones" 6
	printf '\001' | dd of="$b/tombstones" bs=1 seek=5 conv=notrunc status=none
	run -1 --separate-stderr store-serve --once --bucket=B
	[[ $stderr == *"/tombstones"* ]]
}

@test "a write error on stdout is an error; a closed pipe ends quietly" {
	corrupt_setup
	run -1 bash -c 'store-serve --once --bucket=B >/dev/full'
	[[ $output == *"write <stdout>"* ]]
	run -0 bash -c 'set -o pipefail; store-serve --once --bucket=B | head -n 1 >/dev/null; exit 0'
}

@test "tombstones written by a real Prometheus' delete_series are applied" {
	"$TOP/scripts/gen-openmetrics" 40 5 30 11 >g.om
	make_blocks g.om B
	: >empty.yml
	port=$(freeport)
	PROM_URL=http://127.0.0.1:$port
	bg prometheus --config.file=empty.yml --storage.tsdb.path="$D/B" \
		--storage.tsdb.retention.time=100y --web.enable-admin-api \
		--web.listen-address="127.0.0.1:$port" >prom.log 2>&1
	PROM_PID=$(tail -n 1 "$BATS_TEST_TMPDIR/pids")
	wait_until 30 prometheus_ready
	run -0 curl -sf -X POST -g \
		"$PROM_URL/api/v1/admin/tsdb/delete_series?match[]={job=\"api\"}&start=1700003000&end=1700009000"
	run -0 curl -sf -X POST -g \
		"$PROM_URL/api/v1/admin/tsdb/delete_series?match[]=app_5_temperature"
	kill "$PROM_PID"
	wait "$PROM_PID" || true
	grep -l numTombstones B/01*/meta.json
	dump_oracle B >want
	ours B >got
	diff want got
	ours B --format=chunks >got-chunks
	diff want got-chunks
	run -0 store-serve --once --bucket=B --match=app_5_temperature
	[ -z "$output" ]
}
