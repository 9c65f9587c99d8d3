#!/usr/bin/env bash
# rl2_tune.sh — one RL² tuning run, measured on a tune set and never on held-out tasks.
#
# Trains CONFIG with the given overrides as results/NAME, with
# tasks.test.seed=$TUNE_SEED (default 77): the config's test set is drawn with that seed
# instead (fresh tasks of the training distribution, which training then keeps out of
# its stream, as it does the held-out set). Then
# meta-tests the final checkpoint on that set twice, taking the most likely action
# (results/NAME_g) and sampling (results/NAME/eval), and appends one line to $OUT:
#     name  config  overrides  argmax_mean  argmax_se  sampled_mean  sampled_se  train_s
# Run it again with the same NAME and nothing is retrained (metarl train resumes a
# finished run); the evaluations are repeated and give the same numbers.
# The tuning rows of docs/training.md were measured this way, e.g.
#     scripts/rl2_tune.sh configs/mdp_n10.yaml tune_mdp_l95 train.lambda=0.95
#
# Usage: scripts/rl2_tune.sh CONFIG NAME [KEY=VALUE ...]
# Environment: METARL (default build/metarl), TUNE_SEED (77),
#              OUT (default results/tune/rl2_tune.tsv).
set -euo pipefail

if [ $# -lt 2 ]; then
    echo "usage: rl2_tune.sh CONFIG NAME [KEY=VALUE ...]" >&2
    exit 2
fi
config=$1
name=$2
shift 2
metarl=${METARL:-build/metarl}
seed=${TUNE_SEED:-77}
out=${OUT:-results/tune/rl2_tune.tsv}
case "$name" in
*[!A-Za-z0-9_.-]* | "")
    echo "rl2_tune.sh: error: NAME '$name' must match [A-Za-z0-9_.-]+" >&2
    exit 2
    ;;
esac

"$metarl" train "$config" "name=$name" "$@" "tasks.test.seed=$seed"
"$metarl" eval "results/$name" --agent rl2_greedy --out "results/${name}_g"
"$metarl" eval "results/$name"

# "trial_return": {"mean": M, "se": S, ...} of the (only) test set of a summary.json
trial_return() {
    sed -n 's/.*"trial_return": {"mean": \([^,]*\), "se": \([^,]*\),.*/\1\t\2/p' "$1" | head -n 1
}
g=$(trial_return "results/${name}_g/summary.json")
s=$(trial_return "results/$name/summary.json")
if [ -z "$g" ] || [ -z "$s" ]; then
    echo "rl2_tune.sh: error: no trial return in results/${name}_g/summary.json or" \
        "results/$name/summary.json" >&2
    exit 1
fi
secs=$(tail -n 1 "results/$name/progress.csv" | cut -d, -f4)
mkdir -p "$(dirname "$out")"
if [ ! -s "$out" ]; then
    printf 'name\tconfig\toverrides\targmax_mean\targmax_se\tsampled_mean\tsampled_se\ttrain_s\n' \
        >"$out"
fi
line=$(printf '%s\t%s\t%s\t%s\t%s\t%s' "$name" "$config" "$*" "$g" "$s" "$secs")
printf '%s\n' "$line" >>"$out"
printf '%s\n' "$line"
