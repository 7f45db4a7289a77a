#!/bin/sh
# The status line `claude-fallback -- claude` gives Claude Code: prints line 3 of the repository's run file (line 1:
# the proxy's pid and start time, line 2: JSON for the CLI, line 3: the status line text; proxy/run/run-file.ts)
# while that proxy is alive, in a few milliseconds and without starting node. The liveness check (pid, start time,
# not a zombie) is the hooks' own, fb_proxy_alive in hooks/active-run.sh.
# Usage: sh statusline.sh [FILE|-] [USER_COMMAND]
#   FILE          the run file; "-" or none: <git common dir>/fallback-proxy.run of the current directory
#   USER_COMMAND  the user's own status line, run first on the same JSON input (Claude Code's session data on
#                 stdin), so both show.
file=${1:--}
if [ -n "$2" ]; then
  input=$(cat)
  # Its output on lines of its own, whether or not it ends with a newline.
  out=$(printf '%s\n' "$input" | sh -c "$2")
  [ -z "$out" ] || printf '%s\n' "$out"
else
  cat > /dev/null
fi
here=${0%/*}
[ "$here" = "$0" ] && here=.
. "$here/../../hooks/active-run.sh"
if [ "$file" = - ]; then
  # Like git: the first .git up from here, a directory or a `gitdir: …` file (a linked worktree), then its common
  # dir (a linked worktree's git dir names it in `commondir`). Builtins only.
  d=$PWD
  g=
  while [ -n "$d" ]; do
    if [ -d "$d/.git" ]; then
      g=$d/.git
      break
    elif [ -f "$d/.git" ] && IFS= read -r l < "$d/.git" && [ "${l#gitdir: }" != "$l" ]; then
      g=${l#gitdir: }
      case $g in /*) ;; *) g=$d/$g ;; esac
      break
    fi
    d=${d%/*}
  done
  fb_common_dir=$g
  if [ -n "$g" ] && [ -f "$g/commondir" ] && IFS= read -r l < "$g/commondir"; then
    case $l in /*) fb_common_dir=$l ;; *) fb_common_dir=$g/$l ;; esac
  fi
  file=$fb_common_dir/fallback-proxy.run
fi
fb_common_dir=${file%/*}
if [ "$fb_common_dir" = "$file" ]; then fb_common_dir=.; fi
if [ "${file##*/}" = fallback-proxy.run ] && fb_proxy_alive && { IFS= read -r l1 && IFS= read -r l2 && IFS= read -r line; } < "$file" && [ -n "$line" ]; then
  printf '%s\n' "$line"
else
  echo "claude-fallback: no proxy running for this repository"
fi
