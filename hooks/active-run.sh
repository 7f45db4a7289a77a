# Sourced by the hooks: the repository's git dirs, whether git is in the middle of something, whether the proxy
# of the run file is alive and the model run it says is active, and the models whose recorded edits (in a bounded
# tail of the ledger) a commit contains. Plain sh; the contract is docs/git.md, the ledger format docs/ledger.md.
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
  fb_ledger=$fb_common_dir/model-ledger
}

# OPERATIONS_IN_PROGRESS of proxy/git/git-state.ts, the one list (test/git/git-state.test.ts keeps this copy equal).
fb_operations='MERGE_HEAD CHERRY_PICK_HEAD REVERT_HEAD rebase-merge rebase-apply sequencer BISECT_LOG'

# True while git is in the middle of a merge, rebase, cherry-pick, revert, am or bisect: replayed commits keep
# their own trailers, and a commit then is not a model's new work.
fb_busy() {
  for fb_op in $fb_operations; do
    [ -e "$fb_git_dir/$fb_op" ] && return 0
  done
  return 1
}

# True when the proxy named by line 1 of this repository's run file (proxy/run/run-file.ts) is alive: the pid runs, is
# not a zombie (exited, not yet reaped: kill -0 still succeeds) and is the same process (its start time matches, so
# a reused pid does not count); isAlive in proxy/git/process-identity.mjs is the same check. Sets fb_proxy_pid, and
# fb_run to line 4 (the active run, read by fb_active_run).
# On Linux with builtins only (/proc/<pid>/stat, fields 3 and 22); elsewhere `ps -o stat= -o lstart=`.
fb_proxy_alive() {
  [ -f "$fb_common_dir/fallback-proxy.run" ] || return 1
  # Line 1 and line 4 (the active run, `<tier> <stamp> <first tier> <port>`) in one read of the file, which the proxy
  # replaces whole (rename): both are of the same moment. Line 4 is absent while the proxy is still starting.
  fb_run=
  { IFS=' ' read -r fb_proxy_pid fb_proxy_start fb_rest && IFS= read -r fb_line && IFS= read -r fb_line && IFS= read -r fb_run; } < "$fb_common_dir/fallback-proxy.run"
  case $fb_proxy_pid in '' | *[!0-9]*) return 1 ;; esac
  case $fb_proxy_pid in '' | *[!0-9]*) return 1 ;; esac
  kill -0 "$fb_proxy_pid" 2>/dev/null || return 1
  if [ -r "/proc/$fb_proxy_pid/stat" ]; then
    fb_proc_start "$fb_proxy_pid" && [ "$fb_start" = "$fb_proxy_start" ] || return 1
  else
    fb_ps=$(ps -o stat= -o lstart= -p "$fb_proxy_pid" 2>/dev/null) || return 1
    fb_ps=${fb_ps#"${fb_ps%%[! ]*}"}
    fb_state=${fb_ps%% *}
    [ "$(printf '%s' "${fb_ps#* }" | tr -d ' ')" = "$fb_proxy_start" ] || return 1
  fi
  case $fb_state in Z* | X*) return 1 ;; esac
  return 0
}

# fb_state = the state (R, S, Z for a zombie, …) and fb_start = the start time (clock ticks since boot) of process
# $1: fields 3 and 22 of /proc/$1/stat, counted after the command name, which is in parentheses and may itself hold
# spaces or parentheses.
fb_proc_start() {
  IFS= read -r fb_line < "/proc/$1/stat" || return 1
  fb_line=${fb_line##*) }
  set -f
  # shellcheck disable=SC2086
  set -- $fb_line
  set +f
  [ $# -ge 20 ] || return 1
  fb_state=$1
  shift 19
  fb_start=$1
}

# True when this commit comes from a session that uses the live proxy: the ANTHROPIC_BASE_URL it inherited (Claude
# Code's Bash tool passes the session's on to git: test/hooks/claude-code-env.test.ts) is http on a loopback
# address with the port of the proxy's start line (fb_proxy_port, set by fb_active_run). A session without it, or
# pointed elsewhere (another proxy, Anthropic itself, another worktree's session), is not this proxy's.
fb_uses_proxy() {
  case $ANTHROPIC_BASE_URL in http://*) ;; *) return 1 ;; esac
  fb_hp=${ANTHROPIC_BASE_URL#http://}
  fb_hp=${fb_hp%%/*}
  fb_hp=${fb_hp%%\?*}
  case $fb_hp in *@*) return 1 ;; esac
  case $fb_hp in
    \[*\]:*) fb_host=${fb_hp%%]:*}] fb_port=${fb_hp##*]:} ;;
    *:*) fb_host=${fb_hp%:*} fb_port=${fb_hp##*:} ;;
    *) fb_host=$fb_hp fb_port=80 ;;
  esac
  [ -n "$fb_proxy_port" ] && [ "$fb_port" = "$fb_proxy_port" ] || return 1
  case $fb_host in 127.* | localhost | LOCALHOST | '[::1]' | 0.0.0.0) return 0 ;; esac
  return 1
}

# Sets fb_tier (the active model), fb_run_stamp (its run's start, YYYYMMDD-HHMMSS-mmm UTC), fb_first_tier (tiers[0]
# of the proxy's start line) and fb_proxy_port from line 4 of the run file, which the live proxy rewrites on every
# switch (proxy/run/run.ts): the ledger is not read. Fails when no model is active (no line 4, or a malformed one).
# Call fb_proxy_alive first (it reads the line).
fb_active_run() {
  [ -n "$fb_run" ] || return 1
  set -f
  # shellcheck disable=SC2086
  set -- $fb_run
  set +f
  [ $# -eq 4 ] || return 1
  fb_tier=$1 fb_run_stamp=$2 fb_first_tier=$3 fb_proxy_port=$4
  case $fb_run_stamp in [0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9][0-9][0-9]-[0-9][0-9][0-9]) ;; *) return 1 ;; esac
  case $fb_proxy_port in '' | *[!0-9]*) return 1 ;; esac
  return 0
}

# An awk function for both passes below: a path as git prints it, "C-quoted" when it holds a quote, a backslash
# or a control character (core.quotePath=false leaves other bytes as they are).
fb_awk_unq='
    function unq(s,    out, c) {
      if (substr(s, 1, 1) != "\"" || substr(s, length(s), 1) != "\"") return s
      s = substr(s, 2, length(s) - 2)
      out = ""
      while (length(s) > 0) {
        c = substr(s, 1, 1)
        if (c == "\\") {
          c = substr(s, 2, 1)
          if (c ~ /[0-7]/) { c = sprintf("%c", (substr(s, 2, 1) * 64) + (substr(s, 3, 1) * 8) + substr(s, 4, 1)); s = substr(s, 3) }
          else if (c == "t") c = "\t"; else if (c == "n") c = "\n"
          s = substr(s, 2)
        }
        out = out c
        s = substr(s, 2)
      }
      return out
    }
'

# Sets fb_models to the tiers (one a line, in the order of their edits) whose recorded edits (ledger `edit`
# lines: a file a model wrote through Claude Code's Write, Edit, MultiEdit or NotebookEdit tool) this commit
# contains: a staged path with an edit that no commit since the edit's `head` (HEAD when it was recorded) took, that
# is touched the path in head..HEAD. Fails when there is none. Reads a bounded tail of the ledger only.
fb_edit_models() {
  [ -f "$fb_ledger" ] || return 1
  fb_staged=$(git -c core.quotePath=false diff --cached --name-only --no-renames 2>/dev/null) || return 1
  [ -n "$fb_staged" ] || return 1
  # The recent tail first; only when it holds no edit of a staged path, the longer one (docs/ledger.md, "Hooks").
  fb_ledger_size=$(wc -c < "$fb_ledger" 2>/dev/null) || return 1
  fb_edit_candidates "$fb_edit_window" || { [ "$fb_ledger_size" -gt "$fb_edit_window" ] && fb_edit_candidates "$fb_edit_window_max"; }
}

# The bytes of the ledger the hooks read for edits: the last 1 MiB (days of heavy use), and when that holds no
# edit of a staged path, the last 32 MiB (weeks); an edit older than that is not seen. Never the whole ledger.
fb_edit_window=1048576
fb_edit_window_max=33554432

# The last $1 bytes of the ledger from its first whole line on (the line the window cuts into is dropped).
fb_ledger_tail() {
  if [ "$fb_ledger_size" -gt "$1" ]; then
    # One byte more than the window: when it is the newline before a whole line, only that empty line is dropped.
    tail -c "$(($1 + 1))" "$fb_ledger" | sed 1d
  else
    cat "$fb_ledger"
  fi
}

# Sets fb_models from the edits in the last $1 bytes of the ledger; fails when none is staged.
fb_edit_candidates() {
  # -a: a torn or corrupt byte (a NUL left by a crash) must not turn the lines into "Binary file matches".
  fb_edits=$(fb_ledger_tail "$1" | LC_ALL=C grep -a -F '"kind":"edit"') || return 1
  # "C<TAB>head<TAB>tier<TAB>path" for the latest edit of each staged path by each tier (in ledger order), then
  # "H<TAB>head" and "P<TAB>path" for each of their heads and paths once.
  fb_cand=$(printf '%s\n\001\n%s\n' "$fb_staged" "$fb_edits" | LC_ALL=C awk "$fb_awk_unq"'
    # The JSON string value of key k in s, unescaped (\" \\ \/ \n \t); "" when absent, null or holding \u escapes.
    function jstr(s, k,    i, c, out) {
      i = index(s, "\"" k "\":\"")
      if (i == 0) return ""
      s = substr(s, i + length(k) + 4)
      out = ""
      while (length(s) > 0) {
        c = substr(s, 1, 1)
        if (c == "\"") return out
        if (c == "\\") {
          c = substr(s, 2, 1)
          if (c == "n") c = "\n"; else if (c == "t") c = "\t"; else if (c == "u") return ""
          s = substr(s, 2)
        }
        out = out c
        s = substr(s, 2)
      }
      return ""
    }
    section == 0 && $0 == "\001" { section = 1; next }
    section == 0 { staged[unq($0)] = 1; next }
    !/"kind":"edit"/ { next }
    # Per path and tier only the latest edit matters: the commits since an older one include those since it.
    /}$/ {
      p = jstr($0, "path")
      if (!(p in staged)) next
      h = jstr($0, "head")
      if (h == "") h = "-" # recorded before the first commit: every commit counts
      k = p SUBSEP jstr($0, "tier")
      if (k in at) delete order[at[k]]
      at[k] = NR; order[NR] = "C\t" h "\t" jstr($0, "tier") "\t" p
      head[k] = h
    }
    END {
      for (i = 1; i <= NR; i++) if (i in order) print order[i]
      for (k in head) { if (!(head[k] in hs)) { hs[head[k]] = 1; print "H\t" head[k] } split(k, kp, SUBSEP); if (!(kp[1] in ps)) { ps[kp[1]] = 1; print "P\t" kp[1] } }
    }') || return 1
  case $fb_nl$fb_cand in *"$fb_nl"C*) ;; *) return 1 ;; esac
  fb_ifs=$IFS
  IFS=$fb_nl
  set -f
  fb_heads= fb_paths=
  for fb_line in $fb_cand; do
    case $fb_line in
      "H$fb_tab"*) fb_heads="$fb_heads${fb_line#H"$fb_tab"}$fb_nl" ;;
      "P$fb_tab"*) fb_paths="$fb_paths${fb_line#P"$fb_tab"}$fb_nl" ;;
    esac
  done
  # For each head, the paths of those that commits since it touched ("\002<head>" heads each commit's list). A head
  # git no longer knows (history rewritten) is compared against all of HEAD's history: in doubt, not stamped.
  fb_log=
  for fb_head in $fb_heads; do
    fb_range=$fb_head..HEAD
    [ "$fb_head" = - ] && fb_range=HEAD
    # shellcheck disable=SC2086
    fb_out=$(GIT_LITERAL_PATHSPECS=1 git -c core.quotePath=false log --no-renames --format="%x02$fb_head" --name-only "$fb_range" -- $fb_paths 2>/dev/null ||
      GIT_LITERAL_PATHSPECS=1 git -c core.quotePath=false log --no-renames --format="%x02$fb_head" --name-only HEAD -- $fb_paths 2>/dev/null)
    fb_log=$fb_log$fb_out$fb_nl
  done
  set +f
  IFS=$fb_ifs
  fb_models=$(printf '%s\n\001\n%s\n' "$fb_log" "$fb_cand" | LC_ALL=C awk -F '\t' "$fb_awk_unq"'
    section == 0 && $0 == "\001" { section = 1; next }
    section == 0 && substr($0, 1, 1) == "\002" { head = substr($0, 2); next }
    section == 0 { if ($0 != "") taken[head SUBSEP unq($0)] = 1; next }
    $1 == "C" && !((($2) SUBSEP ($4)) in taken) && !seen[$3]++ { print $3 }')
  [ -n "$fb_models" ]
}

# For post-commit, which runs next: the live proxy's active run, when this commit may carry its tag
# ("<tier> <stamp>" in <git dir>/fallback-run; prepare-commit-msg empties it first, so it is never an old one).
fb_note_run() {
  [ -n "$fb_tier" ] && [ -n "$fb_run_stamp" ] && printf '%s %s\n' "$fb_tier" "$fb_run_stamp" > "$fb_git_dir/fallback-run"
  return 0
}

# The run's tag name: <prefix><tier>-<YYYYMMDD-HHMMSS-mmm>; see runTagName in proxy/git/run-tag.ts. The prefix is
# the one the installed stub passes (fb_prefix), else fallback.tagPrefix, else model-.
fb_run_tag() {
  [ -n "$fb_prefix" ] || fb_prefix=$(git config --get fallback.tagPrefix 2>/dev/null) || fb_prefix=model-
  fb_tag="$fb_prefix$fb_tier-$fb_run_stamp"
}

fb_warn() {
  echo "warning: claude-fallback $fb_hook: $*" >&2
}

fb_nl='
'
fb_tab='	'
