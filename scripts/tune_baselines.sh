#!/usr/bin/env bash
# tune_baselines.sh — chooses the hyperparameters of the classical baselines of the
# RL² bandit and MDP tables by grid search on TRAINING-distribution tasks, never on
# the held-out test tasks.
#
# For every setting of the table and every tuned agent it runs
#     metarl eval <config> --agent NAME <setting overrides> agent.<key>=<value> \
#         tasks.test.seed=$TUNE_SEED tasks.test.count=$TUNE_COUNT
# i.e. a "tune" set of fresh tasks drawn from the same distribution as the training
# stream (env.params) with its own seed (default 1000; the held-out sets of
# configs/bandit_*.yaml and configs/mdp_*.yaml use seed 1), and keeps the value with
# the highest mean trial return (ties: the first in grid order).
#
# Usage:
#     scripts/tune_baselines.sh bandit|mdp [OUT.tsv]
# Environment: METARL (default build/metarl), TUNE_SEED (1000), TUNE_COUNT (1000 for
# bandits, 500 for MDPs), WORK (scratch directory, default results/tune), THREADS (1).
# Output: OUT.tsv (default configs/rl2_<table>_tuned.tsv), one line per setting and
# agent: table, setting, agent, key, chosen value, its tune-set mean return and
# standard error; WORK/<table>_all.tsv has every candidate.
set -euo pipefail

table=${1:?usage: tune_baselines.sh bandit|mdp [OUT.tsv]}
out=${2:-configs/rl2_${table}_tuned.tsv}
metarl=${METARL:-build/metarl}
seed=${TUNE_SEED:-1000}
work=${WORK:-results/tune}
threads=${THREADS:-1}
mkdir -p "$work"
all="$work/${table}_all.tsv"

case "$table" in
bandit)
    count=${TUNE_COUNT:-1000}
    config=configs/bandit_k5_n10.yaml
    settings=()
    for n in 10 100 500; do
        for k in 5 10 50; do
            settings+=("k=$k,n=$n|env.params.arms=$k trial.episodes=$n")
        done
    done
    grids=("ucb1|ucb_c|0.05 0.1 0.15 0.2 0.3 0.5 0.7 1"
           "ots|ots_samples|1 2 3 5 10 20"
           "epsilon_greedy|epsilon|0.005 0.01 0.02 0.05 0.1 0.2")
    ;;
mdp)
    count=${TUNE_COUNT:-500}
    config=configs/mdp_n10.yaml
    settings=()
    for n in 10 25 50 75 100; do
        settings+=("n=$n|trial.episodes=$n")
    done
    grids=("opsrl|opsrl_samples|2 3 5 10"
           "beb|beb_beta|0.1 0.3 1 3 10"
           "ucrl2|ucrl_scale|0.02 0.05 0.1 0.2 0.5 1"
           "epsilon_greedy|epsilon|0.01 0.02 0.05 0.1 0.2")
    ;;
*)
    echo "tune_baselines.sh: error: unknown table '$table' (bandit or mdp)" >&2
    exit 2
    ;;
esac

printf '# table\tsetting\tagent\tkey\tvalue\ttune_return\ttune_se\n' > "$all"
{
    echo "# Chosen by scripts/tune_baselines.sh $table on $count tune tasks (seed $seed)"
    echo "# drawn from the training distribution; never on the held-out test tasks."
    printf '# table\tsetting\tagent\tkey\tvalue\ttune_return\ttune_se\n'
} > "$work/${table}_chosen.tmp"

for s in "${settings[@]}"; do
    name=${s%%|*}
    ov=${s#*|}
    for g in "${grids[@]}"; do
        agent=${g%%|*}
        rest=${g#*|}
        key=${rest%%|*}
        values=${rest#*|}
        best=""
        best_mean=""
        best_se=""
        for v in $values; do
            # shellcheck disable=SC2086
            line=$("$metarl" eval "$config" --agent "$agent" --threads "$threads" \
                --out "$work/run" $ov "agent.$key=$v" "tasks.test.seed=$seed" \
                "tasks.test.count=$count" | grep '^trial return:')
            mean=$(echo "$line" | awk '{print $3}')
            se=$(echo "$line" | awk '{print $5}')
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$table" "$name" "$agent" "$key" "$v" "$mean" \
                "$se" >> "$all"
            if [ -z "$best" ] || awk -v a="$mean" -v b="$best_mean" 'BEGIN{exit !(a > b)}'; then
                best=$v
                best_mean=$mean
                best_se=$se
            fi
        done
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$table" "$name" "$agent" "$key" "$best" \
            "$best_mean" "$best_se" >> "$work/${table}_chosen.tmp"
        echo "$table $name $agent: $key=$best ($best_mean ± $best_se)"
    done
done
mv "$work/${table}_chosen.tmp" "$out"
echo "wrote $out and $all"
