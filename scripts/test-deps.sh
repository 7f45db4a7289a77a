#!/usr/bin/env bash
# `npm test` runs this first: the Debian packages the end-to-end tests drive, installed when missing.
# Chromium for the dashboard's browser tests (Debian's build, never a downloaded one) and tmux for the
# status-line test with the real Claude Code. Without root (or sudo) it names what to install and stops.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo=sudo; else
    echo "npm test needs the Debian packages: ${missing[*]} (apt-get install -y ${missing[*]})" >&2
    exit 1
  fi
fi
command -v apt-get >/dev/null 2>&1 || { echo "npm test needs: ${missing[*]} (no apt-get here: install them with your package manager)" >&2; exit 1; }
echo "== installing for the end-to-end tests: ${missing[*]}" >&2
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${missing[@]}" >/dev/null
