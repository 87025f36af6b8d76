#!/usr/bin/env bats
# dedup-filter: replica groups merged by each function, identical series
# merged, both line forms, and every kind of bad input.

load helper

setup() {
	D=$BATS_TEST_TMPDIR/work
	mkdir -p "$D"
	cd "$D"
	# thanos-notes.md 5.3: replica a misses 60-90 s, b misses 140 and 155.
	A='{"metric":{"__name__":"up","job":"x","replica":"a"},"values":[1,1,1,1,1,1,1,1,1,1],"timestamps":[0,15000,30000,45000,105000,120000,135000,150000,165000,180000]}'
	B='{"metric":{"__name__":"up","job":"x","replica":"b"},"values":[2,2,2,2,2,2,2,2,2,2,2],"timestamps":[5000,20000,35000,50000,65000,80000,95000,110000,125000,170000,185000]}'
}

ts() {	# the timestamps of every output line, in seconds
	jq -c '.timestamps | map(. / 1000)'
}

@test "--help, --version, usage errors" {
	run -0 dedup-filter --help
	[[ $output == usage:* ]]
	run -0 dedup-filter --version
	run -2 dedup-filter
	run -2 --separate-stderr dedup-filter --query.replica-label=replica --deduplication.func=best
	[[ $stderr == *"'best' is not gapless, penalty or chain" ]]
	run -2 dedup-filter --query.replica-label='1x'
	run -1 bash -c "echo '$A' | dedup-filter --query.replica-label=replica >/dev/full"
	[[ $output == *"write <stdout>"* ]]
}

@test "penalty reproduces Thanos' worked example, holes included" {
	run -0 bash -c "printf '%s\n' '$A' '$B' | dedup-filter --query.replica-label=replica --deduplication.func=penalty"
	[ "$(ts <<<"$output")" = '[0,15,30,45,80,95,110,125,165,180]' ]
	[ "$(jq -c .metric <<<"$output")" = '{"__name__":"up","job":"x"}' ]
}

@test "gapless fills the holes penalty leaves, with input samples only" {
	run -0 bash -c "printf '%s\n' '$A' '$B' | dedup-filter --query.replica-label=replica"
	[ "$(ts <<<"$output")" = '[0,15,30,45,65,80,95,110,125,135,150,165,180]' ]
	[ "$(jq -c .values <<<"$output")" = '[1,1,1,1,2,2,2,2,2,1,1,1,1]' ]
}

@test "chain: every sample once" {
	run -0 bash -c "printf '%s\n' '$A' '$B' | dedup-filter --query.replica-label=replica --deduplication.func=chain"
	[ "$(jq '.timestamps | length' <<<"$output")" -eq 21 ]
}

@test "groups: one line per series without replica labels; other series pass" {
	C='{"metric":{"__name__":"up","job":"y","replica":"a"},"values":[7],"timestamps":[1000]}'
	E='{"metric":{"__name__":"z"},"values":[1],"timestamps":[1]}'
	run -0 bash -c "printf '%s\n' '$A' '$B' '$C' '$E' | dedup-filter --query.replica-label=replica"
	[ "${#lines[@]}" -eq 3 ]
	[ "$(jq -c .metric <<<"${lines[1]}")" = '{"__name__":"up","job":"y"}' ]
	[ "$(jq -c .metric <<<"${lines[2]}")" = '{"__name__":"z"}' ]
	# Two replica labels at once.
	X='{"metric":{"a":"1","prom":"p","replica":"r1"},"values":[1],"timestamps":[1]}'
	Y='{"metric":{"a":"1","prom":"q","replica":"r1"},"values":[2],"timestamps":[2]}'
	run -0 bash -c "printf '%s\n' '$X' '$Y' | dedup-filter --query.replica-label=replica --query.replica-label=prom --deduplication.func=chain"
	[ "$output" = '{"metric":{"a":"1"},"values":[1,2],"timestamps":[1,2]}' ]
}

@test "the same series twice (a live Prometheus and the bucket) is merged by timestamp" {
	P='{"metric":{"__name__":"up","replica":"a"},"values":[1,1,1],"timestamps":[0,15000,30000]}'
	H='{"metric":{"__name__":"up","replica":"a"},"values":[1,1,1],"timestamps":[15000,30000,45000]}'
	for f in gapless penalty chain; do
		run -0 bash -c "printf '%s\n' '$P' '$H' | dedup-filter --query.replica-label=replica --deduplication.func=$f"
		[ "$(ts <<<"$output")" = '[0,15,30,45]' ]
	done
}

@test "the chunks form comes in and goes out as chunks, same samples" {
	"$TOP/scripts/gen-openmetrics" 30 3 15 5 >g.om
	sed -i 's/,shard="\([0-9]*\)"}/,shard="\1",replica="a"}/' g.om
	grep -v '^# EOF' g.om | sed 's/replica="a"/replica="b"/' >b.om
	{ grep -v '^# EOF' g.om; cat b.om; echo '# EOF'; } >both.om
	make_blocks both.om B
	store-serve --once --bucket=B | dedup-filter --query.replica-label=replica >values
	store-serve --once --bucket=B --format=chunks | dedup-filter --query.replica-label=replica >chunks
	[ "$(wc -l <values)" -eq 30 ]
	grep -q '"chunks":\[' chunks
	"$STRATA_TOOLS/series2dump" <values >v.txt
	"$STRATA_TOOLS/series2dump" <chunks >c.txt
	cmp v.txt c.txt
	# Identical replicas: the answer is one replica's samples.
	store-serve --once --bucket=B --match='{replica="a"}' | sed 's/,"replica":"a"//' |
		"$STRATA_TOOLS/series2dump" | cmp - v.txt
}

@test "values keep their bits; any JSON spelling is read, one is written" {
	L='{"metric":{"__name__":"v","replica":"a"},"values":[-0,"NaN","StaleNaN","NaN:0x7ff8000000000abc","+Inf","-Inf",1e+06,0.1,1.7976931348623157e+308,5e-324,-2.5e-05],"timestamps":[1,2,3,4,5,6,7,8,9,10,11]}'
	run -0 bash -c "echo '$L' | dedup-filter --query.replica-label=replica"
	[ "$output" = '{"metric":{"__name__":"v"},"values":[-0,"NaN","StaleNaN","NaN:0x7ff8000000000abc","+Inf","-Inf",1e+06,0.1,1.7976931348623157e+308,5e-324,-2.5e-05],"timestamps":[1,2,3,4,5,6,7,8,9,10,11]}' ]
	# Spaces, keys in another order, escapes, other spellings of numbers.
	S=' { "timestamps" : [ 1E3 , 2000.0 ] , "values" : [ 1.50 , "\u004eaN" ] , "metric" : { "replica" : "a" , "__name__" : "caf\u00e9 \ud83d\ude00" } } '
	run -0 bash -c "printf '%s\n' '$S' | dedup-filter --query.replica-label=replica"
	[ "$output" = '{"metric":{"__name__":"café 😀"},"values":[1.5,"NaN"],"timestamps":[1000,2000]}' ]
}

@test "bad input: its line number, what came before it stays written" {
	run -1 --separate-stderr bash -c "printf '%s\n' '$A' 'not json' | dedup-filter --query.replica-label=replica"
	[[ $stderr == "dedup-filter: <stdin>:2: "* ]]
	run -1 --separate-stderr bash -c "printf '%s\n' '$B' '{\"metric\":{\"__name__\":\"a\"},\"values\":[1],\"timestamps\":[1]}' | dedup-filter --query.replica-label=replica"
	[ "$stderr" = "dedup-filter: <stdin>:2: not sorted: series lines must come in label order, replica labels compared last" ]
	# The groups finished before the bad line were written; the open one
	# is not, as it might have been missing samples.
	C='{"metric":{"__name__":"v"},"values":[1],"timestamps":[1]}'
	run -1 --separate-stderr bash -c "printf '%s\n' '$A' '$C' '{\"metric\":{\"__name__\":\"w\"},\"values\":[1,2],\"timestamps\":[5,1]}' | dedup-filter --query.replica-label=replica"
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == '{"metric":{"__name__":"up","job":"x"}'* ]]
	[[ $stderr == *"<stdin>:3: timestamp 2 (1) does not increase" ]]
	run -1 --separate-stderr bash -c "echo '{\"metric\":{\"a\":\"b\"},\"values\":[\"lots\"],\"timestamps\":[1]}' | dedup-filter --query.replica-label=replica"
	[[ $stderr == *"<stdin>:1: value 1 is not a number"* ]]
	run -1 --separate-stderr bash -c "printf '%s\n' '$A' '{\"metric\":{\"a\":\"b\"},\"values\":[1e999],\"timestamps\":[1]}' | dedup-filter --query.replica-label=replica"
	[ "$stderr" = "dedup-filter: <stdin>:2: value 1 is out of range" ]
	run -1 --separate-stderr bash -c "echo '{\"metric\":{\"a\":\"\\ud800\"},\"values\":[1],\"timestamps\":[1]}' | dedup-filter --query.replica-label=replica"
	[[ $stderr == *"<stdin>:1: column "*"lone surrogate" ]]
	run -1 --separate-stderr bash -c "echo '{\"metric\":{},\"chunks\":[{\"mint\":1,\"maxt\":2,\"xor\":\"\",\"min\":0}]}' | dedup-filter --query.replica-label=replica"
	[ "$stderr" = 'dedup-filter: <stdin>:1: chunk 1: unknown key "min"' ]
}
