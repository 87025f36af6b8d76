#!/bin/sh
# floatfmt: ns per value of floatfmt_digits (Schubfach), floatfmt_g and the
# printf-strtod method it replaced, on random bit patterns and on
# decimal-looking values, in the release build.
#
# FLOATFMT_RANDOM=100000000 bench/floatfmt.sh also checks that many random
# bit patterns (and half as many decimal-looking values) against the
# exact reference first: some minutes.  FLOATFMT_SEED picks other values.
set -e
cd "$(dirname "$0")/.."
make -s build/unit/floatfmt_test
FLOATFMT_RANDOM=${FLOATFMT_RANDOM:-0} FLOATFMT_BENCH=1 \
    exec build/unit/floatfmt_test
