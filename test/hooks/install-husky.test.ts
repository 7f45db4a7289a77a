// The installer in a husky v9 repository (core.hooksPath=.husky/_): stubs go into .husky/, chain the user's
// husky scripts, stay out of `git add -A`, and uninstall puts .husky/ and info/exclude back exactly.

import { execa } from 'execa';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { git } from '../../proxy/git/git.ts';
import { installHooks, uninstallHooks } from '../../scripts/install-hooks.mjs';
import { commitFile, makeRepo, models, sha, start, tags } from './repo.ts';

const HUSKY = createRequire(import.meta.url).resolve('husky');

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isFile()) out[name] = `${statSync(p).mode}:${readFileSync(p, 'base64')}`;
  }
  return out;
}

describe('installing into a husky repository', () => {
  let repo: string;
  let exclude: string;
  beforeEach(async () => {
    repo = await makeRepo({ initial: true });
    mkdirSync(join(repo, '.husky'));
    // A husky script of the project's own, committed like husky users do (not executable: husky runs it with sh -e).
    writeFileSync(join(repo, '.husky', 'post-commit'), 'echo "husky post-commit ran" >> .git/husky.log\n');
    await git(repo, ['add', '.husky/post-commit']);
    await git(repo, ['commit', '-q', '-m', 'Add husky hook']);
    const r = await execa('node', ['--input-type=module', '-e', `import h from ${JSON.stringify(HUSKY)}; process.stdout.write(h())`], { cwd: repo });
    expect(r.stdout).toBe('');
    expect((await git(repo, ['config', 'core.hooksPath'])).stdout.trim()).toBe('.husky/_');
    exclude = join(repo, '.git', 'info', 'exclude');
  });

  it('stamps and tags through husky, keeps the husky script running, and hides its own files from git add -A', async () => {
    const excludeBefore = existsSync(exclude) ? readFileSync(exclude, 'utf8') : null;
    const r = await installHooks(repo);
    expect(r.style).toBe('husky');
    expect(r.dir).toBe(join(repo, '.husky'));
    expect(r.chained).toEqual(['post-commit']);
    expect(readFileSync(join(repo, '.husky', 'post-commit.fallback-orig'), 'utf8')).toContain('husky post-commit ran');

    await start(repo, 'gemini-flash');
    await commitFile(repo, 'a.txt', 'a\n', 'Add a');
    expect(await models(repo)).toEqual(['gemini-flash']);
    expect(Object.values(await tags(repo))).toEqual([await sha(repo)]);
    expect(readFileSync(join(repo, '.git', 'husky.log'), 'utf8')).toBe('husky post-commit ran\n');

    await git(repo, ['add', '-A']);
    const staged = (await git(repo, ['diff', '--cached', '--name-only'])).stdout.trim().split('\n');
    // Only the chained script, a tracked file, shows as changed; our new stubs and the kept original do not.
    expect(staged).toEqual(['.husky/post-commit']);
    await git(repo, ['reset', '-q']);

    await uninstallHooks(repo);
    expect((await git(repo, ['status', '--porcelain'])).stdout).toBe('');
    expect(existsSync(exclude) ? readFileSync(exclude, 'utf8') : null).toBe(excludeBefore);
  });

  it('uninstall restores .husky/ byte for byte and installing twice changes nothing', async () => {
    const before = snapshot(join(repo, '.husky'));
    await installHooks(repo);
    const once = { husky: snapshot(join(repo, '.husky')), exclude: readFileSync(exclude, 'utf8') };
    await installHooks(repo);
    expect({ husky: snapshot(join(repo, '.husky')), exclude: readFileSync(exclude, 'utf8') }).toEqual(once);
    await uninstallHooks(repo);
    expect(snapshot(join(repo, '.husky'))).toEqual(before);
  });
});
