// A tracked core.hooksPath (.githooks/ committed with the team's hooks): installing writes nothing there, the
// team's hooks run first (in linked worktrees too), an auto-commit runs none of them, and uninstall puts
// .git/config back byte for byte; `git status` stays clean all along.

import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { git } from '../../proxy/git/git.ts';
import { commitAtSwitch } from '../../proxy/git/switch-commit.ts';
import { installHooks, uninstallHooks } from '../../proxy/git/install-hooks.mjs';
import { RUN1, commitFile, edit, makeRepo, models, start, tempDir } from './repo.ts';

const status = async (repo: string) => (await git(repo, ['status', '--porcelain', '--untracked-files=all', '--ignored'])).stdout;

describe('installing into a tracked core.hooksPath', () => {
  let repo: string;
  let log: string;
  let tracked: Record<string, Buffer>;
  beforeEach(async () => {
    repo = await makeRepo({ initial: true });
    log = join(repo, '.git', 'team.log');
    mkdirSync(join(repo, '.githooks'));
    const hook = (name: string, body: string) => {
      writeFileSync(join(repo, '.githooks', name), `#!/bin/sh\n${body}\n`);
      chmodSync(join(repo, '.githooks', name), 0o755);
    };
    hook('pre-commit', `echo pre-commit >> "${log}"`);
    hook('prepare-commit-msg', `echo "prepare-commit-msg $2" >> "${log}"\nprintf '\\nTicket: T-1\\n' >> "$1"`);
    hook('post-commit', `echo post-commit >> "${log}"`);
    hook('post-rewrite', `echo "post-rewrite $1 $(wc -l)" >> "${log}"`);
    await git(repo, ['add', '.githooks']);
    await git(repo, ['commit', '-q', '--no-verify', '-m', 'Add the team hooks']);
    await git(repo, ['config', 'core.hooksPath', '.githooks']);
    tracked = Object.fromEntries(
      ['pre-commit', 'prepare-commit-msg', 'post-commit', 'post-rewrite'].map((n) => [n, readFileSync(join(repo, '.githooks', n))]),
    );
    writeFileSync(log, '');
  });

  it('leaves the tracked hooks and git status alone, runs them first, and uninstall restores .git/config exactly', async () => {
    const configBefore = readFileSync(join(repo, '.git', 'config'));
    const statusBefore = await status(repo);
    const r = await installHooks(repo);
    expect(r).toMatchObject({
      mode: 'redirect',
      team: '.githooks',
      redirected: true,
      chained: expect.arrayContaining(['prepare-commit-msg', 'post-commit', 'post-rewrite']),
    });
    expect(await status(repo)).toBe(statusBefore);

    await start(repo, 'deepseek');
    await commitFile(repo, 'a.txt', 'a\n', 'Add a');
    expect(await models(repo)).toEqual(['deepseek']);
    expect((await git(repo, ['log', '-1', '--format=%(trailers:key=Ticket,valueonly)'])).stdout.trim()).toBe('T-1');
    await git(repo, ['commit', '-q', '--amend', '-m', 'Add a, amended']);
    expect(readFileSync(log, 'utf8')).toBe(
      'pre-commit\nprepare-commit-msg message\npost-commit\npre-commit\nprepare-commit-msg message\npost-commit\npost-rewrite amend 1\n',
    );

    writeFileSync(log, '');
    writeFileSync(join(repo, 'b.txt'), 'b\n');
    await edit(repo, 'deepseek', 'b.txt'); // deepseek wrote it: the auto-commit takes only what a model wrote
    const s = await commitAtSwitch({ repo, from: 'deepseek', to: 'claude', reason: 'recovered', tagPrefix: 'model-', runStartedAt: RUN1 });
    expect((await git(repo, ['show', '--name-only', '--format=', s.commit!])).stdout.trim()).toBe('b.txt');
    expect((await git(repo, ['log', '-1', '--format=%(trailers:key=Ticket,valueonly)'])).stdout.trim()).toBe('');
    expect(readFileSync(log, 'utf8')).toBe('');
    expect(await status(repo)).toBe(statusBefore);

    await uninstallHooks(repo);
    expect(await status(repo)).toBe(statusBefore);
    expect(readFileSync(join(repo, '.git', 'config'))).toEqual(configBefore);
    for (const [name, bytes] of Object.entries(tracked)) expect(readFileSync(join(repo, '.githooks', name))).toEqual(bytes);
  });

  it('runs the team hook, relative to each work tree, and ours in a linked worktree', async () => {
    const wt = join(tempDir('wt'), 'linked');
    await git(repo, ['worktree', 'add', '-q', '-b', 'linked', wt]);
    await installHooks(wt);
    await start(repo, 'gemini-flash');
    await commitFile(wt, 'w.txt', 'w\n', 'Work in the linked tree');
    expect(await models(wt)).toEqual(['gemini-flash']);
    expect(readFileSync(log, 'utf8')).toBe('pre-commit\nprepare-commit-msg message\npost-commit\n');
    expect(await status(wt)).toBe('');
  });

  it('still lets the team hook stop a commit', async () => {
    writeFileSync(join(repo, '.githooks', 'prepare-commit-msg'), '#!/bin/sh\necho "no commits today" >&2\nexit 1\n');
    await git(repo, ['-c', 'core.hooksPath=/dev/null', 'commit', '-q', '-a', '-m', 'A stricter team hook']);
    await installHooks(repo);
    await start(repo, 'claude');
    const r = await commitFile(repo, 'a.txt', 'a\n', 'Add a').catch((err: { exitCode: number; stderr: string }) => err);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain('no commits today');
  });
});
