// The hooks' side of the notes: installing sets notes.rewriteRef (and uninstalling takes only that value away), and
// the note writer never holds up or fails a commit: it runs detached, with no pipe of git's, whatever it does.

import { execa } from 'execa';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { installHooks, uninstallHooks } from '../../proxy/git/install-hooks.mjs';
import { git } from '../../proxy/git/git.ts';
import { makeRepo } from '../../test-support/repo.ts';

const pids: number[] = [];
afterEach(() => {
  for (const pid of pids.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
});

describe('the hooks and the attribution notes', () => {
  it('install adds the notes ref to notes.rewriteRef once, beside the values there; uninstall removes only it', async () => {
    const repo = await makeRepo();
    await git(repo, ['config', '--add', 'notes.rewriteRef', 'refs/notes/commits']);
    await installHooks(repo, { tagPrefix: 'model-' });
    await installHooks(repo, { tagPrefix: 'model-' });
    expect((await git(repo, ['config', '--get-all', 'notes.rewriteRef'])).stdout.trim().split('\n')).toEqual([
      'refs/notes/commits',
      'refs/notes/claude-fallback',
    ]);
    await uninstallHooks(repo);
    expect((await git(repo, ['config', '--get-all', 'notes.rewriteRef'])).stdout.trim()).toBe('refs/notes/commits');
  });

  it('a commit neither waits for a note writer that hangs nor fails when the writer cannot start', async () => {
    const repo = await makeRepo();
    writeFileSync(join(repo, 'a.txt'), 'a\n');
    await git(repo, ['add', '-A']);
    await git(repo, ['commit', '-q', '-m', 'initial']);
    await installHooks(repo, { tagPrefix: 'model-' });
    const lib = join(repo, '.git', 'fallback-hooks', 'lib', 'attribution-env.sh');
    expect(readFileSync(lib, 'utf8')).toContain(`fb_node='${process.execPath}'`);
    // A writer that hangs (and says it started).
    const hang = join(repo, '.git', 'hang.sh');
    const pidFile = join(repo, '.git', 'hang.pid');
    writeFileSync(hang, `echo $$ > '${pidFile}'\nexec sleep 30\n`);
    writeFileSync(lib, `fb_node=/bin/sh\nfb_attr='${hang}'\n`);
    writeFileSync(join(repo, 'a.txt'), 'b\n');
    const t0 = Date.now();
    const r = await execa('git', ['commit', '-q', '-a', '-m', 'second'], { cwd: repo, env: { CLAUDECODE: '' } });
    const took = Date.now() - t0;
    for (let i = 0; i < 100 && !existsSync(pidFile); i++) await new Promise((d) => setTimeout(d, 20));
    pids.push(Number(readFileSync(pidFile, 'utf8').trim()));
    expect(r.exitCode).toBe(0);
    expect(took).toBeLessThan(20_000); // the writer sleeps 30 s: git did not wait for it
    // A writer whose node is gone: the commit is made all the same, and says nothing about it.
    writeFileSync(lib, `fb_node=/nonexistent/node\nfb_attr='${hang}'\n`);
    writeFileSync(join(repo, 'a.txt'), 'c\n');
    const gone = await execa('git', ['commit', '-q', '-a', '-m', 'third'], { cwd: repo, env: { CLAUDECODE: '' } });
    expect([gone.exitCode, gone.stderr]).toEqual([0, '']);
    expect((await git(repo, ['log', '--format=%s'])).stdout.trim().split('\n')).toEqual(['third', 'second', 'initial']);
  });
});
