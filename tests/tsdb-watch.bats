#!/usr/bin/env bats
# tsdb-watch: which blocks of a TSDB directory are ready and unshipped,
# on real blocks made by promtool and on their damaged or edited copies;
# Thanos' shipper file; the retention warning; watch mode with inotify,
# SIGHUP, SIGTERM and a reader that goes away.  The pipe into
# block-upload, with a real Prometheus cutting blocks, is in
# block-upload.bats.

load helper

# Three level-1 blocks of 5 h of data, made once for the file.
setup_file() {
	local d=$BATS_FILE_TMPDIR/src
	mkdir -p "$d"
	"$TOP/scripts/gen-openmetrics" 30 5 60 3 >"$d/g.om"
	promtool tsdb create-blocks-from openmetrics -q "$d/g.om" "$d/B" >/dev/null
	rm -f "$d/g.om"
}

setup() {
	D=$BATS_TEST_TMPDIR/work
	mkdir -p "$D"
	cd "$D"
	cp -r "$BATS_FILE_TMPDIR/src/B" T
	mkdir T/wal T/chunks_head
	mapfile -t BLOCKS < <(cd T && ls -d 01*)
	[ "${#BLOCKS[@]}" -eq 3 ]
}

# fake NEW-ULID JQ: a copy of the first block under another ULID, its
# meta.json edited by JQ.
fake() {
	cp -r "T/${BLOCKS[0]}" "T/$1"
	jq --tab ".ulid = \"$1\" | $2" "T/${BLOCKS[0]}/meta.json" >"T/$1/meta.json"
}

# count_is FILE PATTERN N: FILE has N lines matching PATTERN.
count_is() {
	[ "$(grep -c "$2" "$1")" -eq "$3" ]
}

# shipped ULID...: a shipper file as Thanos' sidecar writes it.
shipped() {
	jq -n --tab '{version: 1, uploaded: $ARGS.positional}' --args "$@" \
		>T/thanos.shipper.json
}

@test "--help, --version, usage and bad directories" {
	run -0 --separate-stderr tsdb-watch --help
	[[ $output == usage:* ]]
	[ -z "$stderr" ]
	run -0 tsdb-watch --version
	[[ $output =~ ^tsdb-watch\ [0-9] ]]
	run -2 tsdb-watch --bogus
	run -2 --separate-stderr tsdb-watch --once
	[ "$stderr" = "tsdb-watch: --tsdb.path is required" ]
	run -2 --separate-stderr tsdb-watch --once --tsdb.path=T --interval=5x
	[[ $stderr == "tsdb-watch: --interval: bad duration '5x'"* ]]
	run -2 tsdb-watch --once --tsdb.path=T --tsdb.retention=0s
	run -2 tsdb-watch --once --tsdb.path=T extra
	run -1 --separate-stderr tsdb-watch --once --tsdb.path=nope
	[ "$stderr" = "tsdb-watch: nope: No such file or directory" ]
	run -1 --separate-stderr tsdb-watch --once --tsdb.path="T/${BLOCKS[0]}/index"
	[ "$stderr" = "tsdb-watch: T/${BLOCKS[0]}/index: not a directory" ]
	mkdir empty
	run -0 --separate-stderr tsdb-watch --once --tsdb.path=empty
	[ -z "$output$stderr" ]
	run -1 bash -c 'tsdb-watch --once --tsdb.path=T >/dev/full'
	[[ $output == *"write <stdout>: No space left on device"* ]]
}

@test "--once: complete level-1 blocks, oldest first, absolute paths" {
	run -0 --separate-stderr tsdb-watch --once --tsdb.path=T
	[ "$output" = "$(printf "$D/T/%s\n" "${BLOCKS[@]}")" ]
	[ -z "$stderr" ]
	# Through a symlink and a relative path: still absolute and real.
	ln -s T link
	run -0 tsdb-watch --once --tsdb.path=./link/
	[ "${lines[0]}" = "$D/T/${BLOCKS[0]}" ]

	# Oldest by minTime, not by name: this ULID sorts first by name but
	# holds the newest data.
	fake 01BX5ZZKBKACTAV9WEVGEMMVRZ '.minTime = 1800000000000 | .maxTime = 1800000001000'
	# Not ready, not ours, or not to be shipped: Prometheus' temporary
	# and deleted dirs, a block without meta.json, one with a broken
	# meta.json, one whose meta.json names another block, an empty
	# block, a compacted block.
	cp -r "T/${BLOCKS[1]}" "T/01BX5ZZKBKACTAV9WEVGEMMVS0.tmp-for-creation"
	cp -r "T/${BLOCKS[1]}" "T/01BX5ZZKBKACTAV9WEVGEMMVS1.tmp-for-deletion"
	mkdir T/01BX5ZZKBKACTAV9WEVGEMMVS2
	cp -r "T/${BLOCKS[1]}" T/01BX5ZZKBKACTAV9WEVGEMMVS3
	echo '{"ulid": ' >T/01BX5ZZKBKACTAV9WEVGEMMVS3/meta.json
	cp -r "T/${BLOCKS[1]}" T/01BX5ZZKBKACTAV9WEVGEMMVS4
	fake 01BX5ZZKBKACTAV9WEVGEMMVS5 '.stats.numSamples = 0'
	fake 01BX5ZZKBKACTAV9WEVGEMMVS6 '.compaction.level = 2'
	touch T/01BX5ZZKBKACTAV9WEVGEMMVS7
	run -0 --separate-stderr tsdb-watch --once --tsdb.path=T
	[ "$output" = "$(printf "$D/T/%s\n" "${BLOCKS[@]}" 01BX5ZZKBKACTAV9WEVGEMMVRZ)" ]
	# The broken ones are named on stderr, in logfmt; the others are
	# not worth a word.
	[ "$(grep -c 'level=warn msg="skipping a block without a good meta.json"' <<<"$stderr")" -eq 3 ]
	[[ $stderr == *"block=$D/T/01BX5ZZKBKACTAV9WEVGEMMVS2 "*"No such file or directory"* ]]
	[[ $stderr == *"block=$D/T/01BX5ZZKBKACTAV9WEVGEMMVS3 "* ]]
	[[ $stderr == *"ulid ${BLOCKS[1]} does not match its directory"* ]]
	# Compacted blocks only when asked.  This one starts with the first
	# block and sorts before it by ULID.
	run -0 --separate-stderr tsdb-watch --once --tsdb.path=T --upload-compacted
	[ "${lines[0]}" = "$D/T/01BX5ZZKBKACTAV9WEVGEMMVS6" ]
	[ "${#lines[@]}" -eq 5 ]
}

@test "blocks in Thanos' shipper file are not listed; a broken file counts as empty" {
	shipped "${BLOCKS[0]}" "${BLOCKS[2]}"
	run -0 tsdb-watch --once --tsdb.path=T
	[ "$output" = "$D/T/${BLOCKS[1]}" ]
	# Thanos' empty list is null.
	printf '{\n\t"version": 1,\n\t"uploaded": null\n}\n' >T/thanos.shipper.json
	run -0 tsdb-watch --once --tsdb.path=T
	[ "${#lines[@]}" -eq 3 ]
	# Elsewhere, by flag.
	shipped "${BLOCKS[1]}"
	mv T/thanos.shipper.json elsewhere.json
	run -0 tsdb-watch --once --tsdb.path=T --shipper-file=elsewhere.json
	[ "$output" = "$(printf "$D/T/%s\n" "${BLOCKS[0]}" "${BLOCKS[2]}")" ]
	# Unreadable: Thanos starts from an empty list, and so do we, with a
	# warning naming the file.
	echo '{"version": 2}' >T/thanos.shipper.json
	run -0 --separate-stderr tsdb-watch --once --tsdb.path=T
	[ "${#lines[@]}" -eq 3 ]
	[[ $stderr == *'level=warn msg="shipper file unreadable: taking it as empty, as Thanos does" err="'"$D/T/thanos.shipper.json: version is not 1"* ]]
}

@test "a block not shipped and near Prometheus' retention is warned about" {
	# The blocks end 3h, 1h and 0h before the newest block's end, which
	# is what Prometheus measures retention from.
	run -0 --separate-stderr tsdb-watch --once --tsdb.path=T --tsdb.retention=3h
	[ "${#lines[@]}" -eq 3 ]
	[ "$(grep -c 'level=warn' <<<"$stderr")" -eq 1 ]
	[[ $stderr == *"near the end of Prometheus' retention"*"block=$D/T/${BLOCKS[0]} "*"retention=3h"* ]]
	run -0 --separate-stderr tsdb-watch --once --tsdb.path=T --tsdb.retention=15d
	[ -z "$stderr" ]
	# Shipped: nothing to lose.
	shipped "${BLOCKS[0]}"
	run -0 --separate-stderr tsdb-watch --once --tsdb.path=T --tsdb.retention=3h
	[ -z "$stderr" ]
}

@test "watch: new blocks printed once each as Prometheus renames them in; SIGHUP; SIGTERM exits 0" {
	mv "T/${BLOCKS[2]}" spare
	shipped "${BLOCKS[0]}"
	# An interval long enough that only inotify can find the block.
	bg tsdb-watch --tsdb.path=T --interval=1h --log.level=debug >out 2>err
	pid=$(tail -n 1 "$BATS_TEST_TMPDIR/pids")
	wait_until 20 grep -q "${BLOCKS[1]}" out
	# Prometheus writes a block under a temporary name and renames it.
	cp -r spare "T/${BLOCKS[2]}.tmp-for-creation"
	sleep 0.3
	[ "$(wc -l <out)" -eq 1 ]
	mv "T/${BLOCKS[2]}.tmp-for-creation" "T/${BLOCKS[2]}"
	wait_until 20 grep -q "${BLOCKS[2]}" out
	# Events and rescans print nothing twice.
	touch T/other
	kill -HUP "$pid"
	wait_until 10 grep -q 'msg="SIGHUP: rescanning"' err
	sleep 0.3
	[ "$(cat out)" = "$(printf "$D/T/%s\n" "${BLOCKS[1]}" "${BLOCKS[2]}")" ]
	# A block that block-upload records is never printed; one that
	# comes back after being deleted is new again.
	shipped "${BLOCKS[0]}" "${BLOCKS[1]}" "${BLOCKS[2]}"
	rm -r "T/${BLOCKS[0]}"
	cp -r spare "T/${BLOCKS[2]}.tmp"
	rm -r "T/${BLOCKS[2]}"
	# Seen gone (one block left) before it comes back.
	wait_until 20 grep -q 'msg=scanned .* blocks=1 ' err
	shipped "${BLOCKS[0]}" "${BLOCKS[1]}"
	mv "T/${BLOCKS[2]}.tmp" "T/${BLOCKS[2]}"
	wait_until 20 count_is out "${BLOCKS[2]}" 2
	[ "$(wc -l <out)" -eq 3 ]
	kill -TERM "$pid"
	wait "$pid"
	grep -q 'msg=exiting signal=Terminated' err
}

@test "watch: stops by itself when the reader of its output goes away" {
	# head takes the one line and leaves; we notice without waiting for
	# the next block (and the SIGPIPE it would bring), and the pipeline
	# ends.
	shipped "${BLOCKS[0]}" "${BLOCKS[2]}"
	run -0 timeout 20 bash -c 'tsdb-watch --tsdb.path=T --interval=1h 2>err | head -n 1'
	[ "$output" = "$D/T/${BLOCKS[1]}" ]
	grep -q 'the reader has gone' err
}
