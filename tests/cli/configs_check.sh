#!/bin/sh
# configs_check.sh METARL SOURCE_DIR — every bundled run config passes
# `metarl check` (schema, plugin parameters, task sets, disjointness); table
# files (those with a top-level `config:` key) are checked through their base
# config.
set -u
METARL=$1
SRC=$2
fails=0
n=0
for f in "$SRC"/configs/*.yaml "$SRC"/configs/*/*.yaml; do
    [ -f "$f" ] || continue
    if grep -q '^config:' "$f"; then
        continue # a table file; its base config is checked on its own
    fi
    n=$((n + 1))
    if ! out=$("$METARL" check "$f" 2>&1); then
        echo "FAIL $f: $out"
        fails=$((fails + 1))
    fi
done
echo "$((n - fails)) passed, $fails failed"
[ "$fails" -eq 0 ] && [ "$n" -gt 0 ]
