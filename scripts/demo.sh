#!/bin/sh
# scripts/demo.sh BUILD_DIR — the main job on the bundled default config
# (called by `make demo` after the build): meta-train an RL² GRU on 5-armed
# bandits (10M agent steps, about two minutes of CPU) and meta-test it beside
# the random and oracle agents on the same 1000 held-out bandits, compared with random
# trial by trial; then the scaled-down SNAIL maze table (configs/snail_maze_quick.yaml).
set -eu
BUILD=${1:-build}
M="$BUILD/metarl"
echo "== plugins on the search path"
"$M" plugins
echo
echo "== meta-train RL² (GRU 64) on an endless stream of 5-armed bandits, 10 pulls per trial"
"$M" train configs/bandit_k5_n10.yaml out=results/demo
echo
echo "== meta-test on 1000 held-out bandits (paper, RL² Table 1: random 5.0, RL² 6.7)"
"$M" eval results/demo/bandit_k5_n10 --out results/demo/bandit_k5_n10/eval_rl2 | tail -4
"$M" eval configs/bandit_k5_n10.yaml --agent random --out results/demo/bandit_random | tail -4
"$M" eval configs/bandit_k5_n10.yaml --agent oracle --out results/demo/bandit_oracle | tail -4
echo
echo "== RL² against random on the same bandits, trial by trial (metarl compare: paired t-test)"
# to a file first: a pipe into sed would hide compare's exit status from `set -e`
"$M" compare results/demo/bandit_random results/demo/bandit_k5_n10/eval_rl2 \
    > results/demo/compare_rl2_random.md
sed -n '/^A: /,/^B: /p; /^| |/,/^| episode 3 return/p' results/demo/compare_rl2_random.md
echo
echo "== the SNAIL maze table, scaled down (RL² GRU and LSTM trained 600k steps side by side; ~1 min)"
echo "   the full table: metarl table configs/snail_maze.yaml --jobs 2 (results/reference/snail_maze)"
"$M" table configs/snail_maze_quick.yaml --jobs 2 out=results/demo --out results/demo/snail_maze_quick | sed -n '/^# /,$p'
