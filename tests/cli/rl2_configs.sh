#!/bin/sh
# rl2_configs.sh SRC — configs/rl2/ is what scripts/rl2_tables_gen.sh writes (no hand edits
# drift from the generator); a line of configs/rl2_train_tuned.tsv replaces that train key
# in its setting's training config only, marked as such; a tuned key the source config
# lacks is an error naming it.
set -u
SRC=$1
. "$(dirname "$0")/checks.sh"
cd "$SRC" || exit 1
check "generator runs" bash scripts/rl2_tables_gen.sh "$T/gen" >/dev/null
check "configs/rl2 is current (re-run scripts/rl2_tables_gen.sh)" diff -r "$T/gen" configs/rl2

# a copy of the tree the generator reads, with one tuned line
mkdir -p "$T/tree/scripts"
cp -r configs "$T/tree/"
cp scripts/rl2_tables_gen.sh "$T/tree/scripts/"
cd "$T/tree" || exit 1
printf 'bandit\tk=50,n=100\tent_coef\t0.02\t80.0\t0.5\n' >>configs/rl2_train_tuned.tsv
check "tuned generator runs" bash scripts/rl2_tables_gen.sh "$T/tuned" >/dev/null
check "tuned value written and marked" \
    grep -qx '  ent_coef: 0.02   # for this setting: configs/rl2_train_tuned.tsv' \
    "$T/tuned/bandit_k50_n100_rl2.yaml"
check "one ent_coef line" test "$(grep -c 'ent_coef' "$T/tuned/bandit_k50_n100_rl2.yaml")" = 1
check "other settings untouched" diff "$T/gen/bandit_k10_n100_rl2.yaml" \
    "$T/tuned/bandit_k10_n100_rl2.yaml"
check "other lines untouched" sh -c "diff '$T/gen/bandit_k50_n100_rl2.yaml' \
    '$T/tuned/bandit_k50_n100_rl2.yaml' | grep -c '^[<>]' | grep -qx 2"
printf 'mdp\tn=25\tno_such_key\t1\t0\t0\n' >>configs/rl2_train_tuned.tsv
err=$(bash scripts/rl2_tables_gen.sh "$T/bad" 2>&1 >/dev/null)
rc=$?
check "unknown tuned key fails" test "$rc" -ne 0
check "error names the key" sh -c "printf '%s' '$err' | grep -q 'no train.no_such_key'"
finish 9
