#!/bin/sh
# table.sh METARL — `metarl table` end to end on a small bandit table: rows
# Random, Oracle and a tiny RL² row trained on the way; the oracle beats
# random; table.json holds every row's summary; a second run (reusing the
# finished training run) writes byte-identical tables; a bad table file is one
# line with its place, exit 2, and nothing written. Then the trial layout
# (`columns: trial`, `normalise:`, paper values tied to rows, --no-train) and its
# significance marks on cases with a known answer (the same agent twice: both
# bold; a far worse row: not bold; the normalising row: never compared), and a
# --summary grid of two tables. Last, `metarl eval RUN_DIR` (sampling and
# --agent rl2_greedy) on a copy of a run moved elsewhere loads that copy.
set -u
METARL=$1
. "$(dirname "$0")/checks.sh"
cd "$T"
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
    check "$f the same in both runs" cmp -s "t1/$f" "t2/$f"
done
check "reference row" grep -q '^| \*RL² (paper)\* |' t1/table.md
for r in Random Oracle "RL2 tiny"; do
    check "table.json has row $r" grep -q "\"$r\": {" t1/table.json
done
trial_mean() { # row name -> trial return mean from table.json
    tr -d '\n' <t1/table.json | sed "s/.*\"$1\": {[^}]*\"trial_return\": {\"mean\": \([-0-9.e+]*\).*/\1/"
}
r=$(trial_mean Random)
o=$(trial_mean Oracle)
check "oracle $o well above random $r" awk -v r="$r" -v o="$o" 'BEGIN { exit !(o > r + 2 && r > 4.5 && r < 5.5) }'
check "the first run trained" grep -q "trained\|done: " log1.txt

printf 'config: base.yaml\nrowz: []\n' >bad.yaml
"$METARL" table bad.yaml --out t3 >out.txt 2>err.txt
code=$?
check "bad table: exit 2, one line, nothing written" test "$code" -eq 2 -a "$(wc -l <err.txt)" -eq 1 -a ! -e t3
check "bad table: message" grep -q "^bad.yaml:2:1: error: unknown key 'rowz' (did you mean 'rows'?)" err.txt
printf 'config: base.yaml\nrows:\n  - {name: X, agent: nosuch}\n' >bad2.yaml
"$METARL" table bad2.yaml --out t4 >out.txt 2>err.txt
code=$?
check "unknown agent row: exit 2, nothing written" test "$code" -eq 2 -a ! -e t4
check "unknown agent row: message" grep -q "^bad2.yaml:3:5: error: row 'X': unknown agent 'nosuch'" err.txt
check "set header gives the trial's 10 episodes" grep -q '^## set `test` (200 tasks × 1 trial(s), 10 episodes per trial, horizon 1; episodes 1–2 shown)$' t1/table.md

# ---- trial layout, normaliser, marks ----
cat >trial.yaml <<'Y'
title: trial layout
config: base.yaml
label: "k=5, n=10"
columns: trial
normalise: Random
rows:
  - {name: Random, agent: random}
  - {name: Greedy, agent: greedy}
  - {name: Oracle, agent: oracle}
  - {name: Oracle again, agent: oracle}
  - {name: RL2 tiny, train: rl2.yaml}
reference:
  note: made-up paper values
  rows:
    - {name: "Greedy (paper)", row: Greedy, trial_return: "6.6"}
    - {name: "RL2 (paper)", row: RL2 tiny, trial_return: "6.7"}
Y
"$METARL" table trial.yaml --no-train --out t5 >log5.txt 2>&1 || { cat log5.txt; echo "FAIL trial table run"; exit 1; }
md=t5/table.md
check "--no-train leaves out the RL² row" grep -q "left out row 'RL2 tiny' (--no-train)" log5.txt
check "trial layout header" grep -q '^| row | trial return | ÷ Random | paper |$' $md
check "set header" grep -q '^## set `test` (200 tasks × 1 trial(s), 10 episodes per trial, horizon 1)$' $md
check "same agent twice: both bold" grep -q '^| Oracle | \*\*[0-9.]* ± [0-9.]*\*\* | [0-9.]* | – |$' $md
check "same agent twice: both bold (2)" grep -q '^| Oracle again | \*\*' $md
check "far worse row not bold, paper value" grep -q '^| Greedy | [0-9.]* ± [0-9.]* | [0-9.]* | 6.6 |$' $md
check "normaliser not compared, ratio 1" grep -q '^| Random | [0-9.]* ± [0-9.]* | 1.000 | – |$' $md
check "exactly two bold rows" test "$(grep -c '^| .*\*\*' $md)" -eq 2
check "paper value of a left-out row" grep -q '^| \*RL2 (paper)\* | | | 6.7 |$' $md
check "json left-out rows" grep -q '"left_out": \["RL2 tiny"\]' t5/table.json
check "json best" grep -q '"best": "Oracle", "rows"' t5/table.json
check "json normaliser not compared" grep -q '{"name": "Random", .*"compared": false, "bold": false, "p": null, "ratio": 1,' t5/table.json
check "json far worse row p < 0.05" awk '/"name": "Greedy"/ { sub(/.*"p": /, ""); sub(/,.*/, ""); found = 1; ok = ($0 + 0 < 0.05) } END { exit !(found && ok) }' t5/table.json
cat >two.yaml <<'Y'
config: base.yaml
columns: trial
rows:
  - {name: Greedy, agent: greedy}
  - {name: Oracle, agent: oracle}
Y
"$METARL" table two.yaml --out t6 >log6.txt 2>&1 || { cat log6.txt; echo "FAIL two-row table run"; exit 1; }
check "two rows far apart: only the best bold" test "$(grep -c '^| .*\*\*' t6/table.md)" -eq 1
check "two rows far apart: the oracle bold" grep -q '^| Oracle | \*\*' t6/table.md

# ---- grid summary ----
"$METARL" table --summary --title "Grid" --out grid.md t5 t1 >grid.out 2>&1 || { cat grid.out; echo "FAIL summary"; exit 1; }
check "summary printed = written" cmp -s grid.md grid.out
check "summary columns" grep -q '^| setting | Random | Greedy | Oracle | Oracle again | RL2 tiny |$' grid.md
check "summary line of a labelled table" grep -q '^| k=5, n=10 | [0-9.]* ± [0-9.]* \[1.000\] | [0-9.]* ± [0-9.]* \[[0-9.]*\] (6.6) | \*\*[0-9.]* ± [0-9.]*\*\* \[[0-9.]*\] | \*\*.*\*\* \[[0-9.]*\] | – (6.7) |$' grid.md
check "summary line of an unlabelled table" grep -q '^| t1 | [0-9.]* ± [0-9.]* | – | \*\*[0-9.]* ± [0-9.]*\*\* | – | [0-9.]* ± [0-9.]* |$' grid.md
printf 'config: base.yaml\ncolumns: trial\nnormalise: Oracel\nrows:\n  - {name: Oracle, agent: oracle}\n' >bad3.yaml
"$METARL" table bad3.yaml --out t7 >out.txt 2>err.txt
code=$?
check "bad normalise: exit 2, one line, nothing written" test "$code" -eq 2 -a "$(wc -l <err.txt)" -eq 1 -a ! -e t7
check "bad normalise: message" grep -q "^bad3.yaml:3:12: error: normalise: no row is named 'Oracel'" err.txt
"$METARL" table --summary nosuch >out.txt 2>err.txt
check "summary of a missing table fails" test $? -ne 0 -a -s err.txt

# ---- a task whose episodes never end early: no success or %improved columns ----
cat >room.yaml <<'Y'
name: troom
env: {plugin: dark_room, params: {horizon: 20}}
tasks:
  train: {seed: 0}
  test: {count: 10, seed: 1}
trial: {episodes: 2}
out: res
Y
printf 'config: room.yaml\nmetric: return\nrows:\n  - {name: Random, agent: random}\n  - {name: Oracle, agent: oracle}\n' >room_t.yaml
"$METARL" table room_t.yaml --out t8 >log8.txt 2>&1 || { cat log8.txt; echo "FAIL room table run"; exit 1; }
check "no early ends: header without success and %improved" grep -q '^| row | ep 1 | ep 2 | trial return | ep2/ep1 | ep1 vs random |$' t8/table.md
check "no early ends: oracle line" grep -q '^| Oracle | [0-9.]* ± [0-9.]* | [0-9.]* ± [0-9.]* | \*\*[0-9.]* ± [0-9.]*\*\* | 1.000 | [0-9.]* |$' t8/table.md
check "episodes that end early keep the success columns" grep -q '^| row | ep 1 | .* | success ep 1 | .* | %improved |' t1/table.md
# ---- --jobs: rows trained in parallel processes give the bits of --jobs 1 ----
sed -e 's/name: trl2/name: trl2b/' -e 's/hidden: 16}/cell: lstm, hidden: 8, time_input: true, prev_obs: true, input_mlp: 6, head_mlp: 5, head_skip: true, separate_value: true}/' \
    -e 's/epochs: 2}/epochs: 3, clip: 0.15, gamma: 0.95, lambda: 0.8, ent_coef: 0.02, ent_schedule: linear, lr: 2e-3}/' rl2.yaml >rl2b.yaml
echo 'seed: 7' >>rl2b.yaml
cat >par.yaml <<'Y'
config: base.yaml
metric: return
rows:
  - {name: GRU, train: rl2.yaml}
  - {name: GRU argmax, train: rl2.yaml, agent: rl2_greedy}
  - {name: LSTM, train: rl2b.yaml}
Y
"$METARL" table par.yaml --jobs 2 --out t9 out=resj >log9.txt 2>&1 || { cat log9.txt; echo "FAIL --jobs 2 table run"; exit 1; }
"$METARL" table par.yaml --out t10 out=ress >log10.txt 2>&1 || { cat log10.txt; echo "FAIL --jobs 1 table run"; exit 1; }
check "--jobs 2 trains two runs in the background" test "$(grep -c "^training row '.*' in the background" log9.txt)" -eq 2
for r in trl2 trl2b; do
    check "--jobs 2: $r's log" grep -q "done: " "resj/$r/train.log"
done
for f in gru lstm gru_argmax; do
    check "--jobs 2 = --jobs 1: rows/$f" cmp -s "t9/rows/$f/eval/test.csv" "t10/rows/$f/eval/test.csv"
done
for r in trl2 trl2b; do # the training logs without the clock's columns (time, steps/s, GFLOP/s)
    cut -d, -f1-3,6-15,17 resj/$r/progress.csv >pj.csv
    cut -d, -f1-3,6-15,17 ress/$r/progress.csv >ps.csv
    check "--jobs 2 = --jobs 1: $r progress" cmp -s pj.csv ps.csv
done
check "row settings name the clock and the inputs" grep -q '^- \*\*LSTM\*\*: lstm 8 with the trial clock, the previous observation as input, a 6-unit input layer, a 5-unit head layer also reading the step input, a value network of its own, 4000 steps of PPO (40 trials per iteration, 2 minibatches, 3 epochs, clip 0.15, γ 0.95, λ 0.8, entropy 0.02 decayed to 0, lr 0.002), seed 7 (run resj/trl2b)$' t9/table.md
check "row settings: the constant schedules and the default seed" grep -q '^- \*\*GRU argmax\*\*: gru 16, 4000 steps of PPO (40 trials per iteration, 2 minibatches, 2 epochs, clip [0-9.]*, γ [0-9.]*, λ [0-9.]*, entropy [0-9.]*, lr [0-9.e-]*), seed [0-9]*, most likely action (run resj/trl2)$' t9/table.md
check "row settings without the clock" grep -q '^- \*\*GRU\*\*: gru 16, ' t9/table.md
check "a trained row evaluated greedily" grep -q '"agent": "rl2_greedy"' t9/rows/gru_argmax/summary.json
check "greedy and sampled evaluations differ" sh -c '! cmp -s t9/rows/gru/eval/test.csv t9/rows/gru_argmax/eval/test.csv'
printf 'config: base.yaml\nrows:\n  - {name: X, train: rl2.yaml, agent: random}\n' >bad4.yaml
"$METARL" table bad4.yaml --out t11 >out.txt 2>err.txt
code=$?
check "trained row with a non-RL² agent: exit 2, one line, nothing written" test "$code" -eq 2 -a "$(wc -l <err.txt)" -eq 1 -a ! -e t11
check "trained row with a non-RL² agent: message" grep -q "^bad4.yaml:3:5: error: a trained row's agent is rl2" err.txt
# one held-out task: a sample of one allows no test, so no row is marked worse than the
# best (both bold), however far apart they are
sed 's/count: 200/count: 1/; s/^name: tbase/name: tbase1/' base.yaml >base1.yaml
printf 'config: base1.yaml\ncolumns: trial\nrows:\n  - {name: Random, agent: random}\n  - {name: Oracle, agent: oracle}\n' >one.yaml
check "one task: table" sh -c "'$METARL' table one.yaml --out t14 >/dev/null 2>&1"
check "one task: both rows bold, no p" test "$(grep -c '^| .*\*\*' t14/table.md)" -eq 2 -a "$(grep -c '"p": null' t14/table.json)" -ge 1
# a row whose overrides change the shape of the trials (here one episode instead of 10)
# would be compared on other trial returns, and its columns laid out by another row's
printf 'config: base.yaml\nrows:\n  - {name: R, agent: random}\n  - {name: R1, agent: random, with: [trial.episodes=1]}\n' >bad5.yaml
"$METARL" table bad5.yaml --out t13 >out.txt 2>err.txt
code=$?
check "row changing the episodes per trial: exit 2, one line, nothing written" test "$code" -eq 2 -a "$(wc -l <err.txt)" -eq 1 -a ! -e t13
check "row changing the episodes per trial: message" grep -q "^bad5.yaml:4:5: error: row 'R1': its overrides change the episodes per trial" err.txt
"$METARL" table par.yaml --jobs 0 --out t12 >out.txt 2>err.txt
check "--jobs 0 refused" test $? -eq 2 -a ! -e t12
# `metarl eval RUN_DIR` evaluates that directory's checkpoint, sampling or greedy, from any
# working directory and after the run was moved (rl2_greedy once looked for
# <out>/<name>/ckpt relative to the working directory instead)
mkdir -p moved sub
cp -r res/trl2 moved/trl2
"$METARL" eval res/trl2 --agent rl2_greedy --out ev_here >/dev/null 2>&1
(cd sub && "$METARL" eval ../moved/trl2 --agent rl2_greedy --out ../ev_moved >/dev/null 2>err.txt)
check "eval of a moved run directory, greedy" cmp -s ev_here/eval/test.csv ev_moved/eval/test.csv
(cd sub && "$METARL" eval ../moved/trl2 --out ../ev_moved_s >/dev/null 2>&1)
"$METARL" eval res/trl2 --out ev_here_s >/dev/null 2>&1
check "eval of a moved run directory, sampling" cmp -s ev_here_s/eval/test.csv ev_moved_s/eval/test.csv
finish 63
