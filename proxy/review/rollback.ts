// `--rollback <tier>`: revert the tier's pending commits that HEAD reaches, newest first, as one commit, keeping the
// person's lines in them (proxy/review/person-lines.ts). A dirty tree is refused untouched; a person's and a model's
// lines in one hunk are refused untouched, naming the files; a conflict restores HEAD, index and work tree and names
// the files.

import { appendLedger } from '../git/ledger.ts';
import { git } from '../git/git.ts';
import { WITHOUT_HOOKS, operationsInProgress } from '../git/git-state.ts';
import { EXIT } from '../exit-codes.ts';
import { ReviewError } from './errors.ts';
import { printablePath } from '../git/left-out.ts';
import type { Commit } from './history.ts';
import type { RepoState } from './repo-state.ts';
import { readNotes } from '../attribution/read.ts';
import { personsInMessage, planCommit, type CommitPlan } from './person-lines.ts';
import { pendingFromHead, reachable } from './status.ts';
import { planRenames, updateTags, type Rename } from './tags.ts';

export type RollbackResult = {
  model: string;
  dry_run: boolean;
  /** The reverted commits, newest first. */
  commits: { sha: string; subject: string; date: string }[];
  /** The one revert commit; null for a dry run or when there was nothing to revert. */
  revert_commit: string | null;
  /** Files of those commits whose person's lines were kept (their note says `human`, or the message lists them). */
  kept: { commit: string; path: string }[];
  tags: Rename[];
};

/** Tracked paths with staged or unstaged changes. Untracked files do not count: git never overwrites them. */
export async function dirtyPaths(repo: string): Promise<string[]> {
  // --no-optional-locks: looking must not rewrite the index.
  const r = await git(repo, ['--no-optional-locks', 'status', '--porcelain=v1', '-z', '--untracked-files=no']);
  const out: string[] = [];
  const parts = r.stdout.split('\0');
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p.length < 4) continue;
    out.push(p.slice(3));
    if (p[0] === 'R' || p[0] === 'C') i++; // the rename's source path follows
  }
  return out;
}

export function rollbackMessage(tier: string, commits: readonly Commit[], kept: RollbackResult['kept'] = []): string {
  const n = commits.length;
  const list = commits.map((c) => `- ${c.sha.slice(0, 12)} ${c.subject}`).join('\n');
  const keptList =
    kept.length > 0
      ? `\n\nKept, the person's lines in:\n${kept.map((k) => `- ${printablePath(k.path)} (${k.commit.slice(0, 12)})`).join('\n')}`
      : '';
  const trailers = [`Model-Rollback: ${tier}`, ...commits.map((c) => `Reverts: ${c.sha}`)].join('\n');
  return `Roll back ${tier}: revert ${n} pending commit${n === 1 ? '' : 's'}\n\nReverted, newest first:\n${list}${keptList}\n\n${trailers}\n`;
}

/**
 * For each commit, how to revert it keeping the person's lines; refuses (nothing changed) when a hunk holds both a
 * person's and a model's lines. `write`: build the partial reverts (a dry run only looks).
 */
async function plan(repo: string, tier: string, commits: readonly Commit[], write: boolean): Promise<Map<string, CommitPlan>> {
  const shas = commits.map((c) => c.sha);
  const [notes, log] = await Promise.all([
    readNotes(repo, shas),
    git(repo, ['log', '--no-walk=unsorted', '--format=%H%x00%B%x1e', ...shas]),
  ]);
  const messages = new Map(log.stdout.split('\x1e').map((r) => r.trim().split('\0') as [string, string]));
  const plans = new Map<string, CommitPlan>();
  for (const c of commits)
    plans.set(
      c.sha,
      await planCommit(repo, c.sha, c.parents[0] ?? null, notes.get(c.sha), personsInMessage(messages.get(c.sha) ?? ''), write),
    );
  const clashes = [...plans].flatMap(([commit, p]) => (p.kind === 'clash' ? p.files.map((path) => ({ commit, path })) : []));
  if (clashes.length > 0) {
    const named = clashes.map((x) => `${printablePath(x.path)} (${x.commit.slice(0, 12)})`).join(', ');
    throw new ReviewError(
      `refusing to roll back ${tier}: a person's lines and a model's are in the same hunk in ${named}; nothing was changed. ` +
        `Revert those lines by hand, or accept the work`,
      EXIT.refused,
      { person_and_model: clashes },
    );
  }
  return plans;
}

function keptOf(plans: Map<string, CommitPlan>): RollbackResult['kept'] {
  return [...plans].flatMap(([commit, p]) => (p.kind === 'partial' || p.kind === 'none' ? p.kept.map((path) => ({ commit, path })) : []));
}

/** Puts index and work tree back to HEAD and forgets the revert in progress; HEAD itself never moved. */
async function restore(repo: string): Promise<void> {
  await git(repo, [...WITHOUT_HOOKS, 'read-tree', '--reset', '-u', 'HEAD']);
  await git(repo, [...WITHOUT_HOOKS, 'revert', '--quit'], { reject: false });
  await git(repo, [...WITHOUT_HOOKS, 'cherry-pick', '--quit'], { reject: false });
}

async function unmergedPaths(repo: string): Promise<string[]> {
  const r = await git(repo, ['diff', '--name-only', '-z', '--diff-filter=U'], { reject: false });
  return [...new Set(r.stdout.split('\0').filter(Boolean))];
}

export async function rollback(state: RepoState, tier: string, opts: { dryRun?: boolean } = {}): Promise<RollbackResult> {
  const commits = pendingFromHead(state.commits, state.graph, state.statuses, tier);
  const runTags = state.tags.filter((t) => t.state === 'run' && t.tier === tier && state.graph.fromHead.has(t.commit));
  const isAncestor = (a: string, of: string) => reachable(state.graph.bySha, [of]).has(a);
  const renames = planRenames(runTags, state.tags, 'rolledback', state.tagPrefix, isAncestor);
  const result: RollbackResult = {
    model: tier,
    dry_run: Boolean(opts.dryRun),
    commits: commits.map((c) => ({ sha: c.sha, subject: c.subject, date: c.date })),
    revert_commit: null,
    kept: [],
    tags: renames.renames,
  };
  const merges = commits.filter((c) => c.parents.length > 1);
  if (merges.length > 0) {
    throw new ReviewError(
      `cannot roll back ${tier}: ${merges.map((c) => c.sha.slice(0, 12)).join(', ')} ${merges.length === 1 ? 'is a merge commit' : 'are merge commits'}; revert by hand with git revert -m`,
      EXIT.refused,
      { merges: merges.map((c) => c.sha) },
    );
  }
  if (commits.length === 0) return result;
  if (opts.dryRun) {
    result.kept = keptOf(await plan(state.repo, tier, commits, false));
    return result;
  }

  // A rollback would get tangled in an operation in progress, and its clean-up would end it.
  const busy = await operationsInProgress(state.repo);
  if (busy.length > 0) {
    throw new ReviewError(
      `refusing to roll back ${tier}: git has an operation in progress (${busy.join(', ')}); finish or abort it first`,
      EXIT.refused,
      { in_progress: busy },
    );
  }
  const dirty = await dirtyPaths(state.repo);
  if (dirty.length > 0) {
    throw new ReviewError(
      `refusing to roll back ${tier}: the work tree has uncommitted changes in ${dirty.join(', ')}; commit or stash them first`,
      EXIT.refused,
      { dirty },
    );
  }
  const plans = await plan(state.repo, tier, commits, true);
  result.kept = keptOf(plans);
  for (const c of commits) {
    const p = plans.get(c.sha)!;
    if (p.kind === 'none') continue; // every change in it is the person's
    // No hook of the repository runs: one that edits the message would break the trailers review reads. A commit with
    // the person's lines: its models' part (a commit on top of it that undoes only their hunks) is applied instead.
    const step = p.kind === 'partial' ? ['cherry-pick', '--no-commit', p.pick!] : ['revert', '--no-commit', c.sha];
    const r = await git(state.repo, [...WITHOUT_HOOKS, ...step], { reject: false });
    if (r.exitCode === 0) continue;
    const conflicts = await unmergedPaths(state.repo);
    await restore(state.repo);
    if (conflicts.length > 0) {
      throw new ReviewError(
        `rolling back ${tier} conflicts while reverting ${c.sha.slice(0, 12)} (${c.subject}) in ${conflicts.join(', ')}; nothing was changed. ` +
          `Later commits changed the same lines: revert by hand, or accept the work`,
        EXIT.conflict,
        { commit: c.sha, conflicts },
      );
    }
    throw new ReviewError(`reverting ${c.sha.slice(0, 12)} failed, nothing was changed: ${r.stderr.trim()}`, EXIT.refused, {
      commit: c.sha,
    });
  }
  const commit = await git(
    state.repo,
    [...WITHOUT_HOOKS, 'commit', '--no-verify', '--allow-empty', '--quiet', '--cleanup=strip', '-F', '-'],
    {
      input: rollbackMessage(tier, commits, result.kept),
      reject: false,
    },
  );
  if (commit.exitCode !== 0) {
    await restore(state.repo);
    throw new ReviewError(`the rollback commit failed, nothing was changed: ${commit.stderr.trim()}`, EXIT.failed);
  }
  result.revert_commit = (await git(state.repo, ['rev-parse', 'HEAD'])).stdout.trim();
  await updateTags(state.repo, renames.ops);
  appendLedger(state.ledgerFile, {
    kind: 'rollback',
    model: tier,
    commits: commits.map((c) => c.sha),
    revert_commit: result.revert_commit,
    tags: renames.renames.map((r) => r.to),
  });
  return result;
}
