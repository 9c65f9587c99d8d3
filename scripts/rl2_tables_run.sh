#!/usr/bin/env bash
# rl2_tables_run.sh — runs the generated RL² tables (configs/rl2/*_table.yaml, see
# scripts/rl2_tables_gen.sh) with `metarl table` and keeps the outputs as reference
# results: results/reference/rl2_bandits/<setting>/ and results/reference/rl2_mdps/<setting>/
# (table.md, table.csv, table.json), then the grid of all settings
# (`metarl table --summary`, like the paper's Table 1 / Table 2) in table.md of the
# table folder, and README.md there with the commands, the machine and the wall
# time of each setting. A run of some settings replaces only their lines there; each line
# names its own command, wall time, date, metarl commit ("+uncommitted" when, as the run
# started, a tracked file outside results/ had changed or configs/ held a file git does
# not know) and machine, so a table re-made setting by setting keeps saying how every
# row was made.
#
# Usage: scripts/rl2_tables_run.sh [--no-rl2] [--jobs N] bandit|mdp [SETTING...]
#   --no-rl2    baselines only (metarl table --no-train): leaves out the RL² rows, whose
#               training takes hours; a few minutes for all settings
#   --jobs N    run up to N settings at once (one process each; default 1). Each setting
#               writes only its own folder and run directory, so the results are the
#               same as one after the other; the wall times are each setting's own.
#   SETTING     only these settings (e.g. k5_n10, n25); the grid and README keep the others
# Environment: METARL (default build/metarl).
set -euo pipefail
no_train=
jobs=1
usage="usage: rl2_tables_run.sh [--no-rl2] [--jobs N] bandit|mdp [SETTING...]"
while [ $# -gt 0 ]; do
    case "$1" in
    --no-rl2) no_train=--no-train; shift ;;
    --jobs)
        [[ "${2:-}" =~ ^[1-9][0-9]?$ ]] || { echo "rl2_tables_run.sh: error: --jobs wants 1..99" >&2; exit 2; }
        jobs=$2
        shift 2
        ;;
    -*) echo "rl2_tables_run.sh: error: unknown option '$1' ($usage)" >&2; exit 2 ;;
    *) break ;;
    esac
done
table=${1:?$usage}
shift
metarl=${METARL:-build/metarl}
case "$table" in
bandit)
    dest=results/reference/rl2_bandits
    order="k5_n10 k10_n10 k50_n10 k5_n100 k10_n100 k50_n100 k5_n500 k10_n500 k50_n500"
    title="RL² Table 1: multi-armed bandits, total reward per trial"
    ;;
mdp)
    dest=results/reference/rl2_mdps
    order="n10 n25 n50 n75 n100"
    title="RL² Table 2: random tabular MDPs, total reward per trial"
    ;;
*) echo "rl2_tables_run.sh: error: unknown table '$table'" >&2; exit 2 ;;
esac
settings=${*:-$order}
for s in $settings; do
    [ -f "configs/rl2/${table}_${s}_table.yaml" ] ||
        { echo "rl2_tables_run.sh: error: no table configs/rl2/${table}_${s}_table.yaml" >&2; exit 2; }
done
# what made this run, fixed before any result is written (results/reference is tracked):
# the commit, "+uncommitted" when a tracked file outside results/ has changed or configs/
# holds a file git does not know (stray logs elsewhere do not count)
rev=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
if [ "$rev" != '?' ] && [ -n "$(git status --porcelain --untracked-files=no -- . ':(exclude)results'
    git status --porcelain -- configs)" ]; then
    rev="$rev+uncommitted"
fi
cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //')
cpu=${cpu:-unknown CPU} # as the benchmarks' result files say it (core/cli/machine.c)
at_once="one setting at a time" jobs_arg=
if [ "$jobs" -gt 1 ]; then
    at_once="up to $jobs settings at once"
    jobs_arg="--jobs $jobs "
fi
machine="$(nproc) cores, $cpu, $at_once"
mkdir -p "$dest"
readme="$dest/README.md"
old=$(grep '^| [kn][0-9]' "$readme" 2>/dev/null || true) # wall-time lines of earlier runs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" "$readme.tmp"' EXIT
# one setting: its table, then its wall-time line in $tmp/<setting>.time (or .fail)
run_setting() {
    local s=$1 f="configs/rl2/${table}_$1_table.yaml" t0 t1
    t0=$(date +%s)
    if ! "$metarl" table "$f" ${no_train:+"$no_train"} --out "$dest/$s" > /dev/null; then
        echo "rl2_tables_run.sh: error: setting $s failed" >&2
        touch "$tmp/$s.fail"
        return 1
    fi
    rm -rf "$dest/$s/rows" # per-trial CSVs: large, and reproducible from the command
    t1=$(date +%s)
    echo "| $s | \`metarl table $f${no_train:+ $no_train} --out $dest/$s\` | $((t1 - t0)) s | $(date -u +%Y-%m-%d) | $rev | $machine |" > "$tmp/$s.time"
    echo "$s: $((t1 - t0)) s"
}
for s in $settings; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
        wait -n || true
    done
    run_setting "$s" &
done
wait || true
if ls "$tmp"/*.fail > /dev/null 2>&1; then
    exit 1
fi
times="$tmp/all"
for s in $settings; do
    cat "$tmp/$s.time" >> "$times"
done
# the grid, over every setting that has a table (in the paper's order)
dirs=()
for s in $order; do
    [ -f "$dest/$s/table.json" ] && dirs+=("$dest/$s")
done
"$metarl" table --summary --title "$title" --out "$dest/table.md" "${dirs[@]}" > /dev/null
{
    echo "# RL² $table table (reference results)"
    echo
    echo "The grid of all settings: [table.md](table.md) (\`metarl table --summary\`); one"
    echo "folder per setting with its table.md, table.csv and table.json. Bold: the setting's"
    echo "best row and every row not significantly worse (one-sided Welch t-test on the"
    if [ "$table" = mdp ]; then
        echo "trial returns, p = 0.05); in brackets the ratio to the value-iteration oracle"
        echo "(SNAIL's normalisation; the oracle row is not compared)."
    else
        echo "trial returns, p = 0.05); the paper's values in parentheses."
    fi
    echo
    echo "Made by \`scripts/rl2_tables_run.sh [--jobs N] $table [SETTING...]\`, one thread per"
    echo "process; each setting's line below is that of the last run that made it: its"
    echo "command, wall time, date, metarl commit and machine (the last run:"
    echo "\`scripts/rl2_tables_run.sh ${no_train:+--no-rl2 }${jobs_arg}$table${*:+ $*}\`)."
    echo "Hyperparameters: configs/rl2_${table}_tuned.tsv (scripts/tune_baselines.sh). RL² rows"
    echo "(left out with --no-rl2) train from configs/rl2/${table}_<setting>_rl2.yaml, with the"
    echo "per-setting values of configs/rl2_train_tuned.tsv."
    echo
    echo "| setting | command | wall time | date | metarl | machine |"
    echo "|---|---|---|---|---|---|"
    for s in $order; do
        line=$(grep "^| $s |" "$times" || true)
        [ -n "$line" ] || line=$(printf '%s\n' "$old" | grep "^| $s |" || true)
        [ -n "$line" ] && echo "$line"
    done
} > "$readme.tmp"
mv "$readme.tmp" "$readme"
echo "wrote $dest/table.md and $readme"
