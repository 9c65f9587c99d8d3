#!/bin/sh
# compare.sh METARL SRC — `metarl compare` end to end: random against the oracle on the
# same dark-room goals (episodes end at the goal, so steps and success are compared too):
# the oracle is better with a tiny p; a run compared with itself differs by 0 with p 1;
# --json is written, and a failed --json write damages nothing; two evaluations of
# other tasks, a missing run, a file that is no eval CSV and an unknown --set are one
# line each, exit 2.
set -u
METARL=$1
SRC=$2
. "$(dirname "$0")/checks.sh"
cd "$T"
cfg="$SRC/configs/dark_room.yaml"
set_ok() { "$METARL" eval "$cfg" env.params.terminate_at_goal=true tasks.test.count=10 \
    eval.trials_per_task=3 "$@" >/dev/null 2>&1; }
check "eval random" set_ok --agent random --out rnd
check "eval oracle" set_ok --agent oracle --out orc
check "eval random on other goals" set_ok --agent random --out other tasks.test.seed=9

check "compare runs" sh -c "'$METARL' compare rnd orc --json cmp.json >out.md 2>err.txt"
check "trial return row, B better, tiny p" \
    grep -Eq '^\| trial return \| [0-9.]+ ± [0-9.]+ \| [0-9.]+ ± [0-9.]+ \| \*\*\+[0-9.]+ ± [0-9.]+\*\* \| [0-9.]+ \| < 0\.0001 \| < 0\.0001 \|$' out.md
check "30 trials of 10 tasks" grep -q '^## set test: 30 trials of 10 tasks, 4 episodes each' out.md
check "paired per task, df 9" grep -q "the 10 tasks' differences (df 9)" out.md
check "goal set: steps rows, fewer for the oracle" \
    grep -Eq '^\| episode 2 steps \(failure = [0-9]+\) \| .* \| \*\*-[0-9.]+ ± [0-9.]+\*\* \|' out.md
check "goal set: success rows" grep -q '^| episode 1 success % |' out.md
check "json written" grep -q '"format": "metarl-compare-1"' cmp.json
check "json names the runs" grep -q '"a": "rnd"' cmp.json
check "nothing on stderr" test ! -s err.txt

check "compare a run with itself" sh -c "'$METARL' compare rnd rnd/eval/test.csv >self.md"
check "itself: zero difference, p 1" \
    grep -Eq '^\| trial return \| .* \| \+0\.00 ± 0\.00 \| – \| 1\.0000 \| 1\.0000 \|$' self.md

# bad inputs: one line, exit 2
bad() {
    want=$1
    shift
    "$METARL" compare "$@" >/dev/null 2>e.txt
    rc=$?
    [ "$rc" -eq 2 ] && [ "$(wc -l <e.txt)" -eq 1 ] && grep -q -- "$want" e.txt ||
        { echo "rc=$rc: $(cat e.txt)"; return 1; }
}
check "other goals refused" bad "error: set 'test', task 0, trial 0 is task .* not the same tasks" rnd other
check "missing run" bad "nope: error: no such file or directory" rnd nope
check "no eval folder" bad "error: no eval/ folder here" rnd "$T"
printf 'a,b\n1,2\n' >x.csv
check "not an eval CSV" bad "x.csv:1:1: error: no column 'task'" rnd/eval/test.csv x.csv
check "unknown set" bad "set 'valid' is not in both" rnd orc --set valid
check "one argument" bad "expected two eval runs" rnd

# more sets than one comparison holds: refused whole, and --set picks one of them
mkdir -p many/eval
for i in 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17; do cp rnd/eval/test.csv many/eval/s$i.csv; done
cp rnd/eval/test.csv many/eval/test.csv
check "18 sets: refused" bad "more than 16 sets; compare them with --set" many orc
check "18 sets with --set test" sh -c "'$METARL' compare many orc --set test >many.md"
check "the set picked" grep -q '^## set test: 30 trials' many.md

# a --json that cannot be written (under a file): exit 1, the file there untouched
cp cmp.json keep.json
"$METARL" compare rnd orc --json cmp.json/sub >/dev/null 2>e.txt
check "json under a file: exit 1" test $? -eq 1
check "json under a file: one line naming it" grep -q "cmp.json/sub" e.txt
check "json already there untouched" cmp -s cmp.json keep.json
finish 26
