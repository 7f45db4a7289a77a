#!/bin/sh
# The status line `claude-fallback -- claude` gives Claude Code: prints the line the running proxy keeps in
# FILE (line 1: the proxy's pid, line 2: the text), in a few milliseconds and without starting node.
# Usage: sh statusline.sh [FILE|-] [USER_COMMAND]
#   FILE          the proxy's status line file; "-" or none: <git dir>/fallback-statusline of the current directory
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
if [ "$file" = - ]; then
  # Like git: the first .git up from here, a directory or a `gitdir: …` file (a linked worktree). Builtins only.
  d=$PWD
  file=
  while [ -n "$d" ]; do
    if [ -d "$d/.git" ]; then
      file=$d/.git/fallback-statusline
      break
    elif [ -f "$d/.git" ] && IFS= read -r l < "$d/.git" && [ "${l#gitdir: }" != "$l" ]; then
      g=${l#gitdir: }
      case $g in /*) ;; *) g=$d/$g ;; esac
      file=$g/fallback-statusline
      break
    fi
    d=${d%/*}
  done
fi
if [ -f "$file" ] && { IFS= read -r pid && IFS= read -r line; } < "$file" && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
  printf '%s\n' "$line"
else
  echo "claude-fallback: no proxy running for this repository"
fi
