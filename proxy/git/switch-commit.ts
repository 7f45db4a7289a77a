// The auto-commit at a tier switch (docs/git.md, "The auto-commit at a switch"): commits the working tree as
// the finished run's last commit and tags the run, bounded in time; a busy index is waited for briefly and
// never forced; no hook of the repository runs, and nothing is committed while git is in the middle of something.

import { resolve } from 'node:path';
import { git, type GitResult } from './git.ts';
import { WITHOUT_HOOKS, operationsIn } from './git-state.ts';
import type { SwitchReason } from './ledger.ts';
import { runTagName } from './run-tag.ts';

export type SwitchCommitOptions = {
  repo: string;
  from: string;
  to: string;
  reason: SwitchReason;
  tagPrefix: string;
  /** ISO ts of the run being ended (the `ts` of the ledger line that made `from` active). */
  runStartedAt: string;
  /** How long a held `index.lock` is waited for before giving up (default 3000). */
  lockWaitMs?: number;
  /** The most one git command may take (default 20000): `git add -A` on a huge tree must not hold a request forever. */
  gitTimeoutMs?: number;
};
export type SwitchCommitResult = { commit: string | null; tag: string | null; warning?: string };

const RETRY_MS = 50;
/** How far back a run's latest commit is looked for when the switch had nothing to commit. */
const RUN_SEARCH_DEPTH = 200;
// git's message when another process holds a lock: "Unable to create '…/index.lock': File exists."
const LOCK_HELD = /\.lock': File exists/;

export function switchCommitMessage(from: string, to: string, reason: SwitchReason): string {
  return `Auto-commit before switch to ${to}\n\nModel: ${from}\nModel-Switch: ${from} -> ${to}\nSwitch-Reason: ${reason}\n`;
}

/**
 * `git add -A` + `git commit` with the switch trailers and no hooks, then the finished run's tag on that commit.
 * Nothing to commit (or no commit possible) still tags the run's latest commit when the run made any.
 * Never throws: what went wrong comes back as `warning`, with `commit: null`.
 */
export async function commitAtSwitch(opts: SwitchCommitOptions): Promise<SwitchCommitResult> {
  const { repo, from, to, reason } = opts;
  const deadline = Date.now() + (opts.lockWaitMs ?? 3000);
  const timeoutMs = opts.gitTimeoutMs ?? 20_000;
  let tag: string;
  try {
    tag = runTagName(opts.tagPrefix, from, opts.runStartedAt);
  } catch (err) {
    return { commit: null, tag: null, warning: `auto-commit skipped: ${(err as Error).message}` };
  }
  try {
    const gitDir = resolve(repo, (await git(repo, ['rev-parse', '--git-dir'])).stdout.trim());
    const busy = operationsIn(gitDir);
    if (busy.length > 0) return await withoutCommit(opts, tag, `auto-commit skipped: git has an operation in progress (${busy.join(', ')})`);

    const added = await whenUnlocked(() => git(repo, [...WITHOUT_HOOKS, 'add', '-A'], { reject: false, timeoutMs }), deadline);
    if (added.exitCode !== 0) return await withoutCommit(opts, tag, failure('git add -A', added, opts.lockWaitMs));
    const staged = await git(repo, ['diff', '--cached', '--quiet'], { reject: false, timeoutMs });
    if (staged.exitCode === 0) return await withoutCommit(opts, tag);

    // No hook runs (WITHOUT_HOOKS): a hook of the repository could hang or slow the request that switches,
    // and one that edits the message could break the trailers review reads.
    const committed = await whenUnlocked(
      () =>
        git(repo, [...WITHOUT_HOOKS, 'commit', '--no-verify', '--quiet', '--cleanup=strip', '-F', '-'], {
          input: switchCommitMessage(from, to, reason),
          reject: false,
          timeoutMs,
        }),
      deadline,
    );
    if (committed.exitCode !== 0) return await withoutCommit(opts, tag, failure('git commit', committed, opts.lockWaitMs));
    const commit = (await git(repo, ['rev-parse', 'HEAD'])).stdout.trim();
    await git(repo, ['update-ref', `refs/tags/${tag}`, commit]);
    return { commit, tag };
  } catch (err) {
    return { commit: null, tag: null, warning: `auto-commit failed: ${firstLine((err as Error).message)}` };
  }
}

/** Runs `step` until it no longer meets a held lock or the deadline passes; the lock itself is never touched. */
async function whenUnlocked(step: () => Promise<GitResult>, deadline: number): Promise<GitResult> {
  for (;;) {
    const r = await step();
    if (r.exitCode === 0 || !LOCK_HELD.test(r.stderr) || Date.now() + RETRY_MS > deadline) return r;
    await new Promise((done) => setTimeout(done, RETRY_MS));
  }
}

function failure(what: string, r: GitResult, lockWaitMs = 3000): string {
  if (LOCK_HELD.test(r.stderr)) return `auto-commit skipped: git is busy (a lock held for more than ${lockWaitMs} ms): ${firstLine(r.stderr)}`;
  return `auto-commit failed: ${what}: ${firstLine(r.stderr) || `exit ${r.exitCode}`}`;
}

/** No auto-commit: the run's tag stays where post-commit put it, or goes on the run's latest commit from HEAD. */
async function withoutCommit(opts: SwitchCommitOptions, tag: string, warning?: string): Promise<SwitchCommitResult> {
  const done = (t: string | null): SwitchCommitResult => (warning ? { commit: null, tag: t, warning } : { commit: null, tag: t });
  const existing = await git(opts.repo, ['rev-parse', '-q', '--verify', `refs/tags/${tag}`], { reject: false });
  if (existing.exitCode === 0) return done(tag);
  const since = Math.floor(new Date(opts.runStartedAt).getTime() / 1000);
  const log = await git(
    opts.repo,
    ['log', `-n${RUN_SEARCH_DEPTH}`, '--format=%H%x1f%ct%x1f%(trailers:key=Model,valueonly,separator=%x2C)%x1e', 'HEAD', '--'],
    { reject: false },
  );
  if (log.exitCode !== 0) return done(null); // no commits yet
  for (const record of log.stdout.split('\x1e')) {
    const [sha, ct, model] = record.trim().split('\x1f');
    if (!sha || Number(ct) < since) continue;
    if (model?.trim() === opts.from) {
      await git(opts.repo, ['update-ref', `refs/tags/${tag}`, sha]);
      return done(tag);
    }
  }
  return done(null);
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
