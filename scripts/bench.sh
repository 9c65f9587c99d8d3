#!/bin/sh
# scripts/bench.sh BUILD_DIR — the project's benchmarks; results in results/bench/
# (called by `make bench`). Speeds depend on the machine and its load: compare
# the ratios each file reports against its in-run reference.
set -eu
BUILD=${1:-build}
mkdir -p results/bench
"$BUILD/metarl" bench runner --out results/bench/runner.txt
"$BUILD/metarl" bench env maze --out results/bench/env_maze.md
"$BUILD/metarl" bench train configs/bandit_k5_n100.yaml --out results/bench/train.md
"$BUILD/metarl" bench train configs/bandit_k5_n100.yaml agent.hidden=256 --out results/bench/train.md
echo "results in results/bench/"
