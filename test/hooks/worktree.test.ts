// Worktrees share one ledger, one pid file and one hooks directory, and one proxy serves the repository
// (docs/git.md, "One proxy per repository"): a commit in any worktree is stamped and tagged when it comes from a
// session that uses that proxy, and only then.

import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git } from '../../proxy/git/git.ts';
import { isAlive, processStart } from '../../proxy/git/process-identity.mjs';
import { runFilePath } from '../../proxy/run/run-file.ts';
import { runTagName } from '../../proxy/git/run-tag.ts';
import { installHooks } from '../../proxy/git/install-hooks.mjs';
import { RUN1, RUN2, TIERS, commitFile, ledger, makeRepo, message, models, sha, start, switchTo, tags, tempDir } from './repo.ts';

const cleanup: (() => void)[] = [];
afterEach(() => {
  while (cleanup.length) cleanup.pop()!();
});

async function linked(): Promise<{ repo: string; wt: string }> {
  const repo = await makeRepo({ initial: true });
  const wt = join(tempDir('wt'), 'linked');
  await git(repo, ['worktree', 'add', '-q', '-b', 'linked', wt]);
  await installHooks(wt); // from the linked worktree: lands in the common hooks directory
  return { repo, wt };
}

const COAUTHOR = '\n\nCo-Authored-By: Claude <noreply@anthropic.com>';

describe('worktrees', () => {
  it('stamps commits in a linked worktree from the shared ledger and keeps the run tag on the latest', async () => {
    const { repo, wt } = await linked();
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

  it('does not stamp, tag or rewrite a Claude Code commit from a session that does not use the proxy, in either worktree', async () => {
    const { repo, wt } = await linked();
    await start(repo, 'claude', RUN1);
    await switchTo(repo, 'claude', 'deepseek', RUN2);
    await commitFile(repo, 'm.txt', 'm\n', `Through the proxy${COAUTHOR}`);
    expect(await models(repo)).toEqual(['deepseek']);
    const tagged = await tags(repo);
    expect(Object.keys(tagged)).toEqual([runTagName('model-', 'deepseek', RUN2)]);

    // Claude Code sessions elsewhere: straight to Anthropic (no ANTHROPIC_BASE_URL), another proxy's port, a
    // remote host on the same port, a URL that is not http.
    const sessions = [
      { ANTHROPIC_BASE_URL: '' },
      { ANTHROPIC_BASE_URL: 'http://127.0.0.1:8001' },
      { ANTHROPIC_BASE_URL: 'http://10.1.2.3:8000' },
      { ANTHROPIC_BASE_URL: 'https://127.0.0.1:8000' },
    ];
    for (const [i, env] of sessions.entries()) {
      for (const dir of [wt, repo]) {
        await commitFile(dir, `s${i}.txt`, `${dir}\n`, `Another session's work${COAUTHOR}`, { env: { CLAUDECODE: '1', ...env } });
        expect(await models(dir), `${dir} ${env.ANTHROPIC_BASE_URL}`).toEqual([]);
        expect(await message(dir)).toContain('Co-Authored-By: Claude <noreply@anthropic.com>');
      }
    }
    expect(await tags(repo)).toEqual(tagged); // the run tag did not move

    // The same proxy under other spellings of its address is the proxy.
    for (const [i, url] of ['http://localhost:8000/', 'http://[::1]:8000', 'http://127.0.0.1:8000/v1?x=1'].entries()) {
      await commitFile(wt, `u${i}.txt`, 'u\n', 'Through the proxy from the linked tree', { env: { ANTHROPIC_BASE_URL: url } });
      expect(await models(wt), url).toEqual(['deepseek']);
    }
    expect(await tags(repo)).toEqual({ [runTagName('model-', 'deepseek', RUN2)]: await sha(wt) });
  });
});

describe('the pid file check in the hooks', () => {
  it('does not count a zombie proxy (exited, not yet reaped) as alive', async () => {
    const repo = await makeRepo({ initial: true });
    await installHooks(repo);
    // `sleep 0` exits at once; its parent has become `sleep 30` (exec), which never reaps it: a zombie.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    cleanup.push(() => parent.kill('SIGKILL'));
    const pid = Number(await new Promise<string>((done) => parent.stdout.once('data', (d: Buffer) => done(d.toString().trim()))));
    let state = '';
    for (let i = 0; i < 100 && state !== 'Z'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1][0];
    }
    expect(state).toBe('Z');
    const zombie = { pid, start: processStart(pid)! };
    expect(zombie.start).toBeTruthy();
    expect(isAlive(zombie)).toBe(false);
    expect(isAlive({ pid: process.pid, start: processStart(process.pid)! })).toBe(true);
    // The zombie is the proxy: the pid file and the run's start line name it.
    writeFileSync(runFilePath(join(repo, '.git')), `${zombie.pid} ${zombie.start}\n`);
    await ledger(repo, { ts: RUN2, kind: 'start', active: 'deepseek', tiers: TIERS, pid: zombie.pid, port: 8000 });
    await git(repo, ['commit', '-q', '--allow-empty', '-m', 'While the proxy is a zombie']);
    expect(await models(repo)).toEqual([]);
    expect(await tags(repo)).toEqual({});
  });
});
