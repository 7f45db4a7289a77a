// The one place the project speaks to git: a runner plus the repository facts every part needs.
// Output that holds several records is read with NUL/record separators, never split on spaces.

import { spawn } from 'node:child_process';
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

/**
 * Runs `git -C cwd …args`; throws GitError on a non-zero exit unless `reject: false`.
 * Plain `child_process.spawn` rather than execa: loading execa's module tree through tsx costs about 0.2 s,
 * which a short-lived caller (scripts/review.ts) paid at start-up before git could even run.
 */
export async function git(cwd: string, args: string[], opts: GitOptions = {}): Promise<GitResult> {
  const result = await new Promise<GitResult>((done) => {
    // stdin is only a pipe when there is input, so a git that would read it never waits.
    const child = spawn('git', ['-C', cwd, ...args], {
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', ...opts.env },
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    let timedOut = false;
    let finished = false;
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGTERM');
          }, opts.timeoutMs);
    const finish = (exitCode: number, extra = '') => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      done({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') + extra, exitCode });
    };
    child.on('error', (e) => finish(1, e.message)); // git missing, bad cwd
    child.on('close', (code) => finish(code ?? 1));
    // After a timeout, a grandchild (a hook, an alias's shell) may still hold the pipes open: don't wait for it.
    child.on('exit', () => {
      if (!timedOut) return;
      child.stdout?.destroy();
      child.stderr?.destroy();
      finish(1, `timed out after ${opts.timeoutMs} ms`);
    });
    if (child.stdin) {
      child.stdin.on('error', () => {}); // git may exit before reading all of it
      child.stdin.end(opts.input);
    }
  });
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
