// Worktrees share one ledger and one hooks directory: a commit in either is stamped and tagged alike.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git } from '../../proxy/git/git.ts';
import { runTagName } from '../../proxy/git/run-tag.ts';
import { installHooks } from '../../scripts/install-hooks.mjs';
import { RUN1, RUN2, commitFile, makeRepo, models, sha, start, switchTo, tags, tempDir } from './repo.ts';

describe('worktrees', () => {
  it('stamps commits in a linked worktree from the shared ledger and keeps the run tag on the latest', async () => {
    const repo = await makeRepo({ initial: true });
    const wt = join(tempDir('wt'), 'linked');
    await git(repo, ['worktree', 'add', '-q', '-b', 'linked', wt]);
    await installHooks(wt); // from the linked worktree: lands in the common hooks directory
    await start(wt, 'claude', RUN1);
    await commitFile(wt, 'w.txt', 'w\n', 'Work in the linked tree');
    expect(await models(wt)).toEqual(['claude']);
    await switchTo(repo, 'claude', 'deepseek', RUN2); // written from the main tree, read in the linked one
    await commitFile(wt, 'x.txt', 'x\n', 'More work');
    expect(await models(wt)).toEqual(['deepseek']);
    await commitFile(repo, 'm.txt', 'm\n', 'Work in the main tree');
    expect(await models(repo)).toEqual(['deepseek']);
    expect(await tags(repo)).toEqual({
      [runTagName('model-', 'claude', RUN1)]: await sha(wt, 'HEAD~1'),
      [runTagName('model-', 'deepseek', RUN2)]: await sha(repo),
    });
  });
});
