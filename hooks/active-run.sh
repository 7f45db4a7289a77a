# Sourced by the hooks: the repository's git dirs and the model run the ledger says is active, in plain sh.
# The ledger lines are compact JSON from JSON.stringify (proxy/git/ledger.ts), so grep and awk read them safely.

# Sets fb_git_dir (this worktree's) and fb_common_dir (shared by all worktrees, where the ledger lives).
# With shell builtins only: git runs hooks at the work tree's top, where `.git` is the git dir or a
# `gitdir: …` file (linked worktree, submodule), and a linked worktree's dir names the common one in `commondir`.
fb_git_dirs() {
  if [ -n "$GIT_DIR" ]; then
    fb_git_dir=$GIT_DIR
  elif [ -d .git ]; then
    fb_git_dir=.git
  elif [ -f .git ] && IFS= read -r fb_line < .git && [ "${fb_line#gitdir: }" != "$fb_line" ]; then
    fb_git_dir=${fb_line#gitdir: }
  else
    fb_git_dir=$(git rev-parse --git-dir 2>/dev/null) || return 1
  fi
  fb_common_dir=$fb_git_dir
  if [ -f "$fb_git_dir/commondir" ] && IFS= read -r fb_line < "$fb_git_dir/commondir"; then
    case $fb_line in /*) fb_common_dir=$fb_line ;; *) fb_common_dir=$fb_git_dir/$fb_line ;; esac
  fi
}

# True while git replays old commits (rebase, cherry-pick, revert, merge): those keep their own trailers.
fb_replaying() {
  [ -e "$fb_git_dir/rebase-merge" ] || [ -e "$fb_git_dir/rebase-apply" ] || [ -e "$fb_git_dir/CHERRY_PICK_HEAD" ] ||
    [ -e "$fb_git_dir/REVERT_HEAD" ] || [ -e "$fb_git_dir/MERGE_HEAD" ]
}

# Sets fb_tier (the active model), fb_run_stamp (its run's start, YYYYMMDD-HHMMSS UTC) and fb_first_tier
# (tiers[0] of the latest start line, "-" when unknown). Fails when no model is active.
# Only the last start/switch/stop line decides (start -> active, switch -> to, stop -> none); lines of other
# kinds, and a torn last line (no closing brace), are skipped.
fb_active_run() {
  [ -f "$fb_common_dir/model-ledger" ] || return 1
  # grep (fast, C locale) keeps the lines whose kind starts with "s", so awk reads a handful of lines even when
  # the ledger holds many thousands of usage lines.
  fb_run=$(LC_ALL=C grep -F '"kind":"s' "$fb_common_dir/model-ledger" | LC_ALL=C awk '
    function val(s, k) {
      if (!match(s, "\"" k "\":\"[^\"]*\"")) return ""
      return substr(s, RSTART + length(k) + 4, RLENGTH - length(k) - 5)
    }
    /}$/ {
      kind = val($0, "kind")
      if (kind != "start" && kind != "switch" && kind != "stop") next
      last = $0; lastkind = kind
      if (kind == "start") start = $0
    }
    END {
      if (lastkind == "start") tier = val(last, "active")
      else if (lastkind == "switch") tier = val(last, "to")
      else exit
      ts = val(last, "ts")
      if (tier == "" || ts !~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]/) exit
      first = "-"
      if (match(start, /"tiers":\["[^"]+"/)) first = substr(start, RSTART + 10, RLENGTH - 11)
      print tier, substr(ts, 1, 4) substr(ts, 6, 2) substr(ts, 9, 2) "-" substr(ts, 12, 2) substr(ts, 15, 2) substr(ts, 18, 2), first
    }') || return 1
  [ -n "$fb_run" ] || return 1
  fb_tier=${fb_run%% *}
  fb_run=${fb_run#* }
  fb_run_stamp=${fb_run%% *}
  fb_first_tier=${fb_run#* }
}

# The run's tag name: <fallback.tagPrefix, default model-><tier>-<YYYYMMDD-HHMMSS>; see runTagName in proxy/git/run-tag.ts.
fb_run_tag() {
  fb_prefix=$(git config --get fallback.tagPrefix 2>/dev/null) || fb_prefix=model-
  fb_tag="$fb_prefix$fb_tier-$fb_run_stamp"
}

fb_warn() {
  echo "warning: claude-fallback $fb_hook: $*" >&2
}
