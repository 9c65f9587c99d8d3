# ep2_vs_ep1.awk — is episode 2 of a trial better than episode 1? The paired difference
# of the two returns per trial, from an eval CSV (metarl eval's eval/<set>.csv or a table
# row's rows/<row>/eval/<set>.csv): mean over the trials ± standard error and the t
# statistic (t > 1.65: episode 2 higher at p = 0.05, one-sided, with tens of tasks or
# more). The standard error is clustered by task, as metarl eval's: the trials of one
# task share it and are not independent, so the units are the tasks (with one trial per
# task, the usual paired standard error over the trials).
#   awk -f scripts/ep2_vs_ep1.awk results/reference/dark_room/rows/rl_gru/eval/test.csv
# With -v search=1, for a task that pays only on its goal (dark room), also where episode
# 2 loses: the share of trials whose episode 1 earns anything (found the goal), episode 2's
# mean return after a found and after a missed episode 1, how often episode 2 finds it
# after a miss, and how many tasks episode 1 finds in under 30% of their trials.
#   awk -v search=1 -f scripts/ep2_vs_ep1.awk results/reference/dark_room/rows/rl_gru/eval/test.csv
BEGIN { FS = "," }
NR == 1 {
    for (i = 1; i <= NF; i++) { col[$i] = i }
    if (!("episode" in col) || !("return" in col) || !("task" in col) || !("trial" in col)) {
        print FILENAME ": error: not an eval CSV (needs task, trial, episode, return)" > "/dev/stderr"
        bad = 1; exit 2
    }
    next
}
$col["episode"] == 1 { k = $col["task"] "," $col["trial"]; r1[k] = $col["return"]; task[k] = $col["task"] }
$col["episode"] == 2 { r2[$col["task"] "," $col["trial"]] = $col["return"] }
END {
    if (bad) { exit 2 }
    for (k in r1) {
        if (!(k in r2)) { continue }
        d = r2[k] - r1[k]; n++; s += d
        id = task[k]; n_t[id]++; s_t[id] += d
        if (r1[k] > 0) { nf++; sf += r2[k]; f_t[id]++ } else { nm++; sm += r2[k]; fm += r2[k] > 0 }
    }
    for (id in n_t) { g++ }
    if (g < 2) { print FILENAME ": error: fewer than 2 tasks with a trial of two episodes" > "/dev/stderr"; exit 2 }
    # the pooled mean; its cluster-robust variance g / (g - 1) * sum (s_t - m n_t)^2 / n^2
    m = s / n
    for (id in n_t) { e = s_t[id] - m * n_t[id]; ss += e * e }
    se = sqrt(ss * g / (g - 1)) / n
    t = (se > 0) ? sprintf("%.1f", m / se) : "inf"
    printf "ep2 - ep1: %.2f ± %.2f (n = %d tasks, %d trials; paired t = %s)\n", m, se, g, n, t
    if (!search) { exit 0 }
    for (id in n_t) { nt++; low += f_t[id] / n_t[id] < 0.3 }
    printf "episode 1 finds the goal in %.1f%% of trials\n", 100 * nf / n
    if (nf) { printf "episode 2 after a find: %.2f\n", sf / nf }
    if (nm) { printf "episode 2 after a miss: %.2f (finds it in %.1f%% of them)\n", sm / nm, 100 * fm / nm }
    printf "tasks found by episode 1 in under 30%% of trials: %d of %d\n", low, nt
}
