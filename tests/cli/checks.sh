# checks.sh — sourced by the shell tests in this directory: a scratch directory $T removed
# on exit, `check DESCRIPTION COMMAND...` (a command that must succeed; a failure prints
# "FAIL DESCRIPTION" and is counted) and `finish N` (N checks in all: prints the tally and
# exits non-zero when any failed).
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
check() {
    d=$1
    shift
    "$@" || { echo "FAIL $d"; fails=$((fails + 1)); }
}
finish() {
    echo "$(($1 - fails)) passed, $fails failed"
    [ "$fails" -eq 0 ]
    exit
}
