# Sourced by post-commit and post-rewrite: starts the attribution note writer (docs/git.md, "Line attribution
# notes") detached and niced, unless one is alive already (it takes the work the hooks left before it stops).
# attribution-env.sh, written at install time, names the node and the writer script (fb_node, fb_attr).

# $1: <git common dir>/fallback-notes. Returns at once; never fails the hook.
fb_start_note_writer() {
  [ -f "$fb_attr" ] || return 0
  if [ -f "$1/writer.lock" ] && IFS=' ' read -r fb_wpid fb_wstart < "$1/writer.lock" 2>/dev/null && [ -n "$fb_wpid" ] &&
    kill -0 "$fb_wpid" 2>/dev/null; then
    # The same process, not a reused pid (Linux: the start time in /proc, as fb_proc_start reads it).
    if [ ! -r "/proc/$fb_wpid/stat" ]; then return 0; fi
    IFS= read -r fb_wline < "/proc/$fb_wpid/stat" 2>/dev/null
    fb_wline=${fb_wline##*) }
    set -f
    # shellcheck disable=SC2086
    set -- $fb_wline
    set +f
    if [ $# -ge 20 ]; then shift 19; [ "$1" = "$fb_wstart" ] && return 0; fi
  fi
  ( nice -n 10 "$fb_node" "$fb_attr" drain < /dev/null > /dev/null 2>> "$fb_notes_log" & )
  return 0
}
