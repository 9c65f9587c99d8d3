# ep2_vs_ep1.awk — is episode 2 of a trial better than episode 1? The paired difference
# of the two returns per trial, from an eval CSV (metarl eval's eval/<set>.csv or a table
# row's rows/<row>/eval/<set>.csv): mean ± standard error and the paired t statistic
# (t > 1.65: episode 2 higher at p = 0.05, one-sided; n in the hundreds).
#   awk -f scripts/ep2_vs_ep1.awk results/reference/dark_room/rows/rl_gru/eval/test.csv
BEGIN { FS = "," }
NR == 1 {
    for (i = 1; i <= NF; i++) { col[$i] = i }
    if (!("episode" in col) || !("return" in col) || !("task" in col) || !("trial" in col)) {
        print FILENAME ": error: not an eval CSV (needs task, trial, episode, return)" > "/dev/stderr"
        bad = 1; exit 2
    }
    next
}
$col["episode"] == 1 { r1[$col["task"] "," $col["trial"]] = $col["return"] }
$col["episode"] == 2 { r2[$col["task"] "," $col["trial"]] = $col["return"] }
END {
    if (bad) { exit 2 }
    for (k in r1) {
        if (!(k in r2)) { continue }
        d = r2[k] - r1[k]; n++; s += d; ss += d * d
    }
    if (n < 2) { print "error: fewer than 2 trials with two episodes" > "/dev/stderr"; exit 2 }
    m = s / n; v = (ss - n * m * m) / (n - 1); se = sqrt(v > 0 ? v : 0) / sqrt(n)
    t = (se > 0) ? sprintf("%.1f", m / se) : "inf"
    printf "ep2 - ep1: %.2f ± %.2f (n = %d trials, paired t = %s)\n", m, se, n, t
}
