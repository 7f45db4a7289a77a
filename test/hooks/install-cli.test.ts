// `npx zx scripts/install-hooks.mjs --repo DIR [--uninstall]` as a command, and the info/exclude block it keeps.

import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { git } from '../../proxy/git/git.ts';
import { installHooks, uninstallHooks, withExcludeBlock } from '../../proxy/git/install-hooks.mjs';
import { commitFile, makeRepo, models, start } from './repo.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('install-hooks.mjs command', () => {
  it('installs with npx zx, and --uninstall takes the hooks out again', async () => {
    const repo = await makeRepo({ initial: true });
    const installed = await execa('npx', ['zx', 'scripts/install-hooks.mjs', '--repo', repo], { cwd: ROOT });
    expect(installed.stdout.split('\n')).toEqual([
      `installed ${join(repo, '.git', 'hooks', 'prepare-commit-msg')}`,
      `installed ${join(repo, '.git', 'hooks', 'post-commit')}`,
      `installed ${join(repo, '.git', 'hooks', 'post-rewrite')}`,
    ]);
    await start(repo, 'claude');
    await commitFile(repo, 'a.txt', 'a\n', 'Add a');
    expect(await models(repo)).toEqual(['claude']);

    const removed = await execa('npx', ['zx', 'scripts/install-hooks.mjs', '--repo', repo, '--uninstall'], { cwd: ROOT });
    expect(removed.stdout).toContain(`removed ${join(repo, '.git', 'hooks', 'post-commit')}`);
    expect(removed.stdout).toContain(`removed ${join(repo, '.git', 'fallback-hooks')}`);
    expect(existsSync(join(repo, '.git', 'hooks', 'post-commit'))).toBe(false);
  });

  it('prints where a redirect points core.hooksPath and whose hooks run first', async () => {
    const repo = await makeRepo({ initial: true });
    await git(repo, ['config', 'core.hooksPath', '.githooks']);
    const r = await execa('npx', ['zx', 'scripts/install-hooks.mjs', '--repo', repo], { cwd: ROOT });
    expect(r.stdout.split('\n')[0]).toBe(
      `core.hooksPath = ${join(repo, '.git', 'fallback-hooks')} (in .git/config); the team's hooks in .githooks run first`,
    );
    const back = await execa('npx', ['zx', 'scripts/install-hooks.mjs', '--repo', repo, '--uninstall'], { cwd: ROOT });
    expect(back.stdout).toContain('restored core.hooksPath = .githooks');
  });

  it('removes fallback.tagPrefix on uninstall, and an empty [fallback] section with it', async () => {
    const repo = await makeRepo({ initial: true });
    const config = join(repo, '.git', 'config');
    const before = readFileSync(config, 'utf8');
    await installHooks(repo, { tagPrefix: 'ai-' });
    expect((await git(repo, ['config', 'fallback.tagPrefix'])).stdout.trim()).toBe('ai-');
    await uninstallHooks(repo);
    expect(readFileSync(config, 'utf8')).toBe(before);
  });

  it('fails with a usage line without --repo', async () => {
    const r = await execa('npx', ['zx', 'scripts/install-hooks.mjs'], { cwd: ROOT, reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('usage: npx zx scripts/install-hooks.mjs --repo DIR [--uninstall]');
  });
});

describe('withExcludeBlock', () => {
  const entries = ['/.husky/prepare-commit-msg', '/.husky/post-commit.fallback-orig'];
  it.each([
    ['a file that ends with a newline', '# git ls-files --others --exclude-from=.git/info/exclude\n*.log\n'],
    ['a file without a final newline', '*.log'],
    ['an empty file', ''],
    ['no file', null],
  ])('round-trips %s exactly', (_, text) => {
    const added = withExcludeBlock(text, entries);
    expect(added).toContain('\n/.husky/prepare-commit-msg\n/.husky/post-commit.fallback-orig\n');
    expect(withExcludeBlock(added, entries)).toBe(added);
    expect(withExcludeBlock(withExcludeBlock(added, entries.slice(0, 1)), [])).toBe(text);
  });

  it('leaves a file alone when there is nothing to exclude', () => {
    expect(withExcludeBlock('*.log\n', [])).toBe('*.log\n');
    expect(withExcludeBlock(null, [])).toBe(null);
  });

  it('keeps lines the user added after the block', () => {
    const added = withExcludeBlock('*.log\n', entries) + 'tmp/\n';
    expect(withExcludeBlock(added, [])).toBe('*.log\ntmp/\n');
  });
});

describe('info/exclude on disk', () => {
  it('is untouched for hooks in .git/hooks, which git never tracks', async () => {
    const repo = await makeRepo();
    const file = join(repo, '.git', 'info', 'exclude');
    const before = existsSync(file) ? readFileSync(file, 'utf8') : null;
    await installHooks(repo);
    expect(existsSync(file) ? readFileSync(file, 'utf8') : null).toBe(before);
  });
});
