#!/usr/bin/env bash
# block-upload against the peers that move the same bytes, in the same
# run: "aws s3 cp --recursive" of the same blocks to the same moto S3
# server (signatures checked), and "cp -r" for a directory bucket.
# Prints wall time, CPU time (user + sys) and peak RSS of each, and the
# ratios.  The blocks (10,000 series x 2 h at 15 s, from the project's
# generator through promtool) come from scripts/bench-blocks, cached in
# bench/.cache/ for every benchmark.
#
#	SERIES=10000 HOURS=2 STEP=15 bench/block-upload.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/build/bin
series=${SERIES:-10000} hours=${HOURS:-2} step=${STEP:-15}
cache=$("$top/scripts/bench-blocks" "$series" "$hours" "$step")
tmp=$(mktemp -d)
moto_pid=
cleanup() {
	[ -z "$moto_pid" ] || kill "$moto_pid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
# shellcheck source=../scripts/pyenv-path
. "$top/scripts/pyenv-path"

# measure NAME CMD...: wall seconds, CPU seconds and peak RSS (KiB) of
# CMD into NAME_s, NAME_cpu and NAME_kib.
measure() {
	local name=$1 secs user sys kib
	shift
	/usr/bin/time -f '%e %U %S %M' -o "$tmp/$name.time" "$@" >"$tmp/$name.out" \
		2>"$tmp/$name.err"
	read -r secs user sys kib <"$tmp/$name.time"
	printf '  %-24s %7.2f s wall  %7.2f s CPU  %8d KiB peak RSS\n' "$name" \
		"$secs" "$(echo "$user + $sys" | bc)" "$kib"
	printf -v "${name}_s" '%s' "$secs"
	printf -v "${name}_cpu" '%s' "$(echo "$user + $sys" | bc)"
	printf -v "${name}_kib" '%s' "$kib"
}

# The TSDB dir to ship: hard links, so staging and copying cost the same
# for everyone.
cp -al "$cache" "$tmp/tsdb"
rm -f "$tmp/tsdb/thanos.shipper.json"
"$bin/tsdb-watch" --once --tsdb.path="$tmp/tsdb" >"$tmp/list"
bytes=$(xargs -I{} sh -c 'cat {}/chunks/* {}/index' <"$tmp/list" | wc -c)
nblocks=$(wc -l <"$tmp/list")
echo "block-upload vs aws s3 cp --recursive (moto) and cp -r: $nblocks blocks, $((bytes / 1048576)) MiB"

"$top/scripts/start-moto-s3" "$tmp/moto" >/dev/null
# shellcheck source=/dev/null
. "$tmp/moto/env"
moto_pid=$MOTO_PID
export AWS_ACCESS_KEY_ID=$S3_KEY AWS_SECRET_ACCESS_KEY=$S3_SECRET \
	AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null \
	AWS_SHARED_CREDENTIALS_FILE=/dev/null

# aws s3 cp: each block directory (its tombstones and meta.json too).
measure aws_s3_cp bash -c 'while read -r b; do
	aws --endpoint-url "http://$0" s3 cp --recursive --quiet "$b" \
	    "s3://strata/aws/${b##*/}/" || exit 1
done <"$1"' "$S3_ENDPOINT" "$tmp/list"
measure block_upload_s3 "$bin/block-upload" --objstore.config-file="$tmp/moto/objstore.yml" \
	--label=replica=bench <"$tmp/list"
grep -c event=uploaded "$tmp/block_upload_s3.out" | grep -qx "$nblocks"

# A local copy is over in milliseconds: five rounds each, to rise above
# the timer's resolution.
rounds=5
mkdir -p "$tmp/cp"
measure cp_r bash -c 'for i in $(seq "$2"); do
	mkdir "$0/$i" && while read -r b; do cp -r "$b" "$0/$i/" || exit 1; done <"$1"
done' "$tmp/cp" "$tmp/list" "$rounds"
measure block_upload_dir bash -c 'for i in $(seq "$3"); do
	rm -f "$2/thanos.shipper.json"
	"$0" --bucket="file://$1/$i" --label=replica=bench <"$2/../list" || exit 1
done' "$bin/block-upload" "$tmp/bucket" "$tmp/tsdb" "$rounds"
[ "$(grep -c event=uploaded "$tmp/block_upload_dir.out")" -eq $((nblocks * rounds)) ]

awk -v mb="$(echo "$bytes / 1048576" | bc -l)" \
    -v as="$aws_s3_cp_s" -v ac="$aws_s3_cp_cpu" -v ak="$aws_s3_cp_kib" \
    -v bs="$block_upload_s3_s" -v bc="$block_upload_s3_cpu" -v bk="$block_upload_s3_kib" \
    -v cs="$cp_r_s" -v cc="$cp_r_cpu" \
    -v ds="$block_upload_dir_s" -v dc="$block_upload_dir_cpu" -v r="$rounds" 'BEGIN {
	if (bs < 0.01) bs = 0.01
	if (ds < 0.01) ds = 0.01
	if (bc < 0.01) bc = 0.01
	if (dc < 0.01) dc = 0.01
	printf "  S3:  block-upload %.1f MiB/s, aws s3 cp %.1f MiB/s: %.2fx the throughput, %.1fx less CPU, %.1fx less peak RSS\n", mb / bs, mb / as, as / bs, ac / bc, ak / bk
	if (cs < 0.01) cs = 0.01
	printf "  dir: block-upload %.1f MiB/s, cp -r %.1f MiB/s: %.2fx the throughput (block-upload fsyncs every object, cp does not), CPU %.2f s vs %.2f s\n", mb * r / ds, mb * r / cs, cs / ds, dc, cc
}'
