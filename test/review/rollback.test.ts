// `--rollback`: only the model's pending work is reverted, in one unstamped commit; refusals and conflicts change nothing.

import { appendFileSync, chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git } from '../../proxy/git/git.ts';
import { readLedger } from '../../proxy/git/ledger.ts';
import { buildFixture, commit, ledgerFile, removeRepo, review, snapshot, tags, type Fixture } from './fixture.ts';

const read = (dir: string, path: string) => readFileSync(join(dir, path), 'utf8');

describe('review --rollback', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await buildFixture();
  });
  afterEach(() => removeRepo(fx.dir));

  it("reverts only that model's pending commits, newest first, in one commit with Model-Rollback and Reverts trailers", async () => {
    const r = await review(['--rollback', 'deepseek', '--repo', fx.dir]);
    expect(r.exitCode).toBe(0);
    // deepseek's work is gone, everyone else's stays
    expect(existsSync(join(fx.dir, 'src/c.ts'))).toBe(false);
    expect(read(fx.dir, 'shared.txt')).toBe('line1\nline2\nline3\n');
    expect(read(fx.dir, 'src/a.ts')).toBe('a1\na2\n');
    expect(read(fx.dir, 'docs/x.md')).toBe('x\n');
    expect(read(fx.dir, 'README.md')).toBe('hello\nworld\n');
    expect(existsSync(join(fx.dir, 'src/b.ts'))).toBe(false); // claude's deletion stays
    // one new commit on top
    expect((await git(fx.dir, ['rev-parse', 'HEAD~1'])).stdout.trim()).toBe(fx.shas.n1);
    const t = (key: string) =>
      git(fx.dir, ['log', '-1', `--format=%(trailers:key=${key},valueonly,separator=%x2C)`]).then((x) => x.stdout.trim());
    expect(await t('Model-Rollback')).toBe('deepseek');
    expect(await t('Reverts')).toBe(`${fx.shas.d2},${fx.shas.d1}`);
    expect(await t('Model')).toBe('');
    expect(await tags(fx.dir)).toContain('rolledback-deepseek-20261122-110000');
    expect(await tags(fx.dir)).not.toContain('model-deepseek-20261122-110000');
    const events = readLedger(await ledgerFile(fx.dir));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'rollback', model: 'deepseek', commits: [fx.shas.d2, fx.shas.d1] });
    // and the analysis now counts them as rolled back
    const a = JSON.parse((await review(['-a', '--json', '--repo', fx.dir])).stdout) as {
      rows: { model: string; rolled_back: number; pending: number }[];
    };
    expect(a.rows.find((x) => x.model === 'deepseek')).toMatchObject({ rolled_back: 2, pending: 0 });
  });

  it('accepted commits stay: only the work after the accept is reverted', async () => {
    await review(['--accept', 'gemini-flash', '--repo', fx.dir]);
    const g3 = await commit(fx.dir, 'gemini after accept', { 'src/a.ts': 'a1\na2\na3\n' }, { model: 'gemini-flash' });
    const r = await review(['--rollback', 'gemini-flash', '--repo', fx.dir, '--json']);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).commits.map((c: { sha: string }) => c.sha)).toEqual([g3]);
    expect(read(fx.dir, 'src/a.ts')).toBe('a1\na2\n');
  });

  it('the revert commit is never stamped, even with a prepare-commit-msg hook that stamps the active model', async () => {
    const hook = join(fx.dir, '.git/hooks/prepare-commit-msg');
    writeFileSync(hook, '#!/bin/sh\n[ "$FALLBACK_SKIP_HOOKS" = 1 ] && exit 0\nprintf "\\nModel: claude\\n" >> "$1"\n');
    chmodSync(hook, 0o755);
    const probe = await commit(fx.dir, 'probe', { 'probe.txt': 'p\n' });
    expect((await git(fx.dir, ['log', '-1', '--format=%(trailers:key=Model,valueonly)', probe])).stdout.trim()).toBe('claude');
    expect((await review(['--rollback', 'deepseek', '--repo', fx.dir])).exitCode).toBe(0);
    expect((await git(fx.dir, ['log', '-1', '--format=%(trailers:key=Model,valueonly)'])).stdout.trim()).toBe('');
  });

  it('--dry-run lists the commits and changes nothing', async () => {
    const before = await snapshot(fx.dir);
    const r = await review(['--rollback', 'deepseek', '--dry-run', '--repo', fx.dir]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(fx.shas.d2.slice(0, 12));
    expect(r.stdout).toContain(fx.shas.d1.slice(0, 12));
    expect(r.stdout.indexOf(fx.shas.d2.slice(0, 12))).toBeLessThan(r.stdout.indexOf(fx.shas.d1.slice(0, 12)));
    expect(await snapshot(fx.dir)).toEqual(before);
  });

  it('a dirty tree is refused, byte for byte untouched (staged and unstaged changes)', async () => {
    writeFileSync(join(fx.dir, 'README.md'), 'hello\nworld\nunsaved\n');
    writeFileSync(join(fx.dir, 'src/a.ts'), 'staged\n');
    await git(fx.dir, ['add', 'src/a.ts']);
    const before = await snapshot(fx.dir);
    const r = await review(['--rollback', 'deepseek', '--repo', fx.dir]);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain('README.md');
    expect(r.stderr).toContain('src/a.ts');
    expect(await snapshot(fx.dir)).toEqual(before);
  });

  it('an operation in progress (a rebase stopped to edit) is refused and left as it was', async () => {
    await git(fx.dir, ['rebase', '-i', fx.shas.c1], { env: { GIT_SEQUENCE_EDITOR: 'sed -i 1s/^pick/edit/' } });
    expect(existsSync(join(fx.dir, '.git/rebase-merge'))).toBe(true);
    const before = await snapshot(fx.dir);
    const r = await review(['--rollback', 'deepseek', '--repo', fx.dir]);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain('rebase-merge');
    expect(await snapshot(fx.dir)).toEqual(before);
    expect(existsSync(join(fx.dir, '.git/rebase-merge'))).toBe(true);
  });

  it('a conflict leaves HEAD, index and work tree exactly as they were and names the file', async () => {
    await commit(fx.dir, 'claude rewrites line 2', { 'shared.txt': 'line1\nline2 claude\nline3\n' }, { model: 'claude' });
    writeFileSync(join(fx.dir, 'notes.txt'), 'untracked stays\n');
    const before = await snapshot(fx.dir);
    const r = await review(['--rollback', 'deepseek', '--repo', fx.dir]);
    expect(r.exitCode).toBe(5);
    expect(r.stderr).toContain('shared.txt');
    expect(await snapshot(fx.dir)).toEqual(before);
  });

  it('a conflict on an older commit also undoes the reverts already applied', async () => {
    // d2 reverts cleanly first; d1 (which created src/c.ts) then conflicts with a later edit of c.ts
    await commit(fx.dir, 'claude edits c', { 'src/c.ts': 'c1\nc2 claude\n' }, { model: 'claude' });
    const before = await snapshot(fx.dir);
    const r = await review(['--rollback', 'deepseek', '--repo', fx.dir, '--json']);
    expect(r.exitCode).toBe(5);
    expect(JSON.parse(r.stdout).error).toMatchObject({ exit_code: 5, commit: fx.shas.d1, conflicts: ['src/c.ts'] });
    expect(await snapshot(fx.dir)).toEqual(before);
  });

  it('keeps its trailers when the repository has a hook that appends a paragraph, and a second rollback finds nothing to do', async () => {
    const hook = join(fx.dir, '.git/hooks/prepare-commit-msg');
    writeFileSync(hook, '#!/bin/sh\nprintf "\\nReviewed-by: nobody, this paragraph ends the message.\\n" >> "$1"\n');
    chmodSync(hook, 0o755);
    expect((await review(['--rollback', 'deepseek', '--repo', fx.dir])).exitCode).toBe(0);
    const head = (await git(fx.dir, ['rev-parse', 'HEAD'])).stdout.trim();
    expect((await git(fx.dir, ['log', '-1', '--format=%B'])).stdout).not.toContain('Reviewed-by');
    const a = JSON.parse((await review(['-a', '--json', '--repo', fx.dir])).stdout) as {
      rows: { model: string; rolled_back: number; pending: number }[];
    };
    expect(a.rows.find((x) => x.model === 'deepseek')).toMatchObject({ rolled_back: 2, pending: 0 });
    const again = await review(['--rollback', 'deepseek', '--repo', fx.dir, '--json']);
    expect(again.exitCode).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ commits: [], revert_commit: null });
    expect((await git(fx.dir, ['rev-parse', 'HEAD'])).stdout.trim()).toBe(head);
  });

  it('reads a ledger holding well-formed lines of the wrong shape without failing', async () => {
    appendFileSync(await ledgerFile(fx.dir), '{"kind":"usage"}\n{"ts":"2026-11-22T11:00:00.000Z","kind":"usage","tier":5}\n[]\n');
    const r = await review(['-a', '--json', '--repo', fx.dir]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { rows: { model: string }[] }).rows.map((x) => x.model)).toContain('deepseek');
    expect((await review(['--costs', '--repo', fx.dir])).exitCode).toBe(0);
    expect((await review(['--log', '--repo', fx.dir])).exitCode).toBe(0);
  });
});
