#!/bin/sh
# scripts/deps.sh — installs the Debian packages metarl needs, and only the
# missing ones. Idempotent: a second run does nothing. Used by `make test`,
# `make demo` and CI. Run as root (or with sudo available); otherwise it
# prints the one apt-get command to run and exits 1.
set -eu

# git: the table scripts record the commit they ran at, and their test makes a scratch
# checkout
PKGS="build-essential cmake pkg-config libyaml-dev libopenblas-dev libcmocka-dev git"
# optional: learning-curve plots; installed too, but nothing fails without it
OPT_PKGS="gnuplot-nox"

missing=""
for p in $PKGS $OPT_PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    echo "deps: all packages present"
    exit 0
fi

echo "deps: installing:$missing"
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo"
else
    echo "deps: error: not root and no password-less sudo; run as root:" >&2
    echo "    apt-get update && apt-get install -y$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
echo "deps: done"
