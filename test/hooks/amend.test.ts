// commit --amend keeps exactly one Model trailer, and post-rewrite moves the run tag to the amended commit.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { git } from '../../proxy/git/git.ts';
import { runTagName } from '../../proxy/git/run-tag.ts';
import { installHooks } from '../../proxy/git/install-hooks.mjs';
import { RUN1, RUN2, commitFile, makeRepo, models, sha, start, subject, switchTo, tags } from './repo.ts';

describe('commit --amend', () => {
  let repo: string;
  beforeEach(async () => {
    repo = await makeRepo({ initial: true });
    await installHooks(repo);
    await start(repo, 'claude', RUN1);
    await commitFile(repo, 'a.txt', 'a\n', 'Add a');
  });

  it('--no-edit keeps the one trailer and the tag follows the new commit', async () => {
    const old = await sha(repo);
    writeFileSync(join(repo, 'a.txt'), 'a, fixed\n');
    await git(repo, ['commit', '-q', '-a', '--amend', '--no-edit']);
    expect(await models(repo)).toEqual(['claude']);
    expect(await sha(repo)).not.toBe(old);
    expect(await tags(repo)).toEqual({ [runTagName('model-', 'claude', RUN1)]: await sha(repo) });
  });

  it('-m with a new message gets one trailer, the model active now', async () => {
    await switchTo(repo, 'claude', 'gemini-flash', RUN2);
    await git(repo, ['commit', '-q', '--amend', '-m', 'Add a, reworded']);
    expect(await subject(repo)).toBe('Add a, reworded');
    expect(await models(repo)).toEqual(['gemini-flash']);
    const head = await sha(repo);
    // The old run's tag followed the rewrite (post-rewrite); the new run's tag sits on it too (post-commit).
    expect(await tags(repo)).toEqual({ [runTagName('model-', 'claude', RUN1)]: head, [runTagName('model-', 'gemini-flash', RUN2)]: head });
  });

  it('-m whose message repeats the trailer keeps exactly one', async () => {
    await git(repo, ['commit', '-q', '--amend', '-m', 'Add a\n\nModel: claude']);
    expect(await models(repo)).toEqual(['claude']);
  });

  it('amending twice still leaves one trailer', async () => {
    await git(repo, ['commit', '-q', '--amend', '--no-edit']);
    await git(repo, ['commit', '-q', '--amend', '-C', 'HEAD']);
    expect(await models(repo)).toEqual(['claude']);
  });
});
