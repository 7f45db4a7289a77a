// A husky v9 repository (husky from npm; core.hooksPath=.husky/_, the team's hooks tracked in .husky/): installing
// writes no file git tracks or shows, the team's hooks keep running before ours, an auto-commit runs none of them,
// uninstall puts .git/config back byte for byte, and husky's `prepare` resetting core.hooksPath is chained again.

import { execa } from 'execa';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { git } from '../../proxy/git/git.ts';
import { commitAtSwitch } from '../../proxy/git/switch-commit.ts';
import { installHooks, uninstallHooks } from '../../proxy/git/install-hooks.mjs';
import { RUN1, commitFile, edit, makeRepo, models, start } from './repo.ts';

const HUSKY = createRequire(import.meta.url).resolve('husky');

/** Runs husky v9 in the repository as its `prepare` script does on npm install. */
async function husky(repo: string): Promise<void> {
  const r = await execa('node', ['--input-type=module', '-e', `import h from ${JSON.stringify(HUSKY)}; process.stdout.write(h())`], {
    cwd: repo,
  });
  expect(r.stdout).toBe('');
}

/** Every file under `dir` with its mode and bytes. */
function tree(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    if (s.isDirectory()) Object.assign(out, tree(p, `${prefix}${name}/`));
    else out[prefix + name] = `${s.mode}:${readFileSync(p, 'base64')}`;
  }
  return out;
}

const status = async (repo: string) => (await git(repo, ['status', '--porcelain', '--untracked-files=all', '--ignored'])).stdout;

describe('installing into a husky v9 repository', () => {
  let repo: string;
  let log: string;
  beforeEach(async () => {
    repo = await makeRepo({ initial: true });
    log = join(repo, '.git', 'husky.log');
    mkdirSync(join(repo, '.husky'));
    // The team's husky scripts, committed as husky users do (not executable: husky runs them with sh -e).
    writeFileSync(join(repo, '.husky', 'pre-commit'), `echo "pre-commit" >> "${log}"\n`);
    writeFileSync(join(repo, '.husky', 'prepare-commit-msg'), `echo "prepare-commit-msg $2" >> "${log}"\n`);
    writeFileSync(join(repo, '.husky', 'post-commit'), `echo "post-commit" >> "${log}"\n`);
    await git(repo, ['add', '.husky']);
    await git(repo, ['commit', '-q', '-m', 'Add husky hooks']);
    await husky(repo);
    expect((await git(repo, ['config', 'core.hooksPath'])).stdout.trim()).toBe('.husky/_');
    writeFileSync(log, '');
  });

  it('keeps git status clean through install, a Claude Code commit, an auto-commit and uninstall; husky hooks run first', async () => {
    const configBefore = readFileSync(join(repo, '.git', 'config'));
    const huskyBefore = tree(join(repo, '.husky'));
    const statusBefore = await status(repo);

    const r = await installHooks(repo, { tagPrefix: 'model-' });
    expect(r).toMatchObject({ mode: 'redirect', team: '.husky/_', redirected: true });
    expect((await git(repo, ['config', 'core.hooksPath'])).stdout.trim()).toBe(join(repo, '.git', 'fallback-hooks'));
    expect(await status(repo)).toBe(statusBefore);
    expect(tree(join(repo, '.husky'))).toEqual(huskyBefore);

    await start(repo, 'gemini-flash');
    await commitFile(repo, 'a.txt', 'a\n', 'Add a');
    expect(await models(repo)).toEqual(['gemini-flash']);
    expect(readFileSync(log, 'utf8')).toBe('pre-commit\nprepare-commit-msg message\npost-commit\n');
    expect(await status(repo)).toBe(statusBefore);

    // The switch: the work of the run that ends is committed; no hook of the team runs for it.
    writeFileSync(log, '');
    writeFileSync(join(repo, 'b.txt'), 'b\n');
    await edit(repo, 'gemini-flash', 'b.txt'); // gemini wrote it: the auto-commit takes only what a model wrote
    const s = await commitAtSwitch({
      repo,
      from: 'gemini-flash',
      to: 'claude',
      reason: 'recovered',
      tagPrefix: 'model-',
      runStartedAt: RUN1,
    });
    expect(s.commit).not.toBeNull();
    expect((await git(repo, ['show', '--name-only', '--format=', 'HEAD'])).stdout.trim()).toBe('b.txt');
    expect(readFileSync(log, 'utf8')).toBe('');
    expect(await status(repo)).toBe(statusBefore);

    await uninstallHooks(repo);
    expect(await status(repo)).toBe(statusBefore);
    expect(readFileSync(join(repo, '.git', 'config'))).toEqual(configBefore);
    expect(tree(join(repo, '.husky'))).toEqual(huskyBefore);
    expect(existsSync(join(repo, '.git', 'fallback-hooks'))).toBe(false);
    await commitFile(repo, 'c.txt', 'c\n', 'Add c');
    expect(await models(repo)).toEqual([]);
    expect(readFileSync(log, 'utf8')).toBe('pre-commit\nprepare-commit-msg message\npost-commit\n');
  });

  it("is bypassed when husky's prepare points core.hooksPath back at .husky/_, and installing again chains it anew", async () => {
    await installHooks(repo);
    await start(repo, 'deepseek');
    await husky(repo); // npm install
    await commitFile(repo, 'a.txt', 'a\n', 'Add a');
    expect(await models(repo)).toEqual([]); // only husky's hooks ran
    expect(readFileSync(log, 'utf8')).toContain('pre-commit\n');

    const again = await installHooks(repo);
    expect(again).toMatchObject({ mode: 'redirect', team: '.husky/_', redirected: true });
    await commitFile(repo, 'b.txt', 'b\n', 'Add b');
    expect(await models(repo)).toEqual(['deepseek']);
    await uninstallHooks(repo);
    expect((await git(repo, ['config', 'core.hooksPath'])).stdout.trim()).toBe('.husky/_');
  });

  it('installing twice changes nothing', async () => {
    await installHooks(repo);
    const once = { config: readFileSync(join(repo, '.git', 'config'), 'utf8'), ours: tree(join(repo, '.git', 'fallback-hooks')) };
    const again = await installHooks(repo);
    expect(again.redirected).toBe(false);
    expect(again.unchanged.sort()).toEqual(['post-commit', 'post-rewrite', 'prepare-commit-msg']);
    expect({ config: readFileSync(join(repo, '.git', 'config'), 'utf8'), ours: tree(join(repo, '.git', 'fallback-hooks')) }).toEqual(once);
  });

  it('puts back the tracked husky script an older installer replaced with a stub', async () => {
    const team = readFileSync(join(repo, '.husky', 'post-commit'));
    // What the installer before this one left: the team's script renamed, a stub in its place, an exclude block.
    writeFileSync(join(repo, '.husky', 'post-commit.fallback-orig'), team);
    writeFileSync(join(repo, '.husky', 'post-commit'), '#!/bin/sh\n# claude-fallback stub: runs the post-commit that was here first\n');
    const exclude = join(repo, '.git', 'info', 'exclude');
    const excludeBefore = readFileSync(exclude, 'utf8');
    writeFileSync(
      exclude,
      `${excludeBefore}# >>> claude-fallback hook stubs (scripts/install-hooks.mjs)\n/.husky/post-commit.fallback-orig\n# <<< claude-fallback hook stubs\n`,
    );
    await installHooks(repo);
    expect(readFileSync(join(repo, '.husky', 'post-commit'))).toEqual(team);
    expect(existsSync(join(repo, '.husky', 'post-commit.fallback-orig'))).toBe(false);
    expect(readFileSync(exclude, 'utf8')).toBe(excludeBefore);
    expect((await git(repo, ['status', '--porcelain'])).stdout).toBe('');
  });
});
