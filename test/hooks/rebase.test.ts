// A rebase never restamps old commits with today's model, and post-rewrite moves the run tags along.

import { beforeEach, describe, expect, it } from 'vitest';
import { git } from '../../proxy/git/git.ts';
import { runTagName } from '../../proxy/git/run-tag.ts';
import { installHooks } from '../../proxy/git/install-hooks.mjs';
import { RUN1, RUN2, commitFile, makeRepo, models, sha, start, switchTo, tags } from './repo.ts';

describe('rebase', () => {
  let repo: string;
  const claudeTag = runTagName('model-', 'claude', RUN1);
  beforeEach(async () => {
    repo = await makeRepo({ initial: true });
    await installHooks(repo);
    await git(repo, ['checkout', '-q', '-b', 'feature']);
    await start(repo, 'claude', RUN1);
    await commitFile(repo, 'a.txt', 'a\n', 'Add a');
    await commitFile(repo, 'u.txt', 'u\n', 'Unstamped', { env: { FALLBACK_SKIP_HOOKS: '1' } });
    await commitFile(repo, 'b.txt', 'b\n', 'Add b');
    await git(repo, ['checkout', '-q', 'main']);
    await commitFile(repo, 'm.txt', 'm\n', 'Main moves on', { env: { FALLBACK_SKIP_HOOKS: '1' } });
    await git(repo, ['checkout', '-q', 'feature']);
    await switchTo(repo, 'claude', 'gemini-flash', RUN2);
  });

  it('keeps the old Model trailers and moves the old run tag to the rebased commit (merge backend)', async () => {
    await git(repo, ['rebase', '-q', 'main']);
    expect(await models(repo, 'HEAD')).toEqual(['claude']);
    expect(await models(repo, 'HEAD~1')).toEqual([]);
    expect(await models(repo, 'HEAD~2')).toEqual(['claude']);
    expect(await tags(repo)).toEqual({ [claudeTag]: await sha(repo) });
  });

  it('does the same with the apply backend', async () => {
    await git(repo, ['rebase', '-q', '--apply', 'main']);
    expect(await models(repo, 'HEAD')).toEqual(['claude']);
    expect(await models(repo, 'HEAD~1')).toEqual([]);
    expect(await models(repo, 'HEAD~2')).toEqual(['claude']);
    expect(await tags(repo)).toEqual({ [claudeTag]: await sha(repo) });
  });

  it('keeps the last trailer of a squash and moves accepted-/rolledback- tags too', async () => {
    await git(repo, ['tag', 'accepted-claude-20261125-100000', 'HEAD~1']);
    await git(repo, ['tag', 'rolledback-claude-20261125-090000', 'HEAD']);
    await git(repo, ['tag', 'unrelated', 'HEAD']);
    const before = await sha(repo);
    const editor = 'sed -i -e "3s/^pick/squash/"';
    await git(repo, ['rebase', '-q', '-i', 'main'], { env: { GIT_SEQUENCE_EDITOR: editor, GIT_EDITOR: 'true' } });
    expect(await models(repo, 'HEAD')).toEqual(['claude']);
    const head = await sha(repo);
    expect(await tags(repo)).toEqual({
      [claudeTag]: head,
      'accepted-claude-20261125-100000': head,
      'rolledback-claude-20261125-090000': head,
      unrelated: before,
    });
  });
});
