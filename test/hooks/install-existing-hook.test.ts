// The installer where git runs .git/hooks (no core.hooksPath): hooks of the repository's own keep running first and
// come back exactly (symlinks as symlinks) on uninstall; the hooks keep working when either checkout moves.

import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git } from '../../proxy/git/git.ts';
import { PROJECT_HOOKS_DIR, installHooks, uninstallHooks } from '../../proxy/git/install-hooks.mjs';
import { commitFile, makeRepo, models, sha, start, tags, tempDir } from './repo.ts';

type Snapshot = Record<string, { bytes: string; mode: number }>;
function snapshot(dir: string): Snapshot {
  const out: Snapshot = {};
  for (const name of readdirSync(dir)) out[name] = { bytes: readFileSync(join(dir, name), 'base64'), mode: statSync(join(dir, name)).mode };
  return out;
}

async function repoWithOwnHooks(): Promise<{ repo: string; hooks: string; log: string }> {
  const repo = await makeRepo({ initial: true });
  const hooks = join(repo, '.git', 'hooks');
  mkdirSync(hooks, { recursive: true });
  const log = join(repo, '.git', 'own-hooks.log');
  // An own prepare-commit-msg that edits the message, an own post-rewrite that reads stdin (CRLF-free on purpose),
  // and a post-commit that is not executable (git skips it, so the chain must skip it too).
  writeFileSync(join(hooks, 'prepare-commit-msg'), `#!/bin/sh\necho "own prepare $2" >> "${log}"\nprintf "\\nTicket: T-1\\n" >> "$1"\n`);
  chmodSync(join(hooks, 'prepare-commit-msg'), 0o750);
  writeFileSync(join(hooks, 'post-rewrite'), `#!/bin/sh\necho "own rewrite $1 $(cat | wc -l)" >> "${log}"\n`);
  chmodSync(join(hooks, 'post-rewrite'), 0o755);
  writeFileSync(join(hooks, 'post-commit'), `#!/bin/sh\necho "own post-commit" >> "${log}"\n`, { mode: 0o644 });
  chmodSync(join(hooks, 'post-commit'), 0o644);
  return { repo, hooks, log };
}

describe('installing into a repository with its own hooks', () => {
  it('runs the own hooks first, then ours, and uninstall restores every file byte for byte, mode too', async () => {
    const { repo, hooks, log } = await repoWithOwnHooks();
    const before = snapshot(hooks);
    const r = await installHooks(repo);
    expect(r.chained.sort()).toEqual(['post-commit', 'post-rewrite', 'prepare-commit-msg']);

    await start(repo, 'claude');
    await commitFile(repo, 'a.txt', 'a\n', 'Add a');
    expect(await models(repo)).toEqual(['claude']);
    expect((await git(repo, ['log', '-1', '--format=%(trailers:key=Ticket,valueonly)'])).stdout.trim()).toBe('T-1');
    await git(repo, ['commit', '-q', '--amend', '-m', 'Add a again']);
    expect(readFileSync(log, 'utf8')).toBe('own prepare message\nown prepare message\nown rewrite amend 1\n');
    expect(Object.values(await tags(repo))).toEqual([await sha(repo)]);

    await uninstallHooks(repo);
    expect(snapshot(hooks)).toEqual(before);
  });

  it('installing twice changes nothing', async () => {
    const { repo, hooks } = await repoWithOwnHooks();
    const before = snapshot(hooks);
    await installHooks(repo);
    const once = snapshot(hooks);
    const again = await installHooks(repo);
    expect(again.unchanged.sort()).toEqual(['post-commit', 'post-rewrite', 'prepare-commit-msg']);
    expect(snapshot(hooks)).toEqual(once);
    await uninstallHooks(repo);
    expect(snapshot(hooks)).toEqual(before);
  });

  it('keeps the own hook able to stop a commit', async () => {
    const { repo, hooks } = await repoWithOwnHooks();
    writeFileSync(join(hooks, 'prepare-commit-msg'), '#!/bin/sh\necho "no commits today" >&2\nexit 1\n');
    await installHooks(repo);
    const head = await sha(repo);
    const r = await commitFile(repo, 'a.txt', 'a\n', 'Add a').catch((err: { exitCode: number; stderr: string }) => err);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain('no commits today');
    expect(await sha(repo)).toBe(head);
  });

  it('installs into a repository without a hooks directory and removes only its own files', async () => {
    const repo = await makeRepo();
    const hooks = join(repo, '.git', 'hooks');
    const had = existsSync(hooks) ? snapshot(hooks) : {};
    await installHooks(repo);
    expect(readFileSync(join(hooks, 'post-commit'), 'utf8')).toContain('claude-fallback stub');
    await uninstallHooks(repo);
    expect(snapshot(hooks)).toEqual(had);
  });

  it('never fails a commit when its copy of the hooks is gone: one warning line per hook that says how to fix it', async () => {
    const repo = await makeRepo({ initial: true });
    await installHooks(repo);
    rmSync(join(repo, '.git', 'fallback-hooks'), { recursive: true });
    await start(repo, 'claude');
    const r = await commitFile(repo, 'a.txt', 'a\n', 'Add a');
    expect(r.exitCode).toBe(0);
    const fix =
      'install the hooks again \\(npx zx scripts/install-hooks.mjs --repo ".*" in claude-fallback\\) or remove them \\(the same with --uninstall\\)';
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^warning: claude-fallback: .*fallback-hooks/lib/prepare-commit-msg is missing; ${fix}$`)),
      expect.stringMatching(new RegExp(`^warning: claude-fallback: .*fallback-hooks/lib/post-commit is missing; ${fix}$`)),
    ]);
  });

  it('keeps working when the claude-fallback checkout moves or goes away: the hooks run from copies in the git dir', async () => {
    const project = join(tempDir('project'), 'hooks');
    cpSync(PROJECT_HOOKS_DIR, project, { recursive: true });
    const repo = await makeRepo({ initial: true });
    await installHooks(repo, { hooksDir: project });
    rmSync(project, { recursive: true });
    await start(repo, 'gemini-flash');
    const r = await commitFile(repo, 'a.txt', 'a\n', 'Add a');
    expect(r.stderr).toBe('');
    expect(await models(repo)).toEqual(['gemini-flash']);
  });

  it('keeps working in a repository moved to another directory', async () => {
    const repo = await makeRepo({ initial: true });
    await installHooks(repo);
    await start(repo, 'deepseek');
    const moved = join(tempDir('moved'), 'repo');
    cpSync(repo, moved, { recursive: true, verbatimSymlinks: true });
    rmSync(repo, { recursive: true });
    const r = await commitFile(moved, 'a.txt', 'a\n', 'Add a');
    expect(r.stderr).toBe('');
    expect(await models(moved)).toEqual(['deepseek']);
  });

  it('keeps a dangling symlink hook as a link: never written through, back in place after uninstall', async () => {
    const repo = await makeRepo({ initial: true });
    const hooks = join(repo, '.git', 'hooks');
    mkdirSync(hooks, { recursive: true });
    const target = join(tempDir('shared-hooks'), 'post-commit');
    symlinkSync(target, join(hooks, 'post-commit'));
    const r = await installHooks(repo);
    expect(r.chained).toEqual(['post-commit']);
    expect(lstatSync(join(hooks, 'post-commit.fallback-orig')).isSymbolicLink()).toBe(true);
    expect(existsSync(target)).toBe(false);
    await start(repo, 'claude');
    expect((await commitFile(repo, 'a.txt', 'a\n', 'Add a')).exitCode).toBe(0);
    expect(await models(repo)).toEqual(['claude']);
    await uninstallHooks(repo);
    expect(lstatSync(join(hooks, 'post-commit')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(hooks, 'post-commit'))).toBe(target);
    expect(existsSync(join(hooks, 'post-commit.fallback-orig'))).toBe(false);
    expect(existsSync(target)).toBe(false);
  });

  it('treats a hooks directory that links into the work tree as tracked: nothing is written into it', async () => {
    const repo = await makeRepo({ initial: true });
    mkdirSync(join(repo, 'tools', 'githooks'), { recursive: true });
    writeFileSync(join(repo, 'tools', 'githooks', 'post-commit'), '#!/bin/sh\necho team >> .git/team.log\n', { mode: 0o755 });
    await git(repo, ['add', 'tools']);
    await git(repo, ['commit', '-q', '-m', 'Team hooks']);
    rmSync(join(repo, '.git', 'hooks'), { recursive: true, force: true });
    symlinkSync(join(repo, 'tools', 'githooks'), join(repo, '.git', 'hooks'));
    const r = await installHooks(repo);
    expect(r.mode).toBe('redirect');
    expect(readdirSync(join(repo, 'tools', 'githooks'))).toEqual(['post-commit']);
    await start(repo, 'claude');
    await commitFile(repo, 'a.txt', 'a\n', 'Add a');
    expect(await models(repo)).toEqual(['claude']);
    expect(readFileSync(join(repo, '.git', 'team.log'), 'utf8')).toBe('team\n');
    expect((await git(repo, ['status', '--porcelain', '--untracked-files=all'])).stdout).toBe('');
    await uninstallHooks(repo);
    expect((await git(repo, ['config', '--get', 'core.hooksPath'], { reject: false })).stdout).toBe('');
  });
});
