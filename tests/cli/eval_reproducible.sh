#!/bin/sh
# eval_reproducible.sh METARL SOURCE_DIR — the bundled RL² configs: the random
# agent's mean trial return is where theory puts it (bandit 5.0 ± 0.1, MDP
# 100 ± 2 on the 1000 held-out tasks), and running the same eval twice (and
# with 2 threads) gives byte-identical CSV and JSON. On a CPU with AVX2 and FMA,
# eval runs on a vector BLAS core, not OpenBLAS's generic Prescott fallback
# (before `eval` re-executed itself as train does, it ran 2x slower there).
set -eu
METARL=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0

mean_of() { # summary.json -> the test set's trial_return mean
    tr -d '\n' <"$1" | sed 's/.*"test": *{[^}]*"trial_return": {"mean": \([-0-9.e+]*\).*/\1/'
}

check() { # name config lo hi
    name=$1 cfg=$2 lo=$3 hi=$4
    "$METARL" eval "$SRC/$cfg" --agent random --out "$T/$name.a" >"$T/$name.log"
    "$METARL" eval "$SRC/$cfg" --agent random --out "$T/$name.b" >/dev/null
    "$METARL" eval "$SRC/$cfg" --agent random --threads 2 --slots 7 --out "$T/$name.c" >/dev/null
    for f in summary.json eval/test.csv table.md; do
        for other in b c; do
            if ! cmp -s "$T/$name.a/$f" "$T/$name.$other/$f"; then
                echo "FAIL $name: $f differs between runs (a vs $other)"; fails=$((fails + 1))
            fi
        done
    done
    m=$(mean_of "$T/$name.a/summary.json")
    if awk -v m="$m" -v lo="$lo" -v hi="$hi" 'BEGIN { exit !(m >= lo && m <= hi) }'; then
        echo "ok   $name: random mean trial return $m in [$lo, $hi]; reruns byte-identical"
    else
        echo "FAIL $name: random mean trial return $m outside [$lo, $hi]"; fails=$((fails + 1))
    fi
}

check bandit configs/bandit_k5_n10.yaml 4.9 5.1
check mdp configs/mdp_n10.yaml 98 102

core=$(sed -n 's/^wrote .* (BLAS \(.*\))$/\1/p' "$T/mdp.log")
if [ -z "$core" ]; then
    echo "FAIL eval printed no BLAS core"; fails=$((fails + 1))
elif grep -q '^flags.* avx2' /proc/cpuinfo && grep -q '^flags.* fma' /proc/cpuinfo &&
    [ -z "${OPENBLAS_CORETYPE:-}" ] && [ "$core" = Prescott ]; then
    echo "FAIL eval runs OpenBLAS's generic Prescott kernels on an AVX2 CPU"; fails=$((fails + 1))
else
    echo "ok   eval's BLAS core: $core"
fi
echo "$((3 - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
