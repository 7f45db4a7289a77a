// The repository a subcommand works on (the git repository of the current directory, or --repo), and the
// files the CLI keeps in its git dir. The git dir is the worktree's own (`.git`, or `.git/worktrees/<name>`
// for a linked worktree); the ledger and the run file stay in the common dir, and one proxy serves the whole
// repository (docs/git.md, "One proxy per repository").

import { join, resolve } from 'node:path';
import { git } from '../git/git.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';

export type Repo = {
  /** The work tree's top level. */
  top: string;
  /** This worktree's git dir: fallback-proxy.log lives here. */
  gitDir: string;
  /** Shared by all worktrees: the ledger and the run file (proxy/run/run-file.ts). */
  commonDir: string;
};

/** An error a subcommand reports in one line, exiting with its code (proxy/exit-codes.ts; docs/cli.md "Exit codes"). */
export class CliError extends Error {
  override name = 'CliError';
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode = EXIT.failed) {
    super(message);
    this.exitCode = exitCode;
  }
}

export async function findRepo(dir: string): Promise<Repo> {
  const at = resolve(dir);
  const r = await git(at, ['rev-parse', '--show-toplevel', '--absolute-git-dir', '--git-common-dir'], { reject: false });
  if (r.exitCode !== 0) {
    throw new CliError(
      `${at} is not inside a git repository (${r.stderr.trim().split('\n')[0] || `git exit ${r.exitCode}`}): run this in your project, or pass --repo DIR`,
      EXIT.environment,
    );
  }
  const [top, gitDir, common] = r.stdout.trim().split('\n');
  return { top, gitDir, commonDir: resolve(at, common) };
}

export const logFilePath = (repo: Pick<Repo, 'gitDir'>) => join(repo.gitDir, 'fallback-proxy.log');
