// The exit codes of the whole command line (`claude-fallback` and every subcommand, review included):
// one table, documented once in docs/cli.md ("Exit codes").

export const EXIT = {
  /** Done (also "nothing to roll back or accept", "no proxy was running" for stop). */
  ok: 0,
  /** Failed: something unexpected (a git command failed, the proxy did not answer), or the command could not do its job. */
  failed: 1,
  /** Bad arguments: an unknown option or subcommand, a malformed value, an unknown model name. */
  usage: 2,
  /** Cannot run here: not a git repository, no proxy running, no ledger yet, a broken config. */
  environment: 3,
  /**
   * Refused and nothing changed: a dirty tree, an operation in progress, a merge commit, a failing `--test`, a rollback
   * that would revert a person's lines (their lines and a model's in one hunk).
   */
  refused: 4,
  /** A rollback hit a conflict; HEAD, index and working tree are as they were. */
  conflict: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
