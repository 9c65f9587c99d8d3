#!/bin/sh
# scripts/demo.sh BUILD_DIR — the main job on the bundled default config
# (called by `make demo` after the build).
set -eu
BUILD=${1:-build}
echo "== metarl: plugins on the search path"
"$BUILD/metarl" plugins
echo
echo "== meta-test a random agent on 1000 held-out 5-armed bandits (10 pulls per trial)"
"$BUILD/metarl" eval configs/bandit_k5_n10.yaml --agent random --out results/demo/bandit_random
