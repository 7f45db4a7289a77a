#!/usr/bin/env bash
# `npm test` runs this first: the Debian packages the end-to-end tests drive, installed when missing.
# Chromium for the dashboard's browser tests (Debian's build, never a downloaded one) and tmux for the
# status-line test with the real Claude Code. As root (CI, a fresh machine) they are installed with apt-get.
# As anyone else nothing is installed and no password is asked: the tests that need a missing program are
# skipped, and the run's last line names them and the command that installs them.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
[ ${#missing[@]} -eq 0 ] && exit 0
[ "$(id -u)" -eq 0 ] || exit 0
command -v apt-get >/dev/null 2>&1 || exit 0
echo "== installing for the end-to-end tests: ${missing[*]}" >&2
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
