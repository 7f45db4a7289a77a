// core.hooksPath pointing into the work tree (a tracked .githooks/): stubs go there, chain the tracked hook,
// stay out of `git add -A` (the auto-commit), and uninstall leaves the tree and info/exclude as they were.

import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git } from '../../proxy/git/git.ts';
import { installHooks, uninstallHooks } from '../../scripts/install-hooks.mjs';
import { commitFile, makeRepo, models, start } from './repo.ts';

describe('installing into core.hooksPath inside the work tree', () => {
  it('chains the tracked hook and keeps its own files out of git add -A', async () => {
    const repo = await makeRepo({ initial: true });
    mkdirSync(join(repo, '.githooks'));
    writeFileSync(join(repo, '.githooks', 'post-commit'), '#!/bin/sh\necho ran >> .git/own.log\n');
    chmodSync(join(repo, '.githooks', 'post-commit'), 0o755);
    await git(repo, ['add', '.githooks']);
    await git(repo, ['commit', '-q', '-m', 'Add hooks']);
    await git(repo, ['config', 'core.hooksPath', '.githooks']);
    const exclude = join(repo, '.git', 'info', 'exclude');
    const excludeBefore = existsSync(exclude) ? readFileSync(exclude, 'utf8') : null;

    const r = await installHooks(repo);
    expect(r).toMatchObject({ style: 'git', dir: join(repo, '.githooks'), chained: ['post-commit'] });
    expect(readFileSync(exclude, 'utf8')).toContain('/.githooks/prepare-commit-msg\n/.githooks/post-commit.fallback-orig\n/.githooks/post-rewrite\n');

    await start(repo, 'deepseek');
    await commitFile(repo, 'a.txt', 'a\n', 'Add a');
    expect(await models(repo)).toEqual(['deepseek']);
    expect(readFileSync(join(repo, '.git', 'own.log'), 'utf8')).toBe('ran\n');
    expect((await git(repo, ['status', '--porcelain', '--untracked-files=all'])).stdout).toBe(' M .githooks/post-commit\n');

    await uninstallHooks(repo);
    expect((await git(repo, ['status', '--porcelain', '--untracked-files=all'])).stdout).toBe('');
    expect(existsSync(exclude) ? readFileSync(exclude, 'utf8') : null).toBe(excludeBefore);
  });
});
