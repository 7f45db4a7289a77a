// One proxy per repository, whatever the worktree (docs/git.md, "One proxy per repository"), as the `claude-fallback`
// command shows it: a start in a linked worktree while the repository's proxy runs is refused on the terminal with
// a non-zero exit before anything starts (with `-- command`, the command never runs); nothing that looks like
// success (the export line, the "proxy … for …" line) is printed first; `status` there says where the proxy runs.

import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { ResultPromise } from 'execa';
import { git } from '../../proxy/git/git.ts';
import { makeRepo } from '../../test-support/repo.ts';
import { startTree, stopAllTrees, waitForNoLeftovers } from '../helpers/process-tree.ts';
import { cliEnv, ROOT } from './installed.ts';

const BIN = join(ROOT, 'bin', 'claude-fallback.mjs');
const START_MJS = join(ROOT, 'scripts', 'start.mjs');
const ZX = join(ROOT, 'node_modules', '.bin', 'zx');
const env = cliEnv();
const folders: string[] = [];
afterEach(() => stopAllTrees());
afterAll(async () => {
  expect(await waitForNoLeftovers(folders), 'processes left running in the test repositories').toEqual([]);
});

const cf = (cwd: string, args: string[]) => startTree(process.execPath, [BIN, ...args], { cwd, env, reject: false });

/** A repository with a first commit, a linked worktree, and a config whose tier never gets a request. */
async function repoWithWorktree(): Promise<{ repo: string; wt: string; config: string }> {
  const repo = await makeRepo();
  await git(repo, ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-q', '--allow-empty', '-m', 'first']);
  const wt = `${repo}-linked`;
  await git(repo, ['worktree', 'add', '-q', '-b', 'linked', wt]);
  const config = join(repo, '.git', 'test-fallback.yaml');
  writeFileSync(
    config,
    'proxy:\n  port: 0\ntiers:\n  - name: claude\n    protocol: anthropic\n    base_url: http://127.0.0.1:9\ngit:\n  auto_commit: false\n',
  );
  folders.push(repo, wt);
  return { repo, wt, config };
}

/** Resolves with the URL once the process prints its export line. */
function exported(child: ResultPromise): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /export ANTHROPIC_BASE_URL=(\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    void child.then((r) => reject(new Error(`exited ${r.exitCode}: ${r.stderr}`)));
  });
}

describe('a start in a linked worktree while the main worktree has the proxy', () => {
  it('is refused on the terminal with exit 1, the command never runs, and status there says where the proxy runs', async () => {
    const { repo, wt, config } = await repoWithWorktree();
    const main = cf(repo, ['start', '--no-hooks', '--config', config]);
    const url = await exported(main);

    const marker = join(wt, 'ran.txt');
    const r = await cf(wt, ['--no-hooks', '--config', config, '--', 'sh', '-c', `echo ran > ${marker}; echo ran`]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(existsSync(marker)).toBe(false);
    expect(r.stderr).not.toContain('claude-fallback: proxy http'); // the line printed when a command starts
    expect(r.stderr).toContain(`a proxy already runs for this repository, in the worktree ${repo} (pid `);
    expect(r.stderr).toContain(url);
    expect(r.stderr).toContain('one proxy per repository');

    const fg = await cf(wt, ['start', '--no-hooks', '--config', config]);
    expect(fg.exitCode).toBe(1);
    expect(fg.stdout).toBe(''); // no export line

    const s = await cf(wt, ['status']);
    expect(s.exitCode).toBe(3);
    expect(s.stdout).toContain(`runs for the worktree ${repo}`);
    expect((await cf(repo, ['status'])).exitCode).toBe(0);
    const stop = await cf(wt, ['stop']); // stops nothing here, and says where the proxy runs
    expect(stop.exitCode).toBe(0);
    expect(stop.stdout).toMatch(
      new RegExp(
        `^no proxy running for ${wt}; the repository's proxy \\(pid \\d+\\) runs for the worktree ${repo}: claude-fallback stop --repo ${repo}$`,
      ),
    );
    expect((await cf(repo, ['status'])).exitCode).toBe(0);
  }, 60_000);

  it('is refused before the export line when the running proxy was started by scripts/start.mjs (its run file names it too)', async () => {
    const { repo, wt, config } = await repoWithWorktree();
    const main = startTree(ZX, [START_MJS, '--repo', repo, '--config', config, '--no-hooks'], { env, reject: false });
    const url = await exported(main);
    for (const dir of [repo, wt]) {
      const r = await cf(dir, ['start', '--no-hooks', '--config', config]);
      expect(r.exitCode, r.stderr).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/a proxy already runs for (this repository, in the worktree )?\S+ \(pid \d+, /);
      expect(r.stderr).toContain(`ANTHROPIC_BASE_URL=${url}`);
      const c = await cf(dir, ['--no-hooks', '--config', config, '--', 'sh', '-c', 'echo ran']);
      expect(c.exitCode).toBe(1);
      expect(c.stdout).toBe('');
    }
  }, 60_000);
});
