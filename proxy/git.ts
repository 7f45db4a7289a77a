// The one place the project speaks to git: a runner plus the repository facts every part needs.
// Output that holds several records is read with NUL/record separators, never split on spaces.

import { execa } from 'execa';
import { resolve } from 'node:path';

export type GitResult = { stdout: string; stderr: string; exitCode: number };
export type GitOptions = { env?: Record<string, string | undefined>; input?: string; reject?: boolean; timeoutMs?: number };

export class GitError extends Error {
  override name = 'GitError';
  readonly exitCode: number;
  readonly stderr: string;
  constructor(message: string, exitCode: number, stderr: string) {
    super(message);
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

/** Runs `git -C cwd …args`; throws GitError on a non-zero exit unless `reject: false`. */
export async function git(cwd: string, args: string[], opts: GitOptions = {}): Promise<GitResult> {
  const r = await execa('git', ['-C', cwd, ...args], {
    env: { GIT_TERMINAL_PROMPT: '0', ...opts.env },
    input: opts.input,
    reject: false,
    stripFinalNewline: false,
    timeout: opts.timeoutMs,
  });
  const result = { stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), exitCode: r.exitCode ?? 1 };
  if (result.exitCode !== 0 && opts.reject !== false) {
    throw new GitError(`git ${args.join(' ')}: ${result.stderr.trim() || `exit ${result.exitCode}`}`, result.exitCode, result.stderr);
  }
  return result;
}

/** The work tree's top level, or null when `dir` is not inside a git work tree. */
export async function gitTopLevel(dir: string): Promise<string | null> {
  const r = await git(dir, ['rev-parse', '--show-toplevel'], { reject: false }).catch(() => null);
  return r && r.exitCode === 0 ? r.stdout.trim() : null;
}

/** `$(git rev-parse --git-common-dir)` as an absolute path: where the ledger lives, shared by worktrees. */
export async function gitCommonDir(dir: string): Promise<string> {
  const r = await git(dir, ['rev-parse', '--git-common-dir']);
  return resolve(dir, r.stdout.trim());
}
