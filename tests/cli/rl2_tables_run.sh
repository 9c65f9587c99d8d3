#!/bin/sh
# rl2_tables_run.sh SRC METARL — scripts/rl2_tables_run.sh on two tiny MDP "settings"
# (random and oracle rows on 20 MDPs) in a scratch git checkout: each setting's README
# line names its command, commit and machine; a run of one setting rewrites that line
# and the grid and keeps the other line as it was; a checkout with a changed tracked
# file or an unknown file in configs/ is marked "+uncommitted", the results a run writes
# and stray files elsewhere are not; an unknown setting is refused and nothing changes.
set -u
SRC=$1
METARL=$2
. "$(dirname "$0")/checks.sh"
cd "$T" || exit 1
mkdir -p configs/rl2
for n in 10 25; do
    cat >configs/rl2/mdp_n${n}.yaml <<Y
name: tiny_mdp_n$n
env: {plugin: tabular_mdp, params: {states: 3, actions: 2, horizon: 4}}
tasks:
  train: {seed: 0}
  test: {count: 20, seed: 1}
trial: {episodes: $n}
agent: {kind: random}
Y
    cat >configs/rl2/mdp_n${n}_table.yaml <<Y
title: "tiny n = $n"
config: mdp_n$n.yaml
label: "n=$n"
metric: return
columns: trial
normalise: "Oracle"
rows:
  - {name: "Random", agent: random}
  - {name: "Oracle", agent: oracle}
Y
done
commit() { git add "$@" && git -c user.name=t -c user.email=t@t -c commit.gpgsign=false commit -qm "$1"; }
git init -q . && commit configs || exit 1
rev1=$(git rev-parse --short HEAD)
# a log in the checkout's root: untracked, outside configs/, so not a change
tables() { METARL=$METARL bash "$SRC/scripts/rl2_tables_run.sh" "$@" >>run.log 2>&1; }
readme=results/reference/rl2_mdps/README.md
# the README line of setting $1 ends with "$2 |" / holds "$2"
ends() {
    case "$(grep "^| $1 |" $readme)" in *"$2 |") return 0 ;; esac
    return 1
}
holds() { grep "^| $1 |" $readme | grep -q -F -- "$2"; }
cores="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
check "runs two settings" tables --jobs 2 mdp n25 n10
check "n10's line names its command" grep -q -F \
    '| n10 | `metarl table configs/rl2/mdp_n10_table.yaml --out results/reference/rl2_mdps/n10` | ' $readme
check "n10: the clean commit, two at once" ends n10 "$rev1 | $cores, up to 2 settings at once"
check "n25 likewise" ends n25 "$rev1 | $cores, up to 2 settings at once"
check "no temporary README left" test ! -e $readme.tmp
check "the grid has both settings" sh -c \
    'grep -q "^| n=10 |" results/reference/rl2_mdps/table.md && grep -q "^| n=25 |" results/reference/rl2_mdps/table.md'
commit results || exit 1
rev2=$(git rev-parse --short HEAD)
grep "^| n25 |" $readme >n25.before
echo "# changed" >>configs/rl2/mdp_n10.yaml
check "runs one setting" tables mdp n10
check "its line marks the changed checkout" holds n10 "| $rev2+uncommitted | "
check "one setting at a time" ends n10 "one setting at a time"
check "the other line is kept" sh -c "grep '^| n25 |' $readme | cmp -s - n25.before"
check "the header names the last run" grep -q -F '`scripts/rl2_tables_run.sh mdp n10`).' $readme
git checkout -q configs
check "results written by the last run are not changes" tables mdp n10
check "so the line is clean again" holds n10 "| $rev2 | "
touch configs/new.yaml
check "a file unknown to git in configs/" tables mdp n10
check "is a change" holds n10 "| $rev2+uncommitted | "
cp $readme readme.before
check "an unknown setting is refused" sh -c "! METARL=$METARL bash $SRC/scripts/rl2_tables_run.sh mdp n11 2>err.txt"
check "naming it" grep -q -F 'no table configs/rl2/mdp_n11_table.yaml' err.txt
check "and changing nothing" cmp -s readme.before $readme
finish 18
