#!/bin/sh
# rl2_configs.sh SRC — configs/rl2/ is what scripts/rl2_tables_gen.sh writes (no hand edits
# drift from the generator); a line of configs/rl2_train_tuned.tsv sets that train or
# agent key in its setting's training config only, marked as such; a tuned train key the
# source config lacks, or a key of neither section, is an error naming it.
set -u
SRC=$1
. "$(dirname "$0")/checks.sh"
cd "$SRC" || exit 1
check "generator runs" bash scripts/rl2_tables_gen.sh "$T/gen" >/dev/null
check "configs/rl2 is current (re-run scripts/rl2_tables_gen.sh)" diff -r "$T/gen" configs/rl2

# a copy of the tree the generator reads whose tsv holds only its comments (the
# committed tuning must not decide what this test expects): the untuned configs in
# $T/base; then tuned lines for k = 10, n = 100 and n = 25
mkdir -p "$T/tree/scripts"
cp -r configs "$T/tree/"
cp scripts/rl2_tables_gen.sh "$T/tree/scripts/"
cd "$T/tree" || exit 1
tsv=configs/rl2_train_tuned.tsv
grep "^#" $tsv >"$T/comments.tsv" && mv "$T/comments.tsv" $tsv
check "untuned generator runs" bash scripts/rl2_tables_gen.sh "$T/base" >/dev/null
printf 'bandit\tk=10,n=100\ttrain.ent_coef\t0.02\t80.0\t0.5\n' >>$tsv
printf 'bandit\tk=10,n=100\tagent.hidden\t32\t80.0\t0.5\n' >>$tsv
printf 'bandit\tk=10,n=100\tagent.layer_norm\ttrue\t80.0\t0.5\n' >>$tsv
printf 'mdp\tn=25\tagent.cell\tlstm\t0\t0\n' >>$tsv
printf 'mdp\tn=25\tagent.head_skip\ttrue\t0\t0\n' >>$tsv
check "tuned generator runs" bash scripts/rl2_tables_gen.sh "$T/tuned" >/dev/null
k10=$T/tuned/bandit_k10_n100_rl2.yaml
check "tuned train value written and marked" \
    grep -qx '  ent_coef: 0.02   # for this setting: configs/rl2_train_tuned.tsv' "$k10"
check "one ent_coef line" test "$(grep -c 'ent_coef' "$k10")" = 1
check "agent value replaced, a key added to the mapping" grep -qx \
    'agent: {kind: rl2, cell: gru, hidden: 32, time_input: true, layer_norm: true}' "$k10"
check "agent keys named in a comment" sh -c "grep -qx '# agent.hidden: 32 for this setting: configs/rl2_train_tuned.tsv' '$k10' &&
    grep -qx '# agent.layer_norm: true for this setting: configs/rl2_train_tuned.tsv' '$k10'"
check "other settings untouched" diff "$T/base/bandit_k5_n100_rl2.yaml" \
    "$T/tuned/bandit_k5_n100_rl2.yaml"
check "other lines untouched" sh -c "diff '$T/base/bandit_k10_n100_rl2.yaml' '$k10' |
    grep -c '^[<>]' | grep -qx 6"
n25=$T/tuned/mdp_n25_rl2.yaml
check "a mapping over two lines: value replaced on the first" grep -q '^agent: {kind: rl2, cell: lstm, ' "$n25"
check "a mapping over two lines: key added on the last" \
    grep -q '^ .*separate_value: true, head_skip: true}$' "$n25"
cp $tsv "$T/good.tsv"
printf 'mdp\tn=25\tno_such_key\t1\t0\t0\n' >>$tsv
err=$(bash scripts/rl2_tables_gen.sh "$T/bad" 2>&1 >/dev/null)
rc=$?
check "a key of neither section fails" test "$rc" -ne 0
check "error names the key" sh -c "printf '%s' '$err' | grep -q 'key \"no_such_key\" is neither'"
cp "$T/good.tsv" $tsv
printf 'mdp\tn=25\ttrain.no_such_key\t1\t0\t0\n' >>$tsv
err=$(bash scripts/rl2_tables_gen.sh "$T/bad" 2>&1 >/dev/null)
rc=$?
check "unknown train key fails" test "$rc" -ne 0
check "error names the key" sh -c "printf '%s' '$err' | grep -q 'no train.no_such_key'"
finish 16
