#!/bin/sh
# bad_inputs.sh METARL TEST_PLUGIN_DIR — every kind of bad input to `metarl eval`
# gives exactly one line on stderr naming the file and place, exit status 2,
# and writes nothing (the output directory is never created).
set -u
METARL=$1
TPD=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
n=0

# expect NAME EXPECTED_REGEX CMD...: exit 2, one stderr line matching, nothing written
expect() {
    name=$1
    re=$2
    shift 2
    n=$((n + 1))
    out="$T/out_$n"
    "$@" --out "$out" >"$T/stdout" 2>"$T/stderr"
    code=$?
    lines=$(wc -l <"$T/stderr")
    if [ "$code" -ne 2 ]; then
        echo "FAIL $name: exit $code, expected 2"; cat "$T/stderr"; fails=$((fails + 1)); return
    fi
    if [ "$lines" -ne 1 ]; then
        echo "FAIL $name: $lines lines on stderr, expected 1"; cat "$T/stderr"; fails=$((fails + 1)); return
    fi
    if ! grep -Eq "$re" "$T/stderr"; then
        echo "FAIL $name: message does not match /$re/:"; cat "$T/stderr"; fails=$((fails + 1)); return
    fi
    if [ -e "$out" ]; then
        echo "FAIL $name: $out was created"; fails=$((fails + 1)); return
    fi
    echo "ok   $name: $(cat "$T/stderr")"
}

good="$T/good.yaml"
cat >"$good" <<'Y'
env:
  plugin: bandit
  params: {arms: 5}
tasks:
  test: {count: 20, seed: 1}
trial: {episodes: 3}
Y

printf 'env:\n  plugin: bandit\n  params: {arms: 5\ntrial: {episodes: 3}\n' >"$T/syntax.yaml"
expect "yaml syntax error" "^$T/syntax.yaml:[0-9]+:[0-9]+: error: " "$METARL" eval "$T/syntax.yaml"

printf 'env:\n  plugin: bandit\ntrial: {episodes: 3}\nagent: {kind: random, hiden: 3}\n' >"$T/unknown.yaml"
expect "unknown key with hint" "^$T/unknown.yaml:4:23: error: unknown key 'hiden'.*did you mean 'hidden'" "$METARL" eval "$T/unknown.yaml"

printf 'env:\n  plugin: bandit\n  params: {arms: 5, armz: 3}\n' >"$T/unknown_param.yaml"
expect "unknown plugin parameter with hint" "^$T/unknown_param.yaml:3:21: error: .*'armz'.*did you mean 'arms'" "$METARL" eval "$T/unknown_param.yaml"

printf 'env:\n  plugin: bandit\ntrial: {episodes: many}\n' >"$T/type.yaml"
expect "wrong type" "^$T/type.yaml:3:19: error: .*trial.episodes.*integer" "$METARL" eval "$T/type.yaml"

printf 'env:\n  plugin: bandit\n  params: {arms: 1}\n' >"$T/range.yaml"
expect "out-of-range plugin parameter" "^$T/range.yaml:3:18: error: .*arms.*out of range" "$METARL" eval "$T/range.yaml"

printf 'env:\n  plugin: bandit\nseed: -4\n' >"$T/range2.yaml"
expect "out-of-range core value" "^$T/range2.yaml:3:7: error: .*seed" "$METARL" eval "$T/range2.yaml"

expect "bad override key" "^override 'trial.episodez=2': error: unknown key 'episodez'.*did you mean 'episodes'" "$METARL" eval "$good" trial.episodez=2
expect "bad override value" "^override 'trial.episodes=0': error: .*out of range" "$METARL" eval "$good" trial.episodes=0
expect "malformed override" "^override '=3': error: " "$METARL" eval "$good" =3
expect "unknown agent" "^override 'agent.kind=smart': error: unknown agent 'smart'" "$METARL" eval "$good" --agent smart

printf 'env:\n  plugin: no_such_plugin\n' >"$T/noplugin.yaml"
expect "unknown plugin" "^$T/noplugin.yaml:2:11: error: unknown plugin 'no_such_plugin'" "$METARL" eval "$T/noplugin.yaml"

printf 'env:\n  plugin: %s/broken_abi_major.so\n' "$TPD" >"$T/abi.yaml"
expect "wrong ABI major" "broken_abi_major.so: error: plugin ABI major 2, this metarl needs 1" "$METARL" eval "$T/abi.yaml"

expect "missing config file" "^$T/missing.yaml: error: cannot open: No such file or directory" "$METARL" eval "$T/missing.yaml"

expect "unknown option" "^metarl eval: error: unknown option '--agnet'" "$METARL" eval "$good" --agnet random

# bench train's iteration count: a number in range, not whatever atoi made of it
expect "bench iterations not a number" "^metarl bench train: error: --iterations wants 1\.\.100000, not 'x3'" "$METARL" bench train "$good" --iterations x3
# an empty number is not 0 (strtol alone read '' as 0)
expect "render empty task index" "^metarl render: error: --task wants a task index >= 0" "$METARL" render "$good" --task ""
expect "bench iterations zero" "^metarl bench train: error: --iterations wants 1\.\.100000, not '0'" "$METARL" bench train "$good" --iterations 0

# nothing already written is damaged: a failed eval leaves a previous result intact
"$METARL" eval "$good" --out "$T/prev" >/dev/null 2>&1 || { echo "FAIL good config did not run"; fails=$((fails + 1)); }
cp "$T/prev/summary.json" "$T/summary.before"
"$METARL" eval "$T/type.yaml" --out "$T/prev" >/dev/null 2>&1
if cmp -s "$T/summary.before" "$T/prev/summary.json"; then echo "ok   previous results intact"; else echo "FAIL previous results changed"; fails=$((fails + 1)); fi

echo "$((n + 1 - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
