#!/usr/bin/env bats
# The remote-read codec (common/net/remote) against a real Prometheus 2.42
# serving blocks made by promtool: what tests/tools/remote-read reads with
# either response type equals what store-serve --once (proven equal to
# promtool tsdb dump) reads from the same blocks, and what we read, written
# again by our encoders, is the bytes Prometheus sent: frames byte for
# byte, frame splitting included.

load helper

setup() {
	D=$BATS_TEST_TMPDIR/work
	mkdir -p "$D"
	cd "$D"
}

rr() {
	"$STRATA_TOOLS/remote-read" "$@"
}

# start_reader BLOCKS [CONFIG [ARGS...]]: a Prometheus over a copy of
# BLOCKS (it compacts and writes its own files there), by default with an
# empty config: no scraping, no external labels to add to what it sends.
start_reader() {
	local blocks=$1 config=${2:-} port data
	shift $(($# < 2 ? $# : 2))
	if [ -z "$config" ]; then
		config=$D/empty.yml
		: >"$config"
	fi
	data=$(mktemp -d "$D/prom.XXXXXX")
	cp -r "$blocks"/. "$data"
	port=$(freeport)
	PROM_URL=http://127.0.0.1:$port
	bg prometheus --config.file="$config" --storage.tsdb.path="$data" \
		--storage.tsdb.retention.time=100y \
		--web.listen-address="127.0.0.1:$port" "$@" >"$data.log" 2>&1
	wait_until 30 prometheus_ready
}

# SAMPLES cannot carry -0: proto3 leaves a zero value out, and 2.42 tests
# value != 0, which -0 passes; so the oracle's -0 reads back as 0.
plus_zero() {
	sed -E ':a; s/([[,])-0([],])/\10\2/; ta'
}

# check_both SELECTOR: both response types against the oracle, and both
# re-encoded to Prometheus' bytes.
check_both() {
	local sel=$1
	store-serve --once --bucket=B --match="$sel" >want
	rr "$PROM_URL" --type=chunks --recode --match="$sel" >got
	diff want got || { echo "chunks, selector: $sel"; return 1; }
	rr "$PROM_URL" --type=samples --recode --match="$sel" >got
	plus_zero <want >want0
	diff want0 got || { echo "samples, selector: $sel"; return 1; }
}

@test "--help and usage errors" {
	run -0 rr --help
	[[ $output == usage:* ]]
	run -2 rr
	run -2 rr a b
	run -2 rr --bogus http://x
	run -2 --separate-stderr rr --type=xor http://x
	[[ $stderr == *"--type: 'xor' is not samples or chunks" ]]
	run -2 --separate-stderr rr --match='up{' http://x
	[[ $stderr == *"--match: "*"up{"* ]]
	run -2 --separate-stderr rr --start=1.5 http://x
	[[ $stderr == *"--start: bad milliseconds '1.5'" ]]
}

@test "no server, or not a remote-read endpoint: a clear error" {
	port=$(freeport)
	run -1 --separate-stderr rr "http://127.0.0.1:$port"
	[[ $stderr == *"POST http://127.0.0.1:$port/api/v1/read:"* ]]
	"$TOP/scripts/gen-openmetrics" 2 1 60 1 >g.om
	make_blocks g.om B
	start_reader B
	run -1 --separate-stderr rr "$PROM_URL/api/v1/nothing"
	[[ $stderr == *"/api/v1/nothing: HTTP 404"* ]]
}

@test "the spec's exchange: __name__=\"one\" over [0, 10000000]" {
	printf 'ex 1 1\nex 2 2\nex 2 3\nex 3 4.5\none 12000 7200\n# EOF\n' >w.om
	make_blocks w.om B
	start_reader B
	# Prometheus answers our request with the spec's bytes.
	rr "$PROM_URL" --type=chunks --raw --match=one --start=0 --end=10000000 >frames
	[ "$(xxd -p frames | tr -d '\n')" = \
	  323b366d220a300a0f0a085f5f6e616d655f5f12036f6e65121d0880bab7031080bab7031801220f000180f4ee0640c770000000000000 ]
	rr "$PROM_URL" --type=samples --raw --match=one --start=0 --end=10000000 >samples
	[ "$(xxd -p samples | tr -d '\n')" = \
	  25900a230a210a0f0a085f5f6e616d655f5f12036f6e65120e09000000000070c7401080bab703 ]
	run -0 rr "$PROM_URL" --type=chunks
	[ "${lines[0]}" = '{"metric":{"__name__":"ex"},"values":[1,2,2,3],"timestamps":[1000,2000,3000,4500]}' ]
	[ "${lines[1]}" = '{"metric":{"__name__":"one"},"values":[12000],"timestamps":[7200000]}' ]
}

@test "generated data, 300 series in 3 blocks: every selector, both types" {
	"$TOP/scripts/gen-openmetrics" 300 5 15 42 >g.om
	printf 'm{l="a"} 1 1700000000\nm{l="a\\nb"} 2 1700000000\nm 3 1700000000\n' >extra
	{ grep -v '^# EOF' g.om; cat extra; echo '# EOF'; } >all.om
	make_blocks all.om B
	[ "$(ls -d B/01* | wc -l)" -ge 3 ]
	start_reader B
	for sel in '{__name__=~"(?s:.+)"}' 'app_3_temperature' \
		'{job="api"}' '{job!="api"}' \
		'{job=~"api|db"}' '{job!~"api|db"}' \
		'app_1_requests_total{instance=~"host-1.*",shard!="0"}' \
		'{__name__=~"app_[0-4]_.*",job!~"n.*"}' \
		'{l=~".*"}' '{l=~"(?s:.*)",__name__="m"}' '{l=~"a.b"}' \
		'{__name__="m",l!=""}' '{__name__=~"m|x",l=~"a|"}' \
		'{job=~"(?i)API"}' '{job="nope"}'; do
		check_both "$sel"
	done
	# The whole set is really there, -0 included.
	store-serve --once --bucket=B >want
	[ "$(wc -l <want)" -eq 303 ]
	grep -q -- '[[,]-0[],]' want
}

@test "--start and --end: both ends inclusive, as store-serve's" {
	"$TOP/scripts/gen-openmetrics" 50 5 15 3 >g.om
	make_blocks g.om B
	start_reader B
	store-serve --once --bucket=B --start=1700003000.001 --end=1700010000 >want
	[ -s want ]
	rr "$PROM_URL" --type=chunks --recode --start=1700003000001 --end=1700010000000 >got
	diff want got
	rr "$PROM_URL" --type=samples --recode --start=1700003000001 --end=1700010000000 >got
	plus_zero <want | diff - got
	# start > end is an empty answer, not an error.
	run -0 rr "$PROM_URL" --type=chunks --start=2 --end=1
	[ -z "$output" ]
	run -0 rr "$PROM_URL" --type=samples --start=2 --end=1
	[ -z "$output" ]
}

@test "several --match: one query each, answered in order" {
	"$TOP/scripts/gen-openmetrics" 60 1 60 5 >g.om
	make_blocks g.om B
	start_reader B
	{
		store-serve --once --bucket=B --match='{job="db"}'
		store-serve --once --bucket=B --match='{job=~"api|db"}'
		store-serve --once --bucket=B --match=app_2_requests_total
	} >want
	rr "$PROM_URL" --type=chunks --recode --match='{job="db"}' \
		--match='{job=~"api|db"}' --match=app_2_requests_total >got
	diff want got
	rr "$PROM_URL" --type=samples --recode --match='{job="db"}' \
		--match='{job=~"api|db"}' --match=app_2_requests_total >got
	plus_zero <want | diff - got
}

@test "long series split across frames exactly as 2.42 splits them" {
	"$TOP/scripts/gen-openmetrics" 40 5 15 8 >g.om
	make_blocks g.om B
	store-serve --once --bucket=B >want
	for budget in 1 300 2000; do
		start_reader B "" --storage.remote.read-max-bytes-in-frame=$budget
		rr "$PROM_URL" --type=chunks --recode --frame-bytes=$budget >got
		diff want got
		# The check is sharp: another budget gives other frames.
		run -1 --separate-stderr rr "$PROM_URL" --type=chunks --recode
		[[ $stderr == *"--recode: our frames"*"differ from the peer's"* ]]
		stop_all
	done
}

@test "edge cases: quoting, UTF-8, NaN, infinities, -0" {
	cat >a.om <<'OM'
# TYPE app_requests counter
app_requests_total{code="200",job="api"} 1 1700000000
app_requests_total{code="200",job="api"} 5 1700000015
app_requests_total{code="500",job="api"} 0 1700000000
gauge{location="weird \"quoted\" \\ back\nslash"} 24.44 1700000009.4
gauge{location="tab\there"} 1 1700000009.4
gauge{location="ünïcødé ✓"} NaN 1700000009.4
gauge{location="ünïcødé ✓"} +Inf 1700003000
gauge{location="ünïcødé ✓"} -Inf 1700003001
gauge{location="ünïcødé ✓"} -0 1700007300
gauge{location="ünïcødé ✓"} 1e21 1700014300
gauge{location="ünïcødé ✓"} 5e-324 1700014301
gauge{Zeta="z",_under="u"} 1234567.5 1700000001
gauge{a="",b="empty value dropped"} 7 1700000001
# EOF
OM
	make_blocks a.om B
	start_reader B
	check_both '{__name__=~".+"}'
	check_both '{location=~"ü.*"}'
	# The sign of zero: kept in chunks, lost in SAMPLES, as 2.42 does.
	run -0 rr "$PROM_URL" --type=chunks --match='{location=~"ü.*"}'
	[[ $output == *'"values":["NaN","+Inf","-Inf",-0,1e+21,5e-324]'* ]]
	run -0 rr "$PROM_URL" --type=samples --match='{location=~"ü.*"}'
	[[ $output == *'"values":["NaN","+Inf","-Inf",0,1e+21,5e-324]'* ]]
}

@test "external labels: added to every series, and EQ matchers on them rewritten" {
	"$TOP/scripts/gen-openmetrics" 20 1 60 5 >g.om
	make_blocks g.om B
	printf 'global:\n  external_labels:\n    zone: z1\n' >ext.yml
	start_reader B "$D/ext.yml"
	# zone sorts after every label of the generator: it goes last.
	store-serve --once --bucket=B |
		sed -E 's/^(\{"metric":\{[^}]*)\}/\1,"zone":"z1"}/' >want
	rr "$PROM_URL" --type=chunks --recode >got
	diff want got
	# zone="z1" becomes zone="" inside Prometheus: every series.
	rr "$PROM_URL" --type=chunks --match='{zone="z1"}' >got
	diff want got
	run -0 rr "$PROM_URL" --type=samples --match='{zone="z2"}'
	[ -z "$output" ]
}
