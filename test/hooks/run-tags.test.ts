// post-commit keeps each run's tag on the run's latest commit; the name matches runTagName.

import { describe, expect, it } from 'vitest';
import { git } from '../../proxy/git/git.ts';
import { runTagName } from '../../proxy/git/run-tag.ts';
import { installHooks } from '../../proxy/git/install-hooks.mjs';
import { RUN1, RUN2, RUN3, commitFile, makeRepo, sha, start, stop, switchTo, tags } from './repo.ts';

describe('run tags', () => {
  it('names the tag <prefix><tier>-<YYYYMMDD-HHMMSS-mmm> of the run start, in UTC', () => {
    expect(runTagName('model-', 'gemini-flash', '2026-11-25T11:02:03.456Z')).toBe('model-gemini-flash-20261125-110203-456');
    expect(runTagName('ai-', 'claude', '2026-01-02T03:04:05+02:00')).toBe('ai-claude-20260102-010405-000');
    expect(() => runTagName('model-', 'claude', 'yesterday')).toThrow(/not an ISO timestamp/);
  });

  it('gives two runs of one tier that start in the same second two tags, and the hooks name them as the proxy does', async () => {
    const repo = await makeRepo({ initial: true });
    await installHooks(repo);
    const first = '2026-11-25T11:02:03.100Z';
    const second = '2026-11-25T11:02:03.900Z';
    await start(repo, 'deepseek', first);
    await commitFile(repo, 'a.txt', 'a\n', 'Add a');
    const a = await sha(repo);
    await switchTo(repo, 'deepseek', 'claude', '2026-11-25T11:02:03.500Z');
    await switchTo(repo, 'claude', 'deepseek', second);
    await commitFile(repo, 'b.txt', 'b\n', 'Add b');
    expect(await tags(repo)).toEqual({
      [runTagName('model-', 'deepseek', first)]: a,
      [runTagName('model-', 'deepseek', second)]: await sha(repo),
    });
  });

  it("creates the tag on the run's first commit and moves it to each later one", async () => {
    const repo = await makeRepo({ initial: true });
    await installHooks(repo);
    await start(repo, 'claude', RUN1);
    await commitFile(repo, 'a.txt', 'a\n', 'Add a');
    const first = await sha(repo);
    expect(await tags(repo)).toEqual({ [runTagName('model-', 'claude', RUN1)]: first });
    await commitFile(repo, 'b.txt', 'b\n', 'Add b');
    const claudeLast = await sha(repo);
    expect(await tags(repo)).toEqual({ [runTagName('model-', 'claude', RUN1)]: claudeLast });

    await switchTo(repo, 'claude', 'gemini-flash', RUN2);
    await commitFile(repo, 'c.txt', 'c\n', 'Add c');
    await commitFile(repo, 'd.txt', 'd\n', 'Add d');
    const geminiLast = await sha(repo);
    // Back to claude: a new run, so a new tag; the first claude run's tag stays where that run ended.
    await switchTo(repo, 'gemini-flash', 'claude', RUN3);
    await commitFile(repo, 'e.txt', 'e\n', 'Add e');
    expect(await tags(repo)).toEqual({
      [runTagName('model-', 'claude', RUN1)]: claudeLast,
      [runTagName('model-', 'gemini-flash', RUN2)]: geminiLast,
      [runTagName('model-', 'claude', RUN3)]: await sha(repo),
    });
    const decorated = (await git(repo, ['log', '--oneline', '--decorate'])).stdout;
    expect(decorated.split('\n').find((l) => l.includes('Add d'))).toContain('tag: model-gemini-flash-20261125-110203');
  });

  it('uses git config fallback.tagPrefix', async () => {
    const repo = await makeRepo({ initial: true });
    await installHooks(repo);
    await git(repo, ['config', 'fallback.tagPrefix', 'ai-']);
    await start(repo, 'deepseek', RUN2);
    await commitFile(repo, 'a.txt', 'a\n', 'Add a');
    expect(Object.keys(await tags(repo))).toEqual([runTagName('ai-', 'deepseek', RUN2)]);
  });

  it('tags nothing when no model is active or the commit carries another model', async () => {
    const repo = await makeRepo({ initial: true });
    await installHooks(repo);
    await start(repo, 'claude', RUN1);
    await stop(repo);
    await commitFile(repo, 'a.txt', 'a\n', 'Add a');
    await start(repo, 'claude', RUN2);
    await commitFile(repo, 'b.txt', 'b\n', 'Add b\n\nModel: deepseek');
    expect(await tags(repo)).toEqual({});
  });
});
