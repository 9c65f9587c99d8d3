#!/usr/bin/env bash
# rl2_tables_run.sh — runs every generated RL² table (configs/rl2/*_table.yaml, see
# scripts/rl2_tables_gen.sh) with `metarl table` and keeps the outputs as reference
# results: results/reference/rl2_bandits/<setting>/ and results/reference/rl2_mdps/<setting>/
# (table.md, table.csv, table.json), plus README.md in each table folder with the
# commands, the machine and the wall time of each setting.
#
# Usage: scripts/rl2_tables_run.sh bandit|mdp      Environment: METARL (build/metarl)
set -euo pipefail
table=${1:?usage: rl2_tables_run.sh bandit|mdp}
metarl=${METARL:-build/metarl}
case "$table" in
bandit) dest=results/reference/rl2_bandits ;;
mdp) dest=results/reference/rl2_mdps ;;
*) echo "rl2_tables_run.sh: error: unknown table '$table'" >&2; exit 2 ;;
esac
mkdir -p "$dest"
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
readme="$dest/README.md"
{
    echo "# RL² $table table: classical baselines (reference results)"
    echo
    echo "Made by \`scripts/rl2_tables_run.sh $table\` on $(date -u +%Y-%m-%d): $(nproc) cores,"
    echo "$cpu, metarl $(git rev-parse --short HEAD 2>/dev/null || echo '?'), one thread."
    echo "Hyperparameters: configs/rl2_${table}_tuned.tsv (scripts/tune_baselines.sh)."
    echo
    echo "| setting | command | wall time |"
    echo "|---|---|---|"
} > "$readme"
for f in configs/rl2/${table}_*_table.yaml; do
    setting=$(basename "$f" _table.yaml)
    setting=${setting#"${table}"_}
    t0=$(date +%s)
    "$metarl" table "$f" --out "$dest/$setting" > /dev/null
    rm -rf "$dest/$setting/rows" # per-trial CSVs: large, and reproducible from the command
    t1=$(date +%s)
    echo "| $setting | \`metarl table $f --out $dest/$setting\` | $((t1 - t0)) s |" >> "$readme"
    echo "$setting: $((t1 - t0)) s"
done
