// commitAtSwitch: one auto-commit with the three trailers and the run tag on it; bounded when git is busy; no
// commit while git is in the middle of something; no hook of the repository runs.

import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git } from '../../proxy/git/git.ts';
import { runTagName } from '../../proxy/git/run-tag.ts';
import { commitAtSwitch, type SwitchCommitOptions } from '../../proxy/git/switch-commit.ts';
import { installHooks } from '../../scripts/install-hooks.mjs';
import { RUN1, RUN2, commitFile, makeRepo, message, models, script, sha, start, tags } from '../hooks/repo.ts';

const TAG = runTagName('model-', 'claude', RUN1);
const opts = (repo: string, extra: Partial<SwitchCommitOptions> = {}): SwitchCommitOptions => ({
  repo,
  from: 'claude',
  to: 'gemini-flash',
  reason: 'rate_limit',
  tagPrefix: 'model-',
  runStartedAt: RUN1,
  ...extra,
});
const count = async (repo: string) => Number((await git(repo, ['rev-list', '--count', 'HEAD'])).stdout.trim());

describe('commitAtSwitch', () => {
  it('makes exactly one commit with the three trailers, every change in it, and one tag on it', async () => {
    const repo = await makeRepo({ initial: true });
    writeFileSync(join(repo, 'README'), 'changed\n');
    writeFileSync(join(repo, 'new.txt'), 'new\n');
    const before = await count(repo);
    const r = await commitAtSwitch(opts(repo));
    expect(r).toEqual({ commit: await sha(repo), tag: TAG });
    expect(await count(repo)).toBe(before + 1);
    expect(await message(repo)).toBe('Auto-commit before switch to gemini-flash\n\nModel: claude\nModel-Switch: claude -> gemini-flash\nSwitch-Reason: rate_limit\n\n');
    expect((await git(repo, ['log', '-1', '--format=%(trailers:key=Model-Switch,valueonly)%(trailers:key=Switch-Reason,valueonly)'])).stdout).toBe(
      'claude -> gemini-flash\nrate_limit\n\n',
    );
    expect((await git(repo, ['status', '--porcelain'])).stdout).toBe('');
    expect(await tags(repo)).toEqual({ [TAG]: r.commit });
  });

  it('leaves the hooks nothing to add when they are installed: one Model trailer, one tag', async () => {
    const repo = await makeRepo({ initial: true });
    await installHooks(repo);
    await start(repo, 'claude', RUN1);
    await commitFile(repo, 'a.txt', 'a\n', 'Claude work');
    writeFileSync(join(repo, 'b.txt'), 'b\n');
    const r = await commitAtSwitch(opts(repo));
    expect(await models(repo)).toEqual(['claude']);
    expect(await tags(repo)).toEqual({ [TAG]: r.commit });
  });

  it('commits nothing when the tree is clean, and tags the run\'s latest commit', async () => {
    const repo = await makeRepo({ initial: true });
    await commitFile(repo, 'a.txt', 'a\n', 'Claude work\n\nModel: claude');
    const last = await sha(repo);
    await commitFile(repo, 'b.txt', 'b\n', 'Someone else\n\nModel: deepseek');
    const r = await commitAtSwitch(opts(repo));
    expect(r).toEqual({ commit: null, tag: TAG });
    expect(await tags(repo)).toEqual({ [TAG]: last });
  });

  it('returns no tag when the run made no commit', async () => {
    const repo = await makeRepo({ initial: true });
    expect(await commitAtSwitch(opts(repo))).toEqual({ commit: null, tag: null });
    expect(await tags(repo)).toEqual({});
  });

  it('does not count a commit older than the run as the run\'s', async () => {
    const repo = await makeRepo({ initial: true });
    await commitFile(repo, 'a.txt', 'a\n', 'Old claude work\n\nModel: claude');
    expect(await commitAtSwitch(opts(repo, { runStartedAt: new Date(Date.now() + 60_000).toISOString() }))).toEqual({ commit: null, tag: null });
  });

  it('gives up after lockWaitMs while another process holds index.lock, and never removes the lock', async () => {
    const repo = await makeRepo({ initial: true });
    writeFileSync(join(repo, 'new.txt'), 'new\n');
    const lock = join(repo, '.git', 'index.lock');
    writeFileSync(lock, '');
    const head = await sha(repo);
    const t0 = Date.now();
    const r = await commitAtSwitch(opts(repo, { lockWaitMs: 400 }));
    const took = Date.now() - t0;
    expect(r.commit).toBeNull();
    expect(r.warning).toMatch(/^auto-commit skipped: git is busy .*index\.lock/);
    expect(took).toBeGreaterThanOrEqual(300);
    expect(took).toBeLessThan(3000);
    expect(existsSync(lock)).toBe(true);
    expect(await sha(repo)).toBe(head);
  });

  it('commits once the lock goes away within lockWaitMs', async () => {
    const repo = await makeRepo({ initial: true });
    writeFileSync(join(repo, 'new.txt'), 'new\n');
    const lock = join(repo, '.git', 'index.lock');
    writeFileSync(lock, '');
    setTimeout(() => unlinkSync(lock), 200);
    const r = await commitAtSwitch(opts(repo, { lockWaitMs: 3000 }));
    expect(r.warning).toBeUndefined();
    expect(r.commit).toBe(await sha(repo));
  });

  it('works in a repository with no commits yet', async () => {
    const repo = await makeRepo();
    writeFileSync(join(repo, 'first.txt'), 'first\n');
    const r = await commitAtSwitch(opts(repo));
    expect(r.commit).toBe(await sha(repo));
    expect(await count(repo)).toBe(1);
    expect(await tags(repo)).toEqual({ [TAG]: r.commit });
  });

  it('works on a detached HEAD and leaves it detached', async () => {
    const repo = await makeRepo({ initial: true });
    await git(repo, ['checkout', '-q', '--detach']);
    const branch = await sha(repo, 'main');
    writeFileSync(join(repo, 'd.txt'), 'd\n');
    const r = await commitAtSwitch(opts(repo, { reason: 'overloaded' }));
    expect(r.commit).toBe(await sha(repo));
    expect(await sha(repo, 'main')).toBe(branch);
    expect((await git(repo, ['symbolic-ref', '-q', 'HEAD'], { reject: false })).exitCode).not.toBe(0);
    expect(await message(repo)).toContain('Switch-Reason: overloaded');
  });

  it('stays out of a merge in progress instead of committing conflict markers', async () => {
    const repo = await makeRepo({ initial: true });
    await git(repo, ['checkout', '-q', '-b', 'side']);
    await commitFile(repo, 'README', 'side\n', 'Side');
    await git(repo, ['checkout', '-q', 'main']);
    await commitFile(repo, 'README', 'main\n', 'Main');
    await git(repo, ['merge', '-q', 'side'], { reject: false });
    const head = await sha(repo);
    const r = await commitAtSwitch(opts(repo));
    expect(r.commit).toBeNull();
    expect(r.warning).toBe('auto-commit skipped: git has an operation in progress (MERGE_HEAD)');
    expect(await sha(repo)).toBe(head);
  });

  it('commits nothing onto the detached HEAD of a bisect, so bisect reset loses no file', async () => {
    const repo = await makeRepo({ initial: true });
    for (const n of [1, 2, 3]) await commitFile(repo, `f${n}.txt`, `${n}\n`, `Commit ${n}`);
    await git(repo, ['bisect', 'start', 'HEAD', 'HEAD~3']);
    const bisectHead = await sha(repo);
    writeFileSync(join(repo, 'work.txt'), 'written during the bisect\n');
    const r = await commitAtSwitch(opts(repo));
    expect(r.commit).toBeNull();
    expect(r.warning).toBe('auto-commit skipped: git has an operation in progress (BISECT_LOG)');
    expect(await sha(repo)).toBe(bisectHead);
    await git(repo, ['bisect', 'reset']);
    expect(readFileSync(join(repo, 'work.txt'), 'utf8')).toBe('written during the bisect\n');
  });

  it("runs none of the repository's hooks: a slow or message-editing hook neither runs nor breaks the trailers", async () => {
    const repo = await makeRepo({ initial: true });
    const ran = join(repo, '.git', 'hook-ran');
    mkdirSync(join(repo, '.git', 'hooks'), { recursive: true });
    for (const hook of ['pre-commit', 'prepare-commit-msg', 'commit-msg', 'post-commit']) {
      script(join(repo, '.git', 'hooks', hook), `echo ${hook} >> "${ran}"\nsleep 20\n[ -n "$1" ] && [ -f "$1" ] && printf '\\nAppended by a hook.\\n' >> "$1"\nexit 0`);
    }
    writeFileSync(join(repo, 'a.txt'), 'a\n');
    const r = await commitAtSwitch(opts(repo));
    expect(r.commit).toBe(await sha(repo));
    expect(existsSync(ran)).toBe(false);
    expect((await git(repo, ['log', '-1', '--format=%(trailers:key=Model,valueonly)%(trailers:key=Switch-Reason,valueonly)'])).stdout).toBe('claude\nrate_limit\n\n');
  });

  it('reports a repository git cannot use as a warning, not a throw', async () => {
    const r = await commitAtSwitch(opts('/nonexistent/repo'));
    expect(r.commit).toBeNull();
    expect(r.warning).toMatch(/^auto-commit failed: /);
  });

  it('turns the next run into its own tag', async () => {
    const repo = await makeRepo({ initial: true });
    writeFileSync(join(repo, 'a.txt'), 'a\n');
    const first = await commitAtSwitch(opts(repo));
    writeFileSync(join(repo, 'b.txt'), 'b\n');
    const second = await commitAtSwitch(opts(repo, { from: 'gemini-flash', to: 'claude', reason: 'recovered', runStartedAt: RUN2 }));
    expect(await tags(repo)).toEqual({ [TAG]: first.commit, [runTagName('model-', 'gemini-flash', RUN2)]: second.commit });
  });
});
