// fetchNotifyContext reads the repository name and branch from a real temporary git repository.

import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { git } from '../../proxy/git/git.ts';
import { fetchNotifyContext } from '../../proxy/notify/context.ts';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

it('names the repository by its top level and reads the branch, also from a subdirectory', async () => {
  dir = mkdtempSync(join(tmpdir(), 'notify-ctx-'));
  await git(dir, ['init', '-q', '-b', 'feature/fallback']);
  mkdirSync(join(dir, 'src'));
  expect(await fetchNotifyContext(join(dir, 'src'))).toEqual({ repoName: basename(dir), branch: 'feature/fallback' });
});

it('says "detached HEAD" when HEAD is not on a branch', async () => {
  dir = mkdtempSync(join(tmpdir(), 'notify-ctx-'));
  await git(dir, ['init', '-q']);
  const env = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
  await git(dir, ['commit', '-q', '--allow-empty', '--no-verify', '-m', 'one'], { env });
  await git(dir, ['checkout', '-q', '--detach']);
  expect((await fetchNotifyContext(dir)).branch).toBe('detached HEAD');
});

it('falls back to the directory name and no branch outside a repository', async () => {
  dir = mkdtempSync(join(tmpdir(), 'notify-ctx-'));
  expect(await fetchNotifyContext(dir)).toEqual({ repoName: basename(dir), branch: null });
});
