// `--accept`: run tags renamed, the accepted commits recorded, `--test` guarding it.

import { existsSync, readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git } from '../../proxy/git/git.ts';
import { readLedger } from '../../proxy/git/ledger.ts';
import type { AnalyzeReport } from '../../proxy/review/analyze.ts';
import { buildFixture, commit, ledgerFile, removeRepo, review, snapshot, tags, type Fixture } from './fixture.ts';

async function isAncestor(dir: string, sha: string, of: string): Promise<boolean> {
  return (await git(dir, ['merge-base', '--is-ancestor', sha, of], { reject: false })).exitCode === 0;
}

describe('review --accept', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await buildFixture();
  });
  afterEach(() => removeRepo(fx.dir));

  it('renames the run tags to accepted-*, keeps their commits, and writes an accept line with the commits', async () => {
    const before = (await git(fx.dir, ['rev-parse', 'model-gemini-flash-20261121-100000'])).stdout.trim();
    const r = await review(['--accept', 'gemini-flash', '--repo', fx.dir]);
    expect(r.exitCode).toBe(0);
    const list = await tags(fx.dir);
    expect(list).toContain('accepted-gemini-flash-20261121-100000');
    expect(list).not.toContain('model-gemini-flash-20261121-100000');
    expect(list).toContain('model-deepseek-20261122-110000'); // other models untouched
    expect((await git(fx.dir, ['rev-parse', 'accepted-gemini-flash-20261121-100000'])).stdout.trim()).toBe(before);
    const events = readLedger(await ledgerFile(fx.dir)).filter((e) => e.kind === 'accept');
    expect(events).toHaveLength(1);
    const accepted = events[0].kind === 'accept' ? events[0].commits : [];
    expect([...accepted].sort()).toEqual([fx.shas.g1, fx.shas.g2].sort());
    for (const sha of accepted) expect(await isAncestor(fx.dir, sha, 'accepted-gemini-flash-20261121-100000')).toBe(true);
  });

  it('a later commit of the accepted model is pending again', async () => {
    await review(['--accept', 'gemini-flash', '--repo', fx.dir]);
    await commit(fx.dir, 'gemini again', { 'src/a.ts': 'a1\na2\na3\n' }, { model: 'gemini-flash' });
    const report = JSON.parse((await review(['-a', '--json', '--repo', fx.dir])).stdout) as AnalyzeReport;
    const row = report.rows.find((x) => x.model === 'gemini-flash');
    expect(row).toMatchObject({ commits: 3, accepted: 2, pending: 1 });
  });

  it('--test that fails refuses: exit 4, the end of its output shown, tags unchanged, a test line recorded', async () => {
    const before = await snapshot(fx.dir);
    const cmd = 'for i in $(seq 1 100); do echo "line $i"; done; echo "the real failure" >&2; exit 7';
    const r = await review(['--accept', 'deepseek', '--test', cmd, '--repo', fx.dir]);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain('exit code 7');
    expect(r.stderr).toContain('the real failure');
    expect(r.stderr).toContain('line 100');
    expect(r.stderr).not.toContain('line 1\n');
    const after = await snapshot(fx.dir);
    expect(after.refs).toEqual(before.refs);
    expect(after.head).toEqual(before.head);
    const events = readLedger(await ledgerFile(fx.dir));
    expect(events.map((e) => e.kind)).toEqual(['test']);
    expect(events[0]).toMatchObject({ kind: 'test', model: 'deepseek', passed: false, exit_code: 7 });
  });

  it('--test that passes accepts', async () => {
    const r = await review(['--accept', 'deepseek', '--test', 'test -f src/c.ts', '--repo', fx.dir, '--json']);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ accepted: true, test: { passed: true, exit_code: 0 } });
    expect(await tags(fx.dir)).toContain('accepted-deepseek-20261122-110000');
    expect(readLedger(await ledgerFile(fx.dir)).map((e) => e.kind)).toEqual(['test', 'accept']);
  });

  it('--rollback-on-fail rolls the work back instead when the test fails', async () => {
    const r = await review(['--accept', 'deepseek', '--test', 'false', '--rollback-on-fail', '--repo', fx.dir]);
    expect(r.exitCode).toBe(4);
    expect(r.stdout).toContain('rolled back');
    expect(existsSync(`${fx.dir}/src/c.ts`)).toBe(false);
    expect(readFileSync(`${fx.dir}/shared.txt`, 'utf8')).toBe('line1\nline2\nline3\n');
    expect(await tags(fx.dir)).toContain('rolledback-deepseek-20261122-110000');
    expect(readLedger(await ledgerFile(fx.dir)).map((e) => e.kind)).toEqual(['test', 'rollback']);
  });

  it('pending commits that no run tag reaches get an accepted tag on the newest of them', async () => {
    const g3 = await commit(fx.dir, 'untagged gemini work', { 'src/z.ts': 'z\n' }, { model: 'gemini-flash', date: '2026-11-24T08:09:10Z' });
    await git(fx.dir, ['tag', '-d', 'model-gemini-flash-20261121-100000']);
    const r = await review(['--accept', 'gemini-flash', '--repo', fx.dir, '--json']);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).created_tag).toBe('accepted-gemini-flash-20261124-080910-000');
    expect((await git(fx.dir, ['rev-parse', 'accepted-gemini-flash-20261124-080910-000'])).stdout.trim()).toBe(g3);
    const row = (JSON.parse((await review(['-a', '--json', '--repo', fx.dir])).stdout) as AnalyzeReport).rows.find(
      (x) => x.model === 'gemini-flash',
    );
    expect(row).toMatchObject({ commits: 3, accepted: 3, pending: 0 });
  });
});
