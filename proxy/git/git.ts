// The one place the project speaks to git: a runner plus the repository facts every part needs.
// Output that holds several records is read with NUL/record separators, never split on spaces.

import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { Duplex } from 'node:stream';

export type GitResult = {
  stdout: string;
  stderr: string;
  exitCode: number;
  /** With `bytes`: stdout as git wrote it (`stdout` is then empty). */ bytes?: Buffer;
};
export type GitOptions = {
  env?: Record<string, string | undefined>;
  input?: string | Buffer;
  /** Return stdout undecoded in `bytes` (file contents are bytes, not necessarily UTF-8); `stdout` is then empty. */
  bytes?: boolean;
  reject?: boolean;
  timeoutMs?: number;
  /**
   * Git and everything it starts (filters, ssh, gpg) die with this process, even after a SIGKILL of it: for git run
   * by the long-lived proxy, which must not leave a `git add` holding a lock after it is gone (see TIED below).
   */
  tied?: boolean;
};

/**
 * The tied runner, a POSIX sh script run as the leader of a process group of its own (spawn's `detached`).
 * fd 3 is a socket whose other end only this process holds: `read` on it returns once this process closes it or
 * dies, SIGKILL included (the kernel closes its sockets), and then the whole group gets SIGTERM, so git removes its
 * lock files (git's lockfile code does so on SIGTERM) and its children go too. When git ends first, the watcher is
 * stopped and git's exit status is passed on. Stdin is moved to fd 5 first: an asynchronous list's stdin is
 * /dev/null unless redirected explicitly (POSIX sh, "Asynchronous Lists").
 */
const TIED = [
  'exec 5<&0',
  '{ read -r _ <&3; kill -TERM 0; } 5<&- &',
  'w=$!',
  '"$@" <&5 3<&- 5<&- &',
  'c=$!',
  'wait "$c"; s=$?',
  'kill "$w" 2>/dev/null',
  'exit "$s"',
].join('\n');

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
    const tied = opts.tied === true && process.platform !== 'win32';
    const stdin = opts.input === undefined ? 'ignore' : 'pipe';
    const env = { ...process.env, GIT_TERMINAL_PROMPT: '0', ...opts.env };
    const child = tied
      ? spawn('sh', ['-c', TIED, 'git', 'git', '-C', cwd, ...args], { env, stdio: [stdin, 'pipe', 'pipe', 'pipe'], detached: true })
      : spawn('git', ['-C', cwd, ...args], { env, stdio: [stdin, 'pipe', 'pipe'] });
    const lifeline = tied ? (child.stdio[3] as Duplex | null) : null;
    lifeline?.on('error', () => {});
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
            if (!tied) child.kill('SIGTERM');
            else lifeline?.destroy(); // the watcher sees the end and stops the whole group
          }, opts.timeoutMs);
    const finish = (exitCode: number, extra = '') => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      lifeline?.destroy();
      const stdout = Buffer.concat(out);
      done({
        stdout: opts.bytes ? '' : stdout.toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + extra,
        exitCode,
        ...(opts.bytes ? { bytes: stdout } : {}),
      });
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

/**
 * A path as git prints it in diffs and porcelain output: C-quoted ("a\tb", octal escapes for other bytes) when it
 * holds special characters (with core.quotePath=false too, for a quote, a tab or a control character), else as is.
 */
export function unquotePath(s: string): string {
  if (!s.startsWith('"') || !s.endsWith('"')) return s;
  const bytes: number[] = [];
  const body = Buffer.from(s.slice(1, -1), 'utf8');
  const esc: Record<string, number> = { n: 10, t: 9, r: 13, '"': 34, '\\': 92, a: 7, b: 8, f: 12, v: 11 };
  for (let i = 0; i < body.length; i++) {
    if (body[i] !== 92) {
      bytes.push(body[i]);
      continue;
    }
    const c = String.fromCharCode(body[i + 1]);
    if (/[0-7]/.test(c)) {
      bytes.push(parseInt(body.subarray(i + 1, i + 4).toString(), 8));
      i += 3;
    } else {
      bytes.push(esc[c] ?? body[i + 1]);
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
