#!/bin/sh
# ep2_vs_ep1.sh SRC — scripts/ep2_vs_ep1.awk on eval CSVs with known answers: per-trial
# differences 1, 2 (task 0) and 3 (task 1): mean 2, and the standard error clustered by
# task, sqrt(2 / 1 * ((3 - 4)^2 + (3 - 2)^2)) / 3 = 2/3, t 3.0 (over the three trials as if
# independent it would be 1/sqrt(3), t 3.5); columns found by name, not place; the
# goal-search breakdown (-v search=1) on a hand-counted file;
# a trial without episode 2 is left out; a file that is not an eval CSV is one line, exit 2.
set -u
AWK_SCRIPT=$1/scripts/ep2_vs_ep1.awk
. "$(dirname "$0")/checks.sh"
cat >"$T/a.csv" <<'C'
task,trial,fingerprint,episode,length,return,success,terminated,truncated
0,0,aa,1,10,5,0,0,1
0,0,aa,2,10,6,0,0,1
0,1,aa,1,10,4,0,0,1
0,1,aa,2,10,6,0,0,1
1,0,bb,1,10,0,0,0,1
1,0,bb,2,10,3,0,0,1
2,0,cc,1,10,7,0,0,1
C
out=$(awk -f "$AWK_SCRIPT" "$T/a.csv")
check "known answer" test "$out" = "ep2 - ep1: 2.00 ± 0.67 (n = 2 tasks, 3 trials; paired t = 3.0)"
# the same rows with the columns in another order
awk 'BEGIN { FS = OFS = "," } { print $6, $4, $2, $1 }' "$T/a.csv" >"$T/b.csv"
out=$(awk -f "$AWK_SCRIPT" "$T/b.csv")
check "columns by name" test "$out" = "ep2 - ep1: 2.00 ± 0.67 (n = 2 tasks, 3 trials; paired t = 3.0)"
# -v search=1: task 0 found in both trials, task 1 in none (episode 2 finds it once), task
# 2 once with episode 2 (its second trial has no episode 2): 3 of 5 finds, 1 task under 30%;
# differences 5, 7 | 0, 4 | 6: mean 4.4; per task 12 - 8.8, 4 - 8.8, 6 - 4.4 = 3.2, -4.8, 1.6,
# se sqrt(3 / 2 * 35.84) / 5 = 1.47, t 3.0
cat >"$T/d.csv" <<'C'
task,trial,fingerprint,episode,length,return,success,terminated,truncated
0,0,aa,1,10,5,0,0,1
0,0,aa,2,10,10,0,0,1
0,1,aa,1,10,1,0,0,1
0,1,aa,2,10,8,0,0,1
1,0,bb,1,10,0,0,0,1
1,0,bb,2,10,0,0,0,1
1,1,bb,1,10,0,0,0,1
1,1,bb,2,10,4,0,0,1
2,0,cc,1,10,3,0,0,1
2,0,cc,2,10,9,0,0,1
2,1,cc,1,10,0,0,0,1
C
want='ep2 - ep1: 4.40 ± 1.47 (n = 3 tasks, 5 trials; paired t = 3.0)
episode 1 finds the goal in 60.0% of trials
episode 2 after a find: 9.00
episode 2 after a miss: 2.00 (finds it in 50.0% of them)
tasks found by episode 1 in under 30% of trials: 1 of 3'
out=$(awk -v search=1 -f "$AWK_SCRIPT" "$T/d.csv")
check "goal search, known answer" test "$out" = "$want"
printf 'a,b\n1,2\n' >"$T/c.csv"
awk -f "$AWK_SCRIPT" "$T/c.csv" >"$T/out.txt" 2>"$T/err.txt"
code=$?
check "not an eval CSV: exit 2, one line" test "$code" -eq 2 -a "$(wc -l <"$T/err.txt")" -eq 1 -a ! -s "$T/out.txt"
finish 4
