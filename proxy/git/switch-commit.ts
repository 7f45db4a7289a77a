// The auto-commit at a tier switch (docs/git.md, "The auto-commit at a switch"): commits what the models wrote in the
// working tree as the finished run's last commit, stamped with those models only, and tags the run; the person's own
// uncommitted work stays out, as it was, named in the message. It is built in a temporary index, so the user's index
// and staging are never rewritten; its git commands die with the proxy; secrets by name and big files are left out; no
// hook of the repository runs; nothing is committed while git is in the middle of something; every step is bounded.

import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { git as runGit, type GitOptions, type GitResult } from './git.ts';
import { WITHOUT_HOOKS, operationsIn } from './git-state.ts';
import {
  DEFAULT_MAX_FILE_SIZE,
  describeLeftOut,
  describePersons,
  leftOutOf,
  summarizeLeftOut,
  summarizePaths,
  type LeftOut,
} from './left-out.ts';
import { ledgerPath, type SwitchReason } from './ledger.ts';
import { modelWrites, modelsInOrder } from './model-writes.ts';
import { runTagName } from './run-tag.ts';
import { noteAutoCommit } from '../attribution/auto-commit-note.ts';

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
  /** Files bigger than this (bytes) are left out (`git.auto_commit_max_file_size`, default 10 MB). */
  maxFileSize?: number;
};
export type SwitchCommitResult = { commit: string | null; tag: string | null; warning?: string };

const RETRY_MS = 50;
/** How far back a run's latest commit is looked for when the switch had nothing to commit. */
const RUN_SEARCH_DEPTH = 200;
// git's message when another process holds a lock: "Unable to create '…/index.lock': File exists."
const LOCK_HELD = /\.lock': File exists/;

/** Every git command of the auto-commit dies with the proxy (a SIGKILL of it included): see `tied` in git.ts. */
const git = (cwd: string, args: string[], opts: GitOptions = {}): Promise<GitResult> => runGit(cwd, args, { ...opts, tied: true });

export type SwitchMessage = {
  from: string;
  to: string;
  reason: SwitchReason;
  /** The models whose writes the commit holds, in the order of their writes: one `Model:` trailer each. */
  models: readonly string[];
  /** Files a model wrote that were left out (secrets by name, too big). */
  leftOut?: LeftOut[];
  /** Files no model wrote: the person's, left uncommitted. */
  persons?: readonly string[];
  maxFileSize?: number;
};

export function switchCommitMessage(m: SwitchMessage): string {
  const paragraphs = [
    ...(m.persons?.length ? [describePersons(m.persons)] : []),
    ...(m.leftOut?.length ? [describeLeftOut(m.leftOut, m.maxFileSize ?? DEFAULT_MAX_FILE_SIZE)] : []),
  ];
  const body = paragraphs.map((p) => `\n${p}\n`).join('');
  const trailers = [...m.models.map((x) => `Model: ${x}`), `Model-Switch: ${m.from} -> ${m.to}`, `Switch-Reason: ${m.reason}`];
  return `Auto-commit before switch to ${m.to}\n${body}\n${trailers.join('\n')}\n`;
}

/**
 * Commits the files the models wrote with the switch trailers, then the finished run's tag on that commit:
 * copy of the index → the person's staged paths back to HEAD's entries in it → `git add -A` of the models' files into
 * it → `write-tree` → `commit-tree` → `update-ref HEAD <new> <old>` (so a commit of the user's made meanwhile is
 * never overwritten) → the paths the user had not staged are brought to the new commit in the real index. Nothing to commit (or no commit possible) still tags the run's latest commit.
 * Never throws: what went wrong comes back as `warning`, with `commit: null`.
 */
export async function commitAtSwitch(opts: SwitchCommitOptions): Promise<SwitchCommitResult> {
  const { repo, from, to, reason } = opts;
  const lockWaitMs = opts.lockWaitMs ?? 3000;
  const timeoutMs = opts.gitTimeoutMs ?? 20_000;
  const maxFileSize = opts.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  let tag: string;
  try {
    tag = runTagName(opts.tagPrefix, from, opts.runStartedAt);
  } catch (err) {
    return { commit: null, tag: null, warning: `auto-commit skipped: ${(err as Error).message}` };
  }
  let scratch: string | undefined;
  try {
    // One line each, relative to `repo` where not absolute; `--git-path index` is this worktree's own index.
    const where = (
      await git(repo, ['rev-parse', '--show-toplevel', '--git-dir', '--git-path', 'index', '--git-common-dir'], { timeoutMs })
    ).stdout.split('\n');
    const [top, gitDir, index, commonDir] = where.slice(0, 4).map((p) => resolve(repo, p));
    const busy = operationsIn(gitDir);
    if (busy.length > 0)
      return await withoutCommit(opts, tag, `auto-commit skipped: git has an operation in progress (${busy.join(', ')})`);
    // A held index.lock: someone is writing the index right now (a commit, an add). Waited for, never removed.
    if (!(await lockGone(`${index}.lock`, lockWaitMs)))
      return await withoutCommit(
        opts,
        tag,
        `auto-commit skipped: git is busy (a lock held for more than ${lockWaitMs} ms): '${index}.lock' exists`,
      );
    const [unmerged, headInfo] = await Promise.all([
      git(top, ['ls-files', '-z', '--unmerged'], { timeoutMs }),
      git(top, ['rev-parse', 'HEAD^{commit}', 'HEAD^{tree}'], { timeoutMs, reject: false }), // fails on a branch with no commit
    ]);
    if (unmerged.stdout !== '') return await withoutCommit(opts, tag, 'auto-commit skipped: the index has unresolved conflicts');
    const [head, headTree] = headInfo.exitCode === 0 ? headInfo.stdout.split('\n') : [null, null];

    // The temporary index starts as a copy of the user's: it keeps git's cached file stats (so `add -A` hashes only
    // what changed) and what the user tracks or staged, `git add -f` of an ignored file included.
    removeOrphanedScratch();
    scratch = mkdtempSync(join(tmpdir(), `${SCRATCH_PREFIX}${process.pid}-`));
    const scratchIndex = join(scratch, 'index');
    if (existsSync(index)) copyFileSync(index, scratchIndex);
    // core.splitIndex=false: the copy is written whole, never as a new shared index file in the user's git dir.
    const inScratch = (args: string[], input?: string) =>
      git(top, [...WITHOUT_HOOKS, '-c', 'core.splitIndex=false', ...args], {
        env: { GIT_INDEX_FILE: scratchIndex },
        timeoutMs,
        input,
        reject: false,
      });

    // What `add -A` would take from the working tree (changed tracked files and untracked, not ignored ones), and what
    // the user staged (raw records: HEAD's entry of each staged path, to put back for the person's).
    const [changed, staged] = await Promise.all([
      inScratch(['ls-files', '-z', '--modified', '--others', '--exclude-standard']),
      inScratch(head ? ['diff-index', '--cached', '-z', '--no-renames', head] : ['ls-files', '-z']),
    ]);
    if (changed.exitCode !== 0) return await withoutCommit(opts, tag, failure('git ls-files', changed));
    if (staged.exitCode !== 0) return await withoutCommit(opts, tag, failure('git diff-index', staged));
    const changedPaths = [...new Set(splitZ(changed.stdout))];
    const zeroId = '0'.repeat(head?.length ?? 40);
    const stagedEntries = head ? rawRecords(staged.stdout) : splitZ(staged.stdout).map((path) => ({ path, mode: '0', id: zeroId }));
    // Who wrote what: a changed or staged file with no model's write that still counts is the person's, and stays out.
    const candidates = [...new Set([...changedPaths, ...stagedEntries.map((e) => e.path)])];
    const writes = await modelWrites(top, ledgerPath(commonDir), candidates, git, { timeoutMs });
    const written = new Set(writes.map((w) => w.path));
    const persons = candidates.filter((p) => !written.has(p)).sort(byPath);
    const leftOut = leftOutOf(
      top,
      changedPaths.filter((p) => written.has(p)),
      maxFileSize,
    );
    const out = new Set(leftOut.map((l) => l.path));
    const toAdd = changedPaths.filter((p) => written.has(p) && !out.has(p));
    // The person's staged paths get HEAD's entry back in the copy (none: removed), so the commit holds none of them.
    const reset = stagedEntries.filter((e) => !written.has(e.path));
    if (reset.length > 0) {
      const r = await inScratch(
        ['update-index', '-z', '--index-info'],
        reset.map((e) => (/^0+$/.test(e.mode) ? `0 ${zeroId}\t${e.path}` : `${e.mode} ${e.id}\t${e.path}`)).join('\0') + '\0',
      );
      if (r.exitCode !== 0) return await withoutCommit(opts, tag, failure('git update-index', r));
    }
    if (toAdd.length > 0) {
      const pathspecs = toAdd.map((p) => `:(literal)${p}`);
      const added = await inScratch(['add', '-A', '--pathspec-from-file=-', '--pathspec-file-nul'], pathspecs.join('\0') + '\0');
      if (added.exitCode !== 0) return await withoutCommit(opts, tag, failure('git add -A', added));
    }
    const tree = await inScratch(['write-tree']);
    if (tree.exitCode !== 0) return await withoutCommit(opts, tag, failure('git write-tree', tree));
    const treeId = tree.stdout.trim();
    const baseTree = headTree ?? (await git(top, ['hash-object', '-t', 'tree', '--stdin'], { input: '', timeoutMs })).stdout.trim(); // the empty tree
    const notes = [
      ...(persons.length > 0 ? [`auto-commit left the person's ${summarizePaths(persons)} uncommitted (no model wrote them)`] : []),
      ...(leftOut.length > 0 ? [`auto-commit left out ${summarizeLeftOut(leftOut)}, named in its message`] : []),
    ];
    // The models of the files in the commit: the ones added, and the ones a model wrote that the user had staged.
    const inCommit = new Set([...toAdd, ...stagedEntries.filter((e) => written.has(e.path)).map((e) => e.path)]);
    const models = modelsInOrder(writes.filter((w) => inCommit.has(w.path)));
    if (treeId === baseTree || models.length === 0) {
      const but = [
        ...(persons.length > 0 ? [`the person's ${summarizePaths(persons)}, which no model wrote`] : []),
        ...(leftOut.length > 0 ? [`what it leaves out, ${summarizeLeftOut(leftOut)}`] : []),
      ];
      return await withoutCommit(opts, tag, but.length > 0 ? `auto-commit skipped: nothing to commit but ${but.join(' and ')}` : undefined);
    }

    const message = switchCommitMessage({ from, to, reason, models, leftOut, persons, maxFileSize });
    const made = await git(top, ['commit-tree', treeId, ...(head ? ['-p', head] : []), '-F', '-'], {
      input: message,
      timeoutMs,
      reject: false,
    });
    if (made.exitCode !== 0) return await withoutCommit(opts, tag, failure('git commit-tree', made));
    const commit = made.stdout.trim();
    // One transaction: HEAD (the branch it names, or HEAD itself when detached) moves only from the commit the tree
    // was built on, a compare-and-swap (the zero id: "must not exist yet", a branch with no commit), and the run's tag
    // goes on the new commit; both or neither. The reflog reads like git commit's.
    // The tag marks the run's last commit: this one when it holds the run's model's writes, else the run's latest.
    const zero = '0'.repeat(commit.length);
    const tagHere = models.includes(from);
    const moved = await git(top, ['update-ref', '-m', `commit: Auto-commit before switch to ${to}`, '--stdin'], {
      input: `update HEAD ${commit} ${head ?? zero}\n${tagHere ? `update refs/tags/${tag} ${commit}\n` : ''}`,
      timeoutMs,
      reject: false,
    });
    if (moved.exitCode !== 0)
      return await withoutCommit(
        opts,
        tag,
        `auto-commit skipped: HEAD moved while the auto-commit was made, nothing was overwritten (${firstLine(moved.stderr)})`,
      );

    const synced = await syncIndex(top, head, commit, lockWaitMs, timeoutMs);
    noteAutoCommit(top, commit); // its line attribution note, written off this path (proxy/attribution/)
    const runTag = tagHere ? tag : (await withoutCommit(opts, tag)).tag;
    const warnings = [synced, ...notes].filter((w): w is string => w !== undefined);
    return warnings.length > 0 ? { commit, tag: runTag, warning: warnings.join('; ') } : { commit, tag: runTag };
  } catch (err) {
    return { commit: null, tag: null, warning: `auto-commit failed: ${firstLine((err as Error).message)}` };
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * After HEAD moved to `commit`, the user's index still describes `head`. Each path the commit changed and the user
 * had not staged (its index entry was `head`'s) gets the commit's entry, so `git status` shows the swept changes as
 * committed; a path the user had staged keeps its entry untouched. Returns a warning when the index stayed busy.
 */
async function syncIndex(
  top: string,
  head: string | null,
  commit: string,
  lockWaitMs: number,
  timeoutMs: number,
): Promise<string | undefined> {
  const [diff, staged] = await Promise.all([
    git(top, ['diff-tree', '-r', '-z', '--no-renames', '--no-commit-id', '--root', commit], { timeoutMs }),
    git(top, head ? ['diff-index', '--cached', '-z', '--no-renames', '--name-only', head] : ['ls-files', '-z'], { timeoutMs }),
  ]);
  const userStaged = new Set(splitZ(staged.stdout));
  const fields = splitZ(diff.stdout);
  const lines: string[] = [];
  const paths: string[] = [];
  // Raw records: ":<old mode> <new mode> <old id> <new id> <status>" NUL "<path>" NUL.
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const [, newMode, , newId] = fields[i].slice(1).split(' ');
    const path = fields[i + 1];
    if (userStaged.has(path)) continue;
    paths.push(path);
    lines.push(/^0+$/.test(newMode) ? `0 ${'0'.repeat(newId.length)}\t${path}` : `${newMode} ${newId}\t${path}`);
  }
  if (lines.length === 0) return undefined;
  const deadline = Date.now() + lockWaitMs;
  let r: GitResult;
  for (;;) {
    r = await git(top, [...WITHOUT_HOOKS, 'update-index', '-z', '--index-info'], {
      input: lines.join('\0') + '\0',
      timeoutMs,
      reject: false,
    });
    if (r.exitCode === 0 || !LOCK_HELD.test(r.stderr) || Date.now() + RETRY_MS > deadline) break;
    await new Promise((done) => setTimeout(done, RETRY_MS));
  }
  if (r.exitCode !== 0)
    return `auto-commit made, but the index could not be brought up to it (${firstLine(r.stderr)}): \`git status\` shows ${paths.length} committed file(s) as staged changes until \`git reset -q -- <file>\``;
  // The entries just written carry no file stats: the next `git status` compares those files' content once and
  // stores their stats (a refresh here would cost the switching request one more git command).
  return undefined;
}

/** True once `lock` does not exist, polling until `waitMs` has passed; the lock itself is never touched. */
async function lockGone(lock: string, waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (!existsSync(lock)) return true;
    if (Date.now() + RETRY_MS > deadline) return false;
    await new Promise((done) => setTimeout(done, RETRY_MS));
  }
}

/** The temporary folders of auto-commits: `<prefix><pid of the proxy>-<random>`, in the system's temp folder. */
const SCRATCH_PREFIX = 'fallback-auto-commit-';

/** A proxy killed during an auto-commit leaves its temporary index behind: removed once its pid is gone. */
function removeOrphanedScratch(): void {
  try {
    for (const name of readdirSync(tmpdir())) {
      const pid = Number(/^fallback-auto-commit-(\d+)-/.exec(name)?.[1]);
      if (!pid || pid === process.pid || isRunning(pid)) continue;
      rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
  } catch {
    // best effort: another user's folder, or one removed meanwhile
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}

function failure(what: string, r: GitResult): string {
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

/** `git diff-index -z` raw output: ":<old mode> <new mode> <old id> <new id> <status>" NUL "<path>" NUL, the old side. */
function rawRecords(text: string): { path: string; mode: string; id: string }[] {
  const fields = splitZ(text);
  const out: { path: string; mode: string; id: string }[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const [mode, , id] = fields[i].slice(1).split(' ');
    out.push({ path: fields[i + 1], mode, id });
  }
  return out;
}

function byPath(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function splitZ(text: string): string[] {
  return text.split('\0').filter((s) => s !== '');
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
