# goal_search.awk — where a goal-search agent loses in episode 2, from an eval CSV of a
# task that pays only on the goal (dark room): the share of trials whose episode 1 earns
# anything (the goal was found), episode 2's mean return after a found and after a
# missed episode 1, how often episode 2 finds it after a miss, and how many tasks
# episode 1 finds in under 30% of their trials.
#   awk -f scripts/goal_search.awk results/reference/dark_room/rows/rl_gru/eval/test.csv
BEGIN { FS = "," }
NR == 1 {
    for (i = 1; i <= NF; i++) { col[$i] = i }
    if (!("episode" in col) || !("return" in col) || !("task" in col) || !("trial" in col)) {
        print FILENAME ": error: not an eval CSV (needs task, trial, episode, return)" > "/dev/stderr"
        bad = 1; exit 2
    }
    next
}
$col["episode"] == 1 { k = $col["task"] "," $col["trial"]; found[k] = $col["return"] > 0; task[k] = $col["task"] }
$col["episode"] == 2 { r2[$col["task"] "," $col["trial"]] = $col["return"] }
END {
    if (bad) { exit 2 }
    for (k in found) {
        if (!(k in r2)) { continue }
        t = task[k]; n_t[t]++; f_t[t] += found[k]
        if (found[k]) { nf++; sf += r2[k] } else { nm++; sm += r2[k]; fm += r2[k] > 0 }
    }
    if (nf + nm == 0) { print FILENAME ": error: no trial with episodes 1 and 2" > "/dev/stderr"; exit 2 }
    for (t in n_t) { nt++; low += f_t[t] / n_t[t] < 0.3 }
    printf "trials %d: episode 1 finds the goal in %.1f%%\n", nf + nm, 100 * nf / (nf + nm)
    if (nf) { printf "episode 2 after a find: %.2f\n", sf / nf }
    if (nm) { printf "episode 2 after a miss: %.2f (finds it in %.1f%% of them)\n", sm / nm, 100 * fm / nm }
    printf "tasks found by episode 1 in under 30%% of trials: %d of %d\n", low, nt
}
