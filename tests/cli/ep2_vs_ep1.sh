#!/bin/sh
# ep2_vs_ep1.sh SRC — scripts/ep2_vs_ep1.awk on eval CSVs with known answers: per-trial
# differences 1, 2, 3 (mean 2, se 1/sqrt(3), t 3.5); columns found by name, not place;
# a trial without episode 2 is left out; a file that is not an eval CSV is one line, exit 2.
set -u
AWK_SCRIPT=$1/scripts/ep2_vs_ep1.awk
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
check() { # description, then a command that must succeed
    d=$1
    shift
    if "$@"; then :; else echo "FAIL $d"; fails=$((fails + 1)); fi
}
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
check "known answer" test "$out" = "ep2 - ep1: 2.00 ± 0.58 (n = 3 trials, paired t = 3.5)"
# the same rows with the columns in another order
awk 'BEGIN { FS = OFS = "," } { print $6, $4, $2, $1 }' "$T/a.csv" >"$T/b.csv"
out=$(awk -f "$AWK_SCRIPT" "$T/b.csv")
check "columns by name" test "$out" = "ep2 - ep1: 2.00 ± 0.58 (n = 3 trials, paired t = 3.5)"
printf 'a,b\n1,2\n' >"$T/c.csv"
awk -f "$AWK_SCRIPT" "$T/c.csv" >"$T/out.txt" 2>"$T/err.txt"
code=$?
check "not an eval CSV: exit 2, one line" test "$code" -eq 2 -a "$(wc -l <"$T/err.txt")" -eq 1 -a ! -s "$T/out.txt"
echo "$((3 - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
