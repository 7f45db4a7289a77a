// The review's exit codes and the one error type that carries a message a user can act on.

export const EXIT = {
  ok: 0,
  /** Something unexpected: a git command failed, a bug. */
  failed: 1,
  /** Bad arguments or an unknown model name. */
  usage: 2,
  /** The view cannot run here: not a git repository, no ledger yet, a broken config. */
  environment: 3,
  /** Refused and nothing changed: a dirty tree, a failing `--test`, a merge commit to revert. */
  refused: 4,
  /** A rollback hit a conflict; the repository is as it was. */
  conflict: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class ReviewError extends Error {
  override name = 'ReviewError';
  readonly exitCode: ExitCode;
  /** Facts for `--json` output: the conflicting files, the dirty paths, the known models… */
  readonly details: Record<string, unknown>;
  constructor(message: string, exitCode: ExitCode, details: Record<string, unknown> = {}) {
    super(message);
    this.exitCode = exitCode;
    this.details = details;
  }
}
