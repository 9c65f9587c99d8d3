#!/bin/sh
# rl2_tune.sh SRC METARL — scripts/rl2_tune.sh on a tiny bandit run: it trains and
# meta-tests on the tune seed (never the held-out one), writes one line per call whose
# figures are the two evaluations', retrains nothing when called again, and refuses a bad
# run name.
set -u
SRC=$1
METARL=$2
. "$(dirname "$0")/checks.sh"
cd "$T" || exit 1
tune() {
    METARL=$METARL OUT=$T/tune.tsv bash "$SRC/scripts/rl2_tune.sh" \
        "$SRC/configs/bandit_k5_n10.yaml" tiny agent.hidden=8 train.steps=2000 \
        train.batch_trials=40 tasks.test.count=30 "$@" >run.log 2>&1
}
check "runs" tune
check "header and one line" test "$(wc -l <tune.tsv)" = 2
check "the line names the run, config and overrides" \
    grep -q "^tiny	$SRC/configs/bandit_k5_n10.yaml	agent.hidden=8 train.steps=2000 train.batch_trials=40 tasks.test.count=30	" tune.tsv
field() { tail -n 1 tune.tsv | cut -f "$1"; }
mean() { sed -n 's/.*"trial_return": {"mean": \([^,]*\),.*/\1/p' "$1"; }
check "argmax figure is the rl2_greedy evaluation's" \
    test "$(field 4)" = "$(mean results/tiny_g/summary.json)"
check "sampled figure is the sampling evaluation's" \
    test "$(field 6)" = "$(mean results/tiny/summary.json)"
check "the two evaluations are of the two agents" sh -c \
    'grep -q "\"agent\": \"rl2_greedy\"" results/tiny_g/summary.json &&
     grep -q "\"agent\": \"rl2\"" results/tiny/summary.json'
# the test set's block of the written config: "  test:", "    count: 30", "    seed: 77"
tuneset() { grep -A 2 '^  test:$' "$1" | tail -n 1 | grep -qx '    seed: 77'; }
check "trained on the tune seed" tuneset results/tiny/config.yaml
check "evaluated on the tune seed" tuneset results/tiny_g/config.yaml
check "30 tune tasks evaluated" grep -q '"tasks": 30,' results/tiny_g/summary.json
cp results/tiny/progress.csv first.csv
check "called again" tune
check "nothing retrained" cmp -s first.csv results/tiny/progress.csv
check "same figures again" sh -c 'test "$(sed -n 2p tune.tsv)" = "$(sed -n 3p tune.tsv)"'
check "a bad run name is refused" sh -c \
    "! METARL=$METARL OUT=$T/bad.tsv bash $SRC/scripts/rl2_tune.sh x 'a b' 2>err.txt"
check "naming it" grep -q "NAME 'a b' must match" err.txt
check "and writing nothing" test ! -e bad.tsv
finish 15
