#!/usr/bin/env bash
# store-serve --once against promtool tsdb dump, on the same real blocks:
# 10,000 series x 2 h at 15 s (4.8 million samples) from the project's own
# generator, imported by promtool.  Prints wall time and peak RSS of both,
# the ratio, and the XOR decode rate.  Blocks are cached in bench/.cache/
# (git-ignored) so a second run skips the import.
#
#	SERIES=10000 HOURS=2 STEP=15 bench/store-serve-once.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/build/bin
series=${SERIES:-10000} hours=${HOURS:-2} step=${STEP:-15}
cache=$("$top/scripts/bench-blocks" "$series" "$hours" "$step")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT


# measure NAME CMD...: wall seconds and peak RSS (KiB) of CMD into
# NAME_s and NAME_kib; its output is kept in $tmp/NAME.out.
measure() {
	local name=$1 secs kib
	shift
	/usr/bin/time -f '%e %M' -o "$tmp/$name.time" "$@" >"$tmp/$name.out"
	read -r secs kib <"$tmp/$name.time"
	printf '  %-22s %7.2f s  %8d KiB peak RSS\n' "$name" "$secs" "$kib"
	printf -v "${name}_s" '%s' "$secs"
	printf -v "${name}_kib" '%s' "$kib"
}

# promtool writes chunks_head/ into what it dumps: give it a copy.
cp -r "$cache" "$tmp/promdb"
echo "store-serve --once vs promtool tsdb dump: $series series, ${hours}h at ${step}s"
measure promtool promtool tsdb dump "$tmp/promdb"
measure store_serve "$bin/store-serve" --once --bucket="$cache"
measure store_serve_chunks "$bin/store-serve" --once --bucket="$cache" --format=chunks
awk -v p="$promtool_s" -v s="$store_serve_s" -v c="$store_serve_chunks_s" \
    -v pk="$promtool_kib" -v sk="$store_serve_kib" \
    -v n="$(wc -l <"$tmp/promtool.out")" 'BEGIN {
	if (s < 0.01) s = 0.01
	if (c < 0.01) c = 0.01
	printf "  samples: %d\n", n
	printf "  ratio: store-serve %.1fx faster than promtool (values), %.1fx (chunks); %.1fx less peak RSS\n", p / s, p / c, pk / sk
}'
"$top/build/bench/xor-decode" "$cache"/01* | sed 's/^/  XOR decode: /'
