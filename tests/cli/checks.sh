# checks.sh — sourced by the shell tests in this directory: a scratch directory $T removed
# on exit, `check DESCRIPTION COMMAND...` (a command that must succeed; a failure prints
# "FAIL DESCRIPTION" and is counted) and `finish N` (N checks in all: prints the tally and
# exits non-zero when any failed, or when a number of checks other than N ran, so that a
# check skipped by a broken loop or an early branch does not go unnoticed).
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
checks=0
check() {
    d=$1
    shift
    checks=$((checks + 1))
    "$@" || { echo "FAIL $d"; fails=$((fails + 1)); }
}
finish() {
    echo "$((checks - fails)) passed, $fails failed"
    if [ "$checks" -ne "$1" ]; then
        echo "FAIL $checks checks ran, $1 expected"
        exit 1
    fi
    [ "$fails" -eq 0 ]
    exit
}
