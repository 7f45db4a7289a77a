// The one error type of the review that carries a message a user can act on, with its exit code
// (proxy/exit-codes.ts, the command line's one table).

import type { ExitCode } from '../exit-codes.ts';

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
