#!/bin/sh
# scripts/bench.sh BUILD_DIR — the project's benchmarks; results in results/bench/.
set -eu
BUILD=${1:-build}
mkdir -p results/bench
"$BUILD/metarl" bench runner --out results/bench/runner.txt
