#!/bin/sh
# table.sh METARL — `metarl table` end to end on a small bandit table: rows
# Random, Oracle and a tiny RL² row trained on the way; the oracle beats
# random; table.json holds every row's summary; a second run (reusing the
# finished training run) writes byte-identical tables; a bad table file is one
# line with its place, exit 2, and nothing written.
set -u
METARL=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
fails=0
cat >base.yaml <<'Y'
name: tbase
env: {plugin: bandit, params: {arms: 5}}
tasks:
  train: {seed: 0}
  test: {count: 200, seed: 1}
trial: {episodes: 10}
out: res
Y
cat >rl2.yaml <<'Y'
name: trl2
env: {plugin: bandit, params: {arms: 5}}
tasks:
  train: {seed: 0}
  test: {count: 200, seed: 1}
trial: {episodes: 10}
agent: {kind: rl2, hidden: 16}
train: {steps: 4000, batch_trials: 40, minibatches: 2, epochs: 2}
out: res
Y
cat >table.yaml <<'Y'
title: bandit test table
config: base.yaml
metric: return
episodes: 2
rows:
  - {name: Random, agent: random}
  - {name: Oracle, agent: oracle}
  - {name: RL2 tiny, train: rl2.yaml}
reference:
  note: RL² paper, Table 1
  rows:
    - {name: "RL² (paper)", trial_return: "6.7"}
Y
"$METARL" table table.yaml --out t1 >log1.txt 2>&1 || { cat log1.txt; echo "FAIL table run"; exit 1; }
"$METARL" table table.yaml --out t2 >log2.txt 2>&1 || { cat log2.txt; echo "FAIL second table run"; exit 1; }
for f in table.md table.csv table.json rows/random/summary.json rows/rl2_tiny/eval/test.csv; do
    cmp -s "t1/$f" "t2/$f" || { echo "FAIL $f differs between runs"; fails=$((fails + 1)); }
done
grep -q '^| \*RL² (paper)\* |' t1/table.md || { echo "FAIL reference row missing"; fails=$((fails + 1)); }
for r in Random Oracle "RL2 tiny"; do
    grep -q "\"$r\": {" t1/table.json || { echo "FAIL table.json lacks row $r"; fails=$((fails + 1)); }
done
trial_mean() { # row name -> trial return mean from table.json
    tr -d '\n' <t1/table.json | sed "s/.*\"$1\": {[^}]*\"trial_return\": {\"mean\": \([-0-9.e+]*\).*/\1/"
}
r=$(trial_mean Random)
o=$(trial_mean Oracle)
awk -v r="$r" -v o="$o" 'BEGIN { exit !(o > r + 2 && r > 4.5 && r < 5.5) }' || { echo "FAIL oracle $o vs random $r"; fails=$((fails + 1)); }
grep -q "trained\|done: " log1.txt || { echo "FAIL first run did not train"; fails=$((fails + 1)); }

printf 'config: base.yaml\nrowz: []\n' >bad.yaml
"$METARL" table bad.yaml --out t3 >out.txt 2>err.txt
code=$?
if [ "$code" -ne 2 ] || [ "$(wc -l <err.txt)" -ne 1 ] || ! grep -q "^bad.yaml:2:1: error: unknown key 'rowz' (did you mean 'rows'?)" err.txt || [ -e t3 ]; then
    echo "FAIL bad table: exit $code"; cat err.txt; fails=$((fails + 1))
fi
printf 'config: base.yaml\nrows:\n  - {name: X, agent: nosuch}\n' >bad2.yaml
"$METARL" table bad2.yaml --out t4 >out.txt 2>err.txt
code=$?
if [ "$code" -ne 2 ] || [ -e t4 ] || ! grep -q "^bad2.yaml:3:5: error: row 'X': unknown agent 'nosuch'" err.txt; then
    echo "FAIL unknown agent row: exit $code"; cat err.txt; fails=$((fails + 1))
fi
echo "$((9 - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
