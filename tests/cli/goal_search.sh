#!/bin/sh
# goal_search.sh SRC — scripts/goal_search.awk on an eval CSV with known answers (finds in
# episode 1, episode 2 after a find and after a miss, tasks rarely found); a trial without
# episode 2 is left out; columns by name; not an eval CSV: one line on stderr, exit 2.
set -u
AWK_SCRIPT=$1/scripts/goal_search.awk
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
0,0,aa,2,10,10,0,0,1
0,1,aa,1,10,0,0,0,1
0,1,aa,2,10,4,0,0,1
1,0,bb,1,10,0,0,0,1
1,0,bb,2,10,0,0,0,1
1,1,bb,1,10,0,0,0,1
1,1,bb,2,10,2,0,0,1
2,0,cc,1,10,3,0,0,1
2,0,cc,2,10,9,0,0,1
2,1,cc,1,10,0,0,0,1
C
want='trials 5: episode 1 finds the goal in 40.0%
episode 2 after a find: 9.50
episode 2 after a miss: 2.00 (finds it in 66.7% of them)
tasks found by episode 1 in under 30% of trials: 1 of 3'
out=$(awk -f "$AWK_SCRIPT" "$T/a.csv")
check "known answer" test "$out" = "$want"
awk 'BEGIN { FS = OFS = "," } { print $6, $4, $2, $1 }' "$T/a.csv" >"$T/b.csv"
out=$(awk -f "$AWK_SCRIPT" "$T/b.csv")
check "columns by name" test "$out" = "$want"
printf 'a,b\n1,2\n' >"$T/c.csv"
awk -f "$AWK_SCRIPT" "$T/c.csv" >"$T/out.txt" 2>"$T/err.txt"
code=$?
check "not an eval CSV: exit 2, one line" test "$code" -eq 2 -a "$(wc -l <"$T/err.txt")" -eq 1 -a ! -s "$T/out.txt"
echo "$((3 - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
