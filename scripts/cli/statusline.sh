#!/bin/sh
# The status line `claude-fallback -- claude` gives Claude Code: prints the line the running proxy keeps in
# FILE (line 1: the proxy's pid, line 2: the text), in a few milliseconds and without starting node.
# Usage: sh statusline.sh FILE [USER_COMMAND]   USER_COMMAND: the user's own status line, run first on the
# same JSON input (Claude Code's session data on stdin), so both show.
file=$1
if [ -n "$2" ]; then
  input=$(cat)
  printf '%s\n' "$input" | sh -c "$2"
else
  cat > /dev/null
fi
if [ -f "$file" ] && { IFS= read -r pid && IFS= read -r line; } < "$file" && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
  printf '%s\n' "$line"
else
  echo "claude-fallback: no proxy running for this repository"
fi
