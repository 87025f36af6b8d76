#!/usr/bin/env bats
# block-upload, fed by tsdb-watch: real promtool blocks shipped to a
# directory bucket and to moto's S3 server with every signature checked,
# each object downloaded again with awscli and compared byte for byte,
# meta.json's thanos section checked with jq; failures on purpose (a
# wrong secret, the S3 endpoint killed mid-upload, block-upload killed
# or stopped mid-block, the block deleted mid-upload, S3 down for
# longer than the retries, a block that differs from the bucket's); and
# a real Prometheus 2.42 cutting blocks that are shipped as they appear,
# with its own external labels.
#
# "The S3 server killed": moto keeps its objects and its keys in memory,
# so it cannot be killed and started again the way MinIO can.  What the
# client sees of that is the endpoint's connections cut mid-request,
# refused while it is down, and answered again after: tcp-proxy in
# front of moto, killed with SIGKILL and started again on its port.

load helper

setup_file() {
	local f=$BATS_FILE_TMPDIR
	# Three small blocks of 5 h, and one block of 2 h with an 8 MiB
	# chunk file (multipart in 5 MiB parts) and the short block after it.
	"$TOP/scripts/gen-openmetrics" 30 5 60 3 >"$f/s.om"
	promtool tsdb create-blocks-from openmetrics -q "$f/s.om" "$f/small" >/dev/null
	"$TOP/scripts/gen-openmetrics" 2500 2 15 3 >"$f/b.om"
	promtool tsdb create-blocks-from openmetrics -q "$f/b.om" "$f/big" >/dev/null
	rm -f "$f/s.om" "$f/b.om"
	# One moto for the file, each test under its own prefix.
	if command -v moto_server >/dev/null && command -v aws >/dev/null; then
		"$TOP/scripts/start-moto-s3" "$f/moto" >/dev/null 3>&-
		echo 1 >"$f/have-moto"
	fi
}

teardown_file() {
	if [ -f "$BATS_FILE_TMPDIR/moto/env" ]; then
		# shellcheck source=/dev/null
		. "$BATS_FILE_TMPDIR/moto/env"
		kill "$MOTO_PID" 2>/dev/null || true
	fi
}

setup() {
	D=$BATS_TEST_TMPDIR/work
	mkdir -p "$D"
	cd "$D"
	CLI=$STRATA_TOOLS/bucket-cli
	PFX=t$BATS_TEST_NUMBER
	LBL=(--label=cluster=eu1 --label=replica=a)
}

need_moto() {
	[ -f "$BATS_FILE_TMPDIR/have-moto" ] || skip "moto_server or awscli not installed"
	MOTO_DIR=$BATS_FILE_TMPDIR/moto
	# shellcheck source=/dev/null
	. "$MOTO_DIR/env"
}

# s3yml NAME [SED...]: moto's objstore.yml with this test's prefix,
# edited by sed.
s3yml() {
	local name=$1
	shift
	sed -e "1i prefix: $PFX" "$@" "$MOTO_DIR/objstore.yml" >"$name"
}

# tsdb NAME SRC: a TSDB directory holding a copy of SRC's blocks; BLK
# gets their ULIDs, oldest first.
tsdb() {
	cp -r "$BATS_FILE_TMPDIR/$2" "$1"
	mkdir -p "$1/wal"
	mapfile -t BLK < <(tsdb-watch --once --tsdb.path="$1" | xargs -n 1 basename)
}

# ship TSDB ARGS...: the pipe, as deployed.
ship() {
	local t=$1
	shift
	tsdb-watch --once --tsdb.path="$t" | block-upload "$@"
}

# check_meta FILE BLOCKDIR LABELS-JSON: FILE is the meta.json Thanos
# would upload for BLOCKDIR: Prometheus' part unchanged, then the thanos
# section, tab-indented.
check_meta() {
	local f=$1 b=$2 files segs
	files=$(cd "$b" && find chunks index -type f -printf '%p %s\n' | sort |
		jq -R -s -c 'split("\n") | map(select(. != "") | split(" ") |
			{rel_path: .[0], size_bytes: (.[1] | tonumber)}) +
			[{rel_path: "meta.json"}]')
	segs=$(cd "$b/chunks" && ls | jq -R -s -c 'split("\n") | map(select(. != ""))')
	jq -e --slurpfile want "$b/meta.json" 'del(.thanos) == $want[0]' "$f"
	jq -e --argjson l "$3" --argjson files "$files" --argjson segs "$segs" \
		'.thanos == {labels: $l, downsample: {resolution: 0},
		source: "sidecar", segment_files: $segs, files: $files,
		index_stats: {}}' "$f"
	[ "$(sed -n 2p "$f")" = "$(printf '\t"ulid": "%s",' "$(basename "$b")")" ]
	[ "$(tail -c 2 "$f" | od -An -c | tr -d ' ')" = '}\n' ]
}

# same_block DIR BLOCKDIR: DIR holds what Thanos uploads of BLOCKDIR,
# byte for byte, and nothing else (no tombstones).
same_block() {
	local d=$1 b=$2 f
	for f in $(cd "$b" && find chunks index -type f); do
		cmp "$d/$f" "$b/$f"
	done
	[ "$(cd "$d" && find . -type f | sort)" = \
		"$(cd "$b" && { find ./chunks ./index -type f; echo ./meta.json; } | sort)" ]
}

# shipper_is TSDB ULID...: its shipper file, exactly as Thanos writes it.
shipper_is() {
	local t=$1
	shift
	diff <(jq -n --tab '{version: 1, uploaded: $ARGS.positional}' --args "$@") \
		"$t/thanos.shipper.json"
}

# bg_stdin FILE CMD...: bg, with stdin from FILE, opened read-write so a
# fifo neither blocks the shell nor ends.  (bg's own stdin would not do:
# an asynchronous command reads /dev/null unless it redirects itself.)
bg_stdin() {
	local in=$1
	shift
	"$@" 0<>"$in" 3>&- &
	echo $! >>"$BATS_TEST_TMPDIR/pids"
}

# start_proxy PORT [ARGS...]: tcp-proxy from PORT to moto; PROXY_PID.
start_proxy() {
	local port=$1
	shift
	bg "$STRATA_TOOLS/tcp-proxy" "$@" "$port" "${S3_ENDPOINT#*:}"
	PROXY_PID=$(tail -n 1 "$BATS_TEST_TMPDIR/pids")
	wait_until 10 port_open "$port"
}

port_open() {
	(exec 5<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# poll_bucket YML ULID: list the block's objects over and over, as a
# reader would, into snaps until the file "stop" appears.
poll_bucket() {
	bg bash -c 'while [ ! -e stop ]; do
		"$0" --objstore.config-file="$1" ls -r -l "$2/" 2>/dev/null
		echo ---
		sleep 0.02
	done >snaps' "$CLI" "$1" "$2"
	POLL_PID=$(tail -n 1 "$BATS_TEST_TMPDIR/pids")
}

# check_snaps BLOCKDIR: in no listing was meta.json there while another
# file of the block was missing or short.  Prints "listings with-meta".
check_snaps() {
	local b=$1 id
	id=$(basename "$b")
	(cd "$b" && find chunks index -type f -printf "%s $id/%p\n") >want
	awk 'NR == FNR { want[$0] = 1; next }
	$0 == "---" {
		n++
		if (meta) {
			m++
			for (w in want)
				if (!(w in seen)) { print "meta.json before " w; bad++ }
		}
		delete seen
		meta = 0
		next
	}
	{ seen[$0] = 1; if ($2 ~ /\/meta\.json$/) meta = 1 }
	END { print n + 0, m + 0; exit bad > 0 }' want snaps
}

@test "--help, --version and usage errors" {
	run -0 --separate-stderr block-upload --help
	[[ $output == usage:* ]]
	[ -z "$stderr" ]
	run -0 block-upload --version
	[[ $output =~ ^block-upload\ [0-9] ]]
	run -2 block-upload --bogus
	run -2 --separate-stderr block-upload "${LBL[@]}"
	[ "$stderr" = "block-upload: one of --objstore.config-file and --bucket is needed" ]
	run -2 block-upload --bucket=b --objstore.config-file=o.yml "${LBL[@]}"
	run -2 --separate-stderr block-upload --bucket=b
	[[ $stderr == "block-upload: one of --label and --prometheus.url is needed"* ]]
	run -2 block-upload --bucket=b --label=a=b --prometheus.url=http://x
	run -2 --separate-stderr block-upload --bucket=b --label=1a=b
	[ "$stderr" = "block-upload: --label: '1a' is not a valid label name" ]
	run -2 --separate-stderr block-upload --bucket=b --label=a=b --label=a=c
	[ "$stderr" = "block-upload: --label: label a given twice" ]
	run -2 block-upload --bucket=b --label=a
	run -2 block-upload --bucket=b --prometheus.url=localhost:9090
	run -2 block-upload --bucket=b --label=a=b --retry-interval=soon
	run -2 block-upload --bucket=b --label=a=b extra
	run -1 --separate-stderr block-upload --objstore.config-file=none.yml "${LBL[@]}"
	[[ $stderr == "block-upload: none.yml: No such file or directory" ]]
}

@test "a malformed line stops us with its number; what was shipped stays shipped" {
	tsdb T small
	printf '%s\n' "$D/T/${BLK[0]}" relative/01BX5ZZKBKACTAV9WEVGEMMVRZ "$D/T/${BLK[1]}" >in
	run -1 --separate-stderr block-upload --bucket="file://$D/bk" "${LBL[@]}" <in
	[[ $output == *"event=uploaded ulid=${BLK[0]} "* ]]
	[ "${#lines[@]}" -eq 1 ]
	[[ $stderr == *"block-upload: <stdin>:2: 'relative/01BX5ZZKBKACTAV9WEVGEMMVRZ' is not a block directory (an absolute path ending in a ULID)" ]]
	same_block "bk/${BLK[0]}" "T/${BLK[0]}"
	shipper_is T "${BLK[0]}"
	for bad in "" "$D/T/${BLK[1]}/" "$D/T/notaulid" "$D/T/${BLK[1]}x"; do
		run -1 --separate-stderr block-upload --bucket="file://$D/bk" "${LBL[@]}" <<<"$bad"
		[[ ${stderr##*$'\n'} == "block-upload: <stdin>:1: "* ]]
		[ -z "$output" ]
	done
}

@test "directory bucket: blocks byte for byte, Thanos' meta.json, the shipper file; a second run ships nothing" {
	tsdb T small
	run -0 --separate-stderr ship T --bucket="file://$D/bk" "${LBL[@]}"
	[ "${#lines[@]}" -eq 3 ]
	for i in 0 1 2; do
		[[ ${lines[$i]} =~ ^ts=[0-9T:.-]+Z\ event=uploaded\ ulid=${BLK[$i]}\ bytes=([0-9]+)\ files=3\ seconds=[0-9]+\.[0-9]{3}\ path=$D/T/${BLK[$i]}$ ]]
		b=T/${BLK[$i]}
		[ "${BASH_REMATCH[1]}" -eq $(($(stat -c %s "$b"/chunks/* "$b/index" | paste -sd+) + $(stat -c %s "bk/${BLK[$i]}/meta.json"))) ]
		same_block "bk/${BLK[$i]}" "$b"
		check_meta "bk/${BLK[$i]}/meta.json" "$b" '{"cluster":"eu1","replica":"a"}'
	done
	shipper_is T "${BLK[@]}"
	# No staging or temporary file is left.
	[ -z "$(ls T/thanos/upload)" ]
	[ -z "$(find bk -name '.strata-tmp-*')" ]
	# What the bucket serves is what the TSDB holds, labels added.
	diff <(store-serve --once --bucket=T | jq -c .) \
		<(store-serve --once --bucket=bk | jq -c 'del(.metric.cluster, .metric.replica)')
	# Nothing left to ship.
	run -0 --separate-stderr tsdb-watch --once --tsdb.path=T
	[ -z "$output" ]
	run -0 --separate-stderr block-upload --bucket="file://$D/bk" "${LBL[@]}" </dev/null
	[ -z "$output" ]
}

@test "a block the bucket already holds is recorded, not uploaded again" {
	tsdb T small
	run -0 ship T --bucket="file://$D/bk" "${LBL[@]}"
	before=$(stat -c %i bk/*/chunks/000001 bk/*/meta.json)
	# The shipper file lost (or a Thanos sidecar shipped them before us).
	rm T/thanos.shipper.json
	run -0 --separate-stderr ship T --bucket="file://$D/bk" "${LBL[@]}"
	[ "${#lines[@]}" -eq 3 ]
	for i in 0 1 2; do
		[[ ${lines[$i]} == *" event=exists ulid=${BLK[$i]} bytes=0 files=0 seconds="* ]]
	done
	[ "$(stat -c %i bk/*/chunks/000001 bk/*/meta.json)" = "$before" ]
	shipper_is T "${BLK[@]}"
}

@test "a block that differs from the bucket's is reported and retried, the next ones ship, exit 1" {
	tsdb T small
	# The first block went up with other labels.
	tsdb-watch --once --tsdb.path=T | head -n 1 |
		block-upload --bucket="file://$D/bk" --label=cluster=eu1 --label=replica=b
	rm T/thanos.shipper.json
	cp "bk/${BLK[0]}/meta.json" theirs.json
	run -1 --separate-stderr ship T --bucket="file://$D/bk" "${LBL[@]}" --retry-interval=100ms
	[ "$(grep -c "event=failed ulid=${BLK[0]} " <<<"$output")" -ge 3 ]
	[[ $output == *"event=failed ulid=${BLK[0]} attempt=1 "*"error=\"${BLK[0]}/meta.json is in the bucket already and does not match the local block: its external labels differ\" retry_in=100ms path=$D/T/${BLK[0]}"* ]]
	[ "$(grep "event=failed ulid=${BLK[0]} " <<<"$output" | grep -c retry_in=never)" -eq 1 ]
	[[ $output == *"event=uploaded ulid=${BLK[1]} "* ]]
	[[ $output == *"event=uploaded ulid=${BLK[2]} "* ]]
	[[ $stderr == *'level=error msg="upload failed"'* ]]
	cmp theirs.json "bk/${BLK[0]}/meta.json"
	shipper_is T "${BLK[1]}" "${BLK[2]}"
}

@test "what a killed run left (a staging dir, a partial object) is replaced; the block is shipped once" {
	tsdb T small
	b=${BLK[0]}
	mkdir -p "T/thanos/upload/$b/chunks" "bk/$b/chunks"
	echo junk >"T/thanos/upload/$b/chunks/000001"
	head -c 100 "T/$b/chunks/000001" >"bk/$b/chunks/000001"
	run -0 ship T --bucket="file://$D/bk" "${LBL[@]}"
	[ "$(grep -c "event=uploaded ulid=$b " <<<"$output")" -eq 1 ]
	same_block "bk/$b" "T/$b"
	[ -z "$(ls T/thanos/upload)" ]
}

@test "a block gone from disk before it is read is reported, the rest ship, exit 1" {
	tsdb T small
	printf '%s\n' "$D/T/01BX5ZZKBKACTAV9WEVGEMMVRZ" "$D/T/${BLK[0]}" >in
	run -1 --separate-stderr block-upload --bucket="file://$D/bk" "${LBL[@]}" <in
	[[ ${lines[0]} == *"event=gone ulid=01BX5ZZKBKACTAV9WEVGEMMVRZ attempt=1 seconds="*" error=\"$D/T/01BX5ZZKBKACTAV9WEVGEMMVRZ: No such file or directory\" retry_in=never path=$D/T/01BX5ZZKBKACTAV9WEVGEMMVRZ" ]]
	[[ ${lines[1]} == *"event=uploaded ulid=${BLK[0]} "* ]]
	[[ $stderr == *'msg="block gone from disk before it was shipped"'* ]]
}

@test "compacted blocks ship with --upload-compacted, unless they overlap the bucket's blocks of the same labels" {
	tsdb T small
	run -0 ship T --bucket="file://$D/bk" "${LBL[@]}"
	# Prometheus compacted the first two blocks into one.
	c=01BX5ZZKBKACTAV9WEVGEMMVS6
	cp -r "T/${BLK[0]}" "T/$c"
	jq --tab --slurpfile b "T/${BLK[1]}/meta.json" \
		".ulid = \"$c\" | .maxTime = \$b[0].maxTime | .compaction.level = 2 |
		 .compaction.sources = [\"${BLK[0]}\", \"${BLK[1]}\"]" \
		"T/${BLK[0]}/meta.json" >"T/$c/meta.json"
	run -0 --separate-stderr ship T --bucket="file://$D/bk" "${LBL[@]}"
	[ -z "$output" ]
	run -1 --separate-stderr bash -c "tsdb-watch --once --upload-compacted --tsdb.path=T |
		block-upload --bucket=file://$D/bk ${LBL[*]} --retry-interval=10ms"
	[[ $output == *"event=failed ulid=$c attempt=1 "*"error=\"found overlap or error during sync, cannot upload compacted block, details: block $c ["*") overlaps ${BLK[0]} ["* ]]
	[ ! -e "bk/$c" ]
	# Into a bucket without its sources, it ships as it is.
	rm T/thanos.shipper.json
	run -0 bash -c "tsdb-watch --once --upload-compacted --tsdb.path=T | grep $c |
		block-upload --bucket=file://$D/bk2 ${LBL[*]}"
	[[ $output == *"event=uploaded ulid=$c "* ]]
	check_meta "bk2/$c/meta.json" "T/$c" '{"cluster":"eu1","replica":"a"}'
	jq -e '.compaction.level == 2 and (.compaction.sources | length) == 2' "bk2/$c/meta.json"
}

@test "S3: tsdb-watch | block-upload to moto, every object checked with awscli, multipart, no open uploads" {
	need_moto
	tsdb T big
	s3yml mp.yml -e 's/^  region: .*/&\n  part_size: 5242880/'
	run -0 --separate-stderr ship T --objstore.config-file=mp.yml "${LBL[@]}"
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[0]} == *" event=uploaded ulid=${BLK[0]} "* ]]
	[[ ${lines[1]} == *" event=uploaded ulid=${BLK[1]} "* ]]
	[[ $stderr != *"$S3_SECRET"* && $output != *"$S3_SECRET"* ]]
	# awscli lists exactly the objects Thanos uploads, and they are ours.
	run -0 moto_aws s3api list-objects-v2 --bucket strata --prefix "$PFX/"
	[ "$(jq -r '.Contents[].Key' <<<"$output" | sort)" = \
		"$(for b in "${BLK[@]}"; do (cd T && find "$b/chunks" "$b/index" -type f; echo "$b/meta.json"); done |
		   sed "s|^|$PFX/|" | sort)" ]
	moto_aws s3 cp --recursive --quiet "s3://strata/$PFX/" down/
	for b in "${BLK[@]}"; do
		same_block "down/$b" "T/$b"
		check_meta "down/$b/meta.json" "T/$b" '{"cluster":"eu1","replica":"a"}'
	done
	# The 8 MiB chunk file went up in two parts.
	[ "$(stat -c %s "T/${BLK[0]}/chunks/000001")" -gt 5242880 ]
	run -0 moto_aws s3api head-object --bucket strata --key "$PFX/${BLK[0]}/chunks/000001"
	[[ $(jq -r .ETag <<<"$output") == *-2'"' ]]
	run -0 moto_aws s3api list-multipart-uploads --bucket strata --prefix "$PFX/"
	[ "$(jq '.Uploads // [] | length' <<<"$output")" -eq 0 ]
	shipper_is T "${BLK[@]}"

	# A multipart upload that S3 refuses to complete (1 MiB parts:
	# EntityTooSmall) fails the block and is aborted: no parts left.
	PFX=$PFX-small
	s3yml small.yml -e 's/^  region: .*/&\n  part_size: 1048576/'
	rm T/thanos.shipper.json
	run -1 --separate-stderr ship T --objstore.config-file=small.yml "${LBL[@]}" --retry-interval=10ms
	[[ $output == *"event=failed ulid=${BLK[0]} attempt=1 "*"error=\"put s3://strata/$PFX/${BLK[0]}/chunks/000001: 400 EntityTooSmall"* ]]
	[ "$(grep "event=failed ulid=${BLK[0]} " <<<"$output" | grep -c retry_in=never)" -eq 1 ]
	run -0 moto_aws s3api list-multipart-uploads --bucket strata --prefix "$PFX/"
	[ "$(jq '.Uploads // [] | length' <<<"$output")" -eq 0 ]
	run -0 moto_aws s3api list-objects-v2 --bucket strata --prefix "$PFX/${BLK[0]}/"
	[ "$(jq '.Contents // [] | length' <<<"$output")" -eq 0 ]
	[ ! -e T/thanos.shipper.json ] || ! grep -q "${BLK[0]}" T/thanos.shipper.json
}

@test "S3: a wrong secret is a clear error; nothing uploaded, nothing recorded, no secret shown" {
	need_moto
	tsdb T small
	s3yml bad.yml -e 's/^  secret_key: .*/  secret_key: Wr0ngSecretValue42/'
	run -1 --separate-stderr ship T --objstore.config-file=bad.yml "${LBL[@]}" --retry-interval=10ms
	[[ ${lines[0]} == *"event=failed ulid=${BLK[0]} attempt=1 "*"error=\"get s3://strata/$PFX/${BLK[0]}/meta.json: 403 SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided. Check your key and signing method.\""* ]]
	for b in "${BLK[@]}"; do
		[ "$(grep "event=failed ulid=$b " <<<"$output" | grep -c retry_in=never)" -eq 1 ]
	done
	[ "$(grep -c -v 'event=failed' <<<"$output")" -eq 0 ]
	[[ $stderr == *"403 SignatureDoesNotMatch"* ]]
	[[ "$output$stderr" != *Wr0ngSecretValue42* && "$output$stderr" != *"$S3_SECRET"* ]]
	[ ! -e T/thanos.shipper.json ]
	run -0 moto_aws s3api list-objects-v2 --bucket strata --prefix "$PFX/"
	[ "$(jq '.Contents // [] | length' <<<"$output")" -eq 0 ]
}

@test "S3: the endpoint killed mid-upload and started again; meta.json never seen before the rest" {
	need_moto
	tsdb T big
	b=${BLK[0]}
	port=$(freeport)
	s3yml px.yml -e "s/^  endpoint: .*/  endpoint: 127.0.0.1:$port/" \
		-e 's/^  region: .*/&\n  part_size: 5242880/'
	s3yml direct.yml
	start_proxy "$port" --stall-after=3000000 --stall-file=stalled
	poll_bucket direct.yml "$b"
	bg bash -c 'tsdb-watch --once --tsdb.path=T | block-upload --objstore.config-file=px.yml "$@" >out 2>err; echo $? >rc' \
		- "${LBL[@]}"
	# Mid-way through the first part of the chunk file: kill, and start
	# again a second later on the same port.
	wait_until 60 test -e stalled
	kill -KILL "$PROXY_PID"
	wait "$PROXY_PID" || true
	sleep 1
	start_proxy "$port"
	wait_until 120 test -s rc
	[ "$(cat rc)" -eq 0 ]
	grep -q "event=uploaded ulid=$b " out
	grep -q "event=uploaded ulid=${BLK[1]} " out
	touch stop
	wait "$POLL_PID"
	run -0 check_snaps "T/$b"
	echo "$output"
	[ "${output#* }" -ge 1 ]
	moto_aws s3 cp --recursive --quiet "s3://strata/$PFX/" down/
	same_block "down/$b" "T/$b"
	same_block "down/${BLK[1]}" "T/${BLK[1]}"
	run -0 moto_aws s3api list-multipart-uploads --bucket strata --prefix "$PFX/"
	[ "$(jq '.Uploads // [] | length' <<<"$output")" -eq 0 ]
	shipper_is T "${BLK[@]}"
}

@test "S3: block-upload killed (SIGKILL) mid-block and run again: the block ends up whole, uploaded once" {
	need_moto
	tsdb T big
	b=${BLK[0]}
	port=$(freeport)
	s3yml px.yml -e "s/^  endpoint: .*/  endpoint: 127.0.0.1:$port/" \
		-e 's/^  region: .*/&\n  part_size: 5242880/'
	start_proxy "$port" --stall-after=3000000 --stall-file=stalled
	tsdb-watch --once --tsdb.path=T >list
	bg_stdin list block-upload --objstore.config-file=px.yml "${LBL[@]}" >out1 2>err1
	pid=$(tail -n 1 "$BATS_TEST_TMPDIR/pids")
	wait_until 60 test -e stalled
	kill -KILL "$pid"
	wait "$pid" || true
	# Invisible to readers, and not recorded.
	run ! moto_aws s3api head-object --bucket strata --key "$PFX/$b/meta.json"
	[ ! -e T/thanos.shipper.json ]
	# Again, through the same endpoint (new connections go through).
	run -0 --separate-stderr block-upload --objstore.config-file=px.yml "${LBL[@]}" <list
	[[ ${lines[0]} == *"event=uploaded ulid=$b "* ]]
	moto_aws s3 cp --recursive --quiet "s3://strata/$PFX/$b/" "down/$b/"
	same_block "down/$b" "T/$b"
	[ "$(grep -c "\"PUT /strata/$PFX/$b/meta.json HTTP/1.1\" 200" "$MOTO_DIR/moto.log")" -eq 1 ]
	# The killed process could not abort its multipart upload: those
	# parts wait for the bucket's lifecycle rule (man page, CAVEATS).
	run -0 moto_aws s3api list-multipart-uploads --bucket strata --prefix "$PFX/"
	[ "$(jq '.Uploads // [] | length' <<<"$output")" -le 1 ]
	shipper_is T "${BLK[@]}"
}

@test "S3: SIGTERM mid-block abandons it cleanly (multipart aborted, nothing recorded), exit 0; the next run ships it" {
	need_moto
	tsdb T big
	b=${BLK[0]}
	port=$(freeport)
	s3yml px.yml -e "s/^  endpoint: .*/  endpoint: 127.0.0.1:$port/" \
		-e 's/^  region: .*/&\n  part_size: 5242880/'
	start_proxy "$port" --stall-after=3000000 --stall-file=stalled
	tsdb-watch --once --tsdb.path=T >list
	bg_stdin list block-upload --objstore.config-file=px.yml "${LBL[@]}" >out1 2>err1
	pid=$(tail -n 1 "$BATS_TEST_TMPDIR/pids")
	wait_until 60 test -e stalled
	kill -TERM "$pid"
	wait "$pid"
	[[ $(cat out1) == *"event=aborted ulid=$b attempt=1 "*"path=$D/T/$b" ]]
	[ "$(wc -l <out1)" -eq 1 ]
	grep -q 'msg="abandoned at a signal; it is uploaded again next time"' err1
	grep -q "DELETE /strata/$PFX/$b/chunks/000001?uploadId=" "$MOTO_DIR/moto.log"
	run -0 moto_aws s3api list-multipart-uploads --bucket strata --prefix "$PFX/"
	[ "$(jq '.Uploads // [] | length' <<<"$output")" -eq 0 ]
	run ! moto_aws s3api head-object --bucket strata --key "$PFX/$b/meta.json"
	[ ! -e T/thanos.shipper.json ]
	[ -z "$(ls T/thanos/upload)" ]
	run -0 --separate-stderr block-upload --objstore.config-file=px.yml "${LBL[@]}" <list
	[[ ${lines[0]} == *"event=uploaded ulid=$b "* ]]
	shipper_is T "${BLK[@]}"
}

@test "S3: the block deleted from disk during its upload still ships whole" {
	need_moto
	tsdb T big
	b=${BLK[0]}
	port=$(freeport)
	s3yml px.yml -e "s/^  endpoint: .*/  endpoint: 127.0.0.1:$port/" \
		-e 's/^  region: .*/&\n  part_size: 5242880/'
	start_proxy "$port" --stall-after=3000000 --stall-file=stalled
	bg bash -c 'tsdb-watch --once --tsdb.path=T | block-upload --objstore.config-file=px.yml "$@" >out 2>err; echo $? >rc' \
		- "${LBL[@]}"
	wait_until 60 test -e stalled
	# Retention deletes it; the staged links keep its files alive.
	mkdir saved
	cp -r "T/$b" saved/
	rm -r "T/$b"
	kill -KILL "$PROXY_PID"
	wait "$PROXY_PID" || true
	start_proxy "$port"
	wait_until 120 test -s rc
	[ "$(cat rc)" -eq 0 ]
	grep -q "event=uploaded ulid=$b " out
	moto_aws s3 cp --recursive --quiet "s3://strata/$PFX/$b/" "down/$b/"
	same_block "down/$b" "saved/$b"
	check_meta "down/$b/meta.json" "saved/$b" '{"cluster":"eu1","replica":"a"}'
	[ -z "$(ls T/thanos/upload)" ]
}

@test "S3 down for longer than the request retries: the block fails, is tried again while input is open, and ships" {
	need_moto
	tsdb T small
	port=$(freeport)
	s3yml px.yml -e "s/^  endpoint: .*/  endpoint: 127.0.0.1:$port/" \
		-e 's/^  insecure: true/&\n  max_retries: 1/'
	mkfifo in
	bg_stdin in block-upload --objstore.config-file=px.yml "${LBL[@]}" --retry-interval=1s >out 2>err
	pid=$(tail -n 1 "$BATS_TEST_TMPDIR/pids")
	echo "$D/T/${BLK[0]}" >in
	wait_until 30 grep -q "event=failed ulid=${BLK[0]} attempt=1 .* retry_in=1s " out
	grep -q "Failed to connect to 127.0.0.1 port $port" out
	start_proxy "$port"
	wait_until 30 grep -q "event=uploaded ulid=${BLK[0]} " out
	echo "$D/T/${BLK[1]}" >in
	wait_until 30 grep -q "event=uploaded ulid=${BLK[1]} " out
	kill -TERM "$pid"
	wait "$pid"
	shipper_is T "${BLK[0]}" "${BLK[1]}"
}

@test "a real Prometheus 2.42 cutting blocks: each is shipped as it appears, with Prometheus' external labels" {
	cat >prom.yml <<'YML'
global:
  scrape_interval: 1s
  external_labels:
    cluster: eu1
    replica: prometheus-0
scrape_configs:
- job_name: down
  static_configs:
  - targets: ['127.0.0.1:1']
YML
	# A target that is never up still gives up, scrape_duration_seconds
	# and the like every second: data for a 4 s block.
	start_prometheus prom.yml --storage.tsdb.min-block-duration=4s \
		--storage.tsdb.max-block-duration=4s
	wait_until 60 prometheus_ready
	data=$BATS_TEST_TMPDIR/prom-${PROM_URL##*:}
	mkfifo pipe
	bg_stdin pipe block-upload --bucket="file://$D/bk" --prometheus.url="$PROM_URL" >out 2>err
	# An interval that never comes: only inotify finds the block.
	bg tsdb-watch --tsdb.path="$data" --interval=1h >pipe 2>tw.err
	wait_until 120 grep -q event=uploaded out
	b=$(sed -n 's/.* event=uploaded ulid=\([0-9A-Z]*\) .*/\1/p' out | head -n 1)
	grep -q 'msg="external labels from Prometheus".*labels="{cluster=\\"eu1\\", replica=\\"prometheus-0\\"}"' err
	grep -q 'level=warn msg="found that TSDB block time is not 2h. Only 2h block time is recommended." block-time=4s' err
	jq -e '.thanos.labels == {cluster: "eu1", replica: "prometheus-0"} and
		.thanos.source == "sidecar" and .compaction.level == 1' "bk/$b/meta.json"
	# Prometheus keeps its blocks (no retention in reach): compare.
	same_block "bk/$b" "$data/$b"
	grep -q "\"$b\"" "$data/thanos.shipper.json"
}

@test "Prometheus checked as Thanos checks it: local compaction on, no external labels, not reachable" {
	: >empty.yml
	# Its defaults: 2h blocks, compacted locally up to 10% of the
	# retention.
	start_prometheus empty.yml
	wait_until 60 prometheus_ready
	run -1 --separate-stderr block-upload --bucket="file://$D/bk" --prometheus.url="$PROM_URL" </dev/null
	[ "${stderr##*$'\n'}" = "block-upload: validate Prometheus flags: found that TSDB Max time is 1d12h and Min time is 2h. Compaction needs to be disabled (storage.tsdb.min-block-duration = storage.tsdb.max-block-duration)" ]
	run -2 block-upload --bucket="file://$D/bk" --label=a=b --shipper.ignore-unequal-block-size
	run -1 --separate-stderr block-upload --bucket="file://$D/bk" --prometheus.url="$PROM_URL" \
		--shipper.ignore-unequal-block-size </dev/null
	[ "${stderr##*$'\n'}" = "block-upload: no external labels configured on Prometheus server, uniquely identifying external labels must be configured; see https://thanos.io/tip/thanos/storage.md#external-labels for details" ]
	port=$(freeport)
	run -1 --separate-stderr block-upload --bucket="file://$D/bk" \
		--prometheus.url="http://127.0.0.1:$port" --prometheus.ready_timeout=1s </dev/null
	[[ ${stderr##*$'\n'} == "block-upload: aborting as no external labels found after waiting 1s: GET http://127.0.0.1:$port/api/v1/status/flags: "* ]]
}

@test "a write error on stdout is reported with exit 1" {
	tsdb T small
	run -1 bash -c "tsdb-watch --once --tsdb.path=T | block-upload --bucket=file://$D/bk ${LBL[*]} >/dev/full"
	[[ $output == *"block-upload: write <stdout>: No space left on device"* ]]
	run -1 bash -c 'block-upload --version >/dev/full'
	[[ $output == *"write <stdout>"* ]]
}
