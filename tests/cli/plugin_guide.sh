#!/bin/sh
# plugin_guide.sh SOURCE_DIR — follows docs/plugins.md verbatim: extracts the
# files marked `<!-- file: NAME -->` and runs the `<!-- commands -->` block in
# a fresh directory, then checks that the new plugin was listed, passed the
# conformance checker and was evaluated.
set -eu
SRC=$(cd "$1" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
awk -v dir="$T" '
    /^<!-- file: / { name = $3; want = 1; next }
    /^<!-- commands -->/ { name = "commands.sh"; want = 1; next }
    want && /^```/ { if (inside) { inside = 0; want = 0; close(dir "/" name) } else { inside = 1 } ; next }
    inside { print > (dir "/" name) }
' "$SRC/docs/plugins.md"
for f in line.c line.yaml commands.sh; do
    [ -s "$T/$f" ] || { echo "FAIL docs/plugins.md has no block for $f"; exit 1; }
done
cd "$T"
METARL_SRC=$SRC sh -e commands.sh >log.txt 2>&1 || { cat log.txt; echo "FAIL the guide's commands failed"; exit 1; }
fails=0
grep -Eq '^  line +1\.0\.0 +find a hidden goal' log.txt || { echo "FAIL metarl plugins did not list line"; fails=$((fails + 1)); }
grep -q 'line (.*line.so): [0-9]* passed, 0 failed' log.txt || { echo "FAIL conformance"; fails=$((fails + 1)); }
for r in line_random line_oracle; do
    [ -s "results/$r/summary.json" ] || { echo "FAIL no results/$r/summary.json"; fails=$((fails + 1)); }
done
# the oracle always reaches the goal
grep -q '"success": {"mean": 1,' results/line_oracle/summary.json || { echo "FAIL oracle success"; fails=$((fails + 1)); }
[ "$fails" -eq 0 ] || { cat log.txt; exit 1; }
echo "1 passed, 0 failed"
