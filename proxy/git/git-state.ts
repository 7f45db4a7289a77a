// What git is in the middle of, and how the project's own git commands keep out of the user's hooks.
// The one list of "operation in progress" markers: the auto-commit, review's rollback and the hooks
// (hooks/active-run.sh keeps a shell copy that test/git/git-state.test.ts checks against this one).

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { git } from './git.ts';

/**
 * Entries of a worktree's own git dir (`git rev-parse --git-dir`) that exist while git is in the middle of
 * something: a merge or cherry-pick stopped on a conflict, a rebase (either backend) or `git am`, a series of
 * picks or reverts (`sequencer/`), a bisect. Committing then would land on a detached or half-merged HEAD.
 * Names: git's own (wt-status.c reports the same states in `git status`).
 */
export const OPERATIONS_IN_PROGRESS = [
  'MERGE_HEAD',
  'CHERRY_PICK_HEAD',
  'REVERT_HEAD',
  'rebase-merge',
  'rebase-apply',
  'sequencer',
  'BISECT_LOG',
] as const;

export type OperationMarker = (typeof OPERATIONS_IN_PROGRESS)[number];

/** The markers present in `gitDir` (a worktree's git dir, absolute). */
export function operationsIn(gitDir: string): OperationMarker[] {
  return OPERATIONS_IN_PROGRESS.filter((name) => existsSync(join(gitDir, name)));
}

/** The worktree's git dir (absolute) and what is in progress there. */
export async function operationsInProgress(repo: string): Promise<OperationMarker[]> {
  const gitDir = resolve(repo, (await git(repo, ['rev-parse', '--git-dir'])).stdout.trim());
  return operationsIn(gitDir);
}

/** A person's way to keep the project's hooks out of one git command: `FALLBACK_SKIP_HOOKS=1 git …`. */
export const SKIP_HOOKS_VAR = 'FALLBACK_SKIP_HOOKS';
export const SKIP_HOOKS_ENV: Record<string, string> = { [SKIP_HOOKS_VAR]: '1' };

/**
 * Put before a git subcommand, runs it with no hook at all: a hooks directory that cannot exist holds no
 * hook of any name. `--no-verify` skips only pre-commit and commit-msg; prepare-commit-msg, post-commit and
 * post-rewrite would still run the repository's code (githooks(5), https://git-scm.com/docs/githooks).
 */
export const WITHOUT_HOOKS = ['-c', 'core.hooksPath=/dev/null'] as const;
