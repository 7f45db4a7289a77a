// cherry-pick, merge and revert made while a model is active: replays keep their own trailers and move no tag.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { git } from '../../proxy/git/git.ts';
import { runTagName } from '../../proxy/git/run-tag.ts';
import { installHooks } from '../../proxy/git/install-hooks.mjs';
import { RUN1, RUN2, commitFile, makeRepo, message, models, sha, start, switchTo, tags } from './repo.ts';

describe('cherry-pick, merge and revert', () => {
  let repo: string;
  let picked: string;
  const claudeTag = runTagName('model-', 'claude', RUN1);
  const geminiTag = runTagName('model-', 'gemini-flash', RUN2);
  beforeEach(async () => {
    repo = await makeRepo({ initial: true });
    await installHooks(repo);
    await start(repo, 'claude', RUN1);
    await git(repo, ['checkout', '-q', '-b', 'side']);
    await commitFile(repo, 's.txt', 's\n', 'Side work');
    picked = await sha(repo);
    await git(repo, ['checkout', '-q', 'main']);
    await switchTo(repo, 'claude', 'gemini-flash', RUN2);
    await commitFile(repo, 'g.txt', 'g\n', 'Gemini work');
  });

  it('cherry-pick keeps the picked commit its trailer and leaves both run tags where they were', async () => {
    const geminiHead = await sha(repo);
    await git(repo, ['cherry-pick', picked]);
    expect(await models(repo)).toEqual(['claude']);
    expect(await tags(repo)).toEqual({ [claudeTag]: picked, [geminiTag]: geminiHead });
  });

  it('cherry-pick -x of a commit of the active run does not move the run tag onto the copy', async () => {
    await git(repo, ['checkout', '-q', 'side']);
    const geminiHead = await sha(repo, 'main');
    await git(repo, ['cherry-pick', '-x', 'main']);
    expect(await models(repo)).toEqual(['gemini-flash']);
    expect((await tags(repo))[geminiTag]).toBe(geminiHead);
  });

  it('a merge commit gets no trailer', async () => {
    await git(repo, ['merge', '-q', '--no-ff', '--no-edit', 'side']);
    expect(await models(repo)).toEqual([]);
    expect(await models(repo, 'HEAD^2')).toEqual(['claude']);
  });

  it('a merge concluded by commit after a conflict gets no trailer', async () => {
    await commitFile(repo, 's.txt', 'main version\n', 'Conflicting work');
    expect((await git(repo, ['merge', '-q', 'side'], { reject: false })).exitCode).not.toBe(0);
    writeFileSync(join(repo, 's.txt'), 'resolved\n');
    await git(repo, ['add', 's.txt']);
    await git(repo, ['commit', '-q', '--no-edit']);
    expect((await git(repo, ['rev-list', '--parents', '-n1', 'HEAD'])).stdout.trim().split(' ')).toHaveLength(3);
    expect(await models(repo)).toEqual([]);
  });

  it('git revert gets no trailer and moves no tag', async () => {
    const geminiHead = await sha(repo);
    await git(repo, ['revert', '--no-edit', 'HEAD']);
    expect(await message(repo)).toMatch(/^Revert "Gemini work"/);
    expect(await models(repo)).toEqual([]);
    expect((await tags(repo))[geminiTag]).toBe(geminiHead);
  });

  it('revert --no-commit then commit gets no trailer', async () => {
    await git(repo, ['revert', '--no-commit', 'HEAD']);
    await git(repo, ['commit', '-q', '-m', 'Undo gemini work']);
    expect(await models(repo)).toEqual([]);
  });
});
