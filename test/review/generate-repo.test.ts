// The fast-import generator makes what it says, and the review reads it the way git does.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../../proxy/git/git.ts';
import type { AnalyzeReport } from '../../proxy/review/analyze.ts';
import { generateRepo, type Generated } from '../../proxy/review/generate-repo.ts';
import { makeRepo, removeRepo, review } from './fixture.ts';

describe('generateRepo', () => {
  let dir: string;
  let gen: Generated;
  beforeAll(async () => {
    dir = await makeRepo();
    gen = await generateRepo(dir, { commits: 310, models: ['claude', 'gemini-flash', 'deepseek'], runLength: 20, unstampedEvery: 50 });
  });
  afterAll(() => removeRepo(dir));

  it('writes the asked number of commits, one run tag per run, and a clean work tree', async () => {
    expect((await git(dir, ['rev-list', '--count', 'HEAD'])).stdout.trim()).toBe('310');
    expect(gen.runs).toBe(Math.ceil(310 / 20));
    expect((await git(dir, ['tag', '--list', 'model-*'])).stdout.trim().split('\n').sort()).toEqual([...gen.tags].sort());
    expect((await git(dir, ['status', '--porcelain'])).stdout).toBe('');
  });

  it('--analyze counts per model what %(trailers) says, and the runs the tags mark', async () => {
    const r = await review(['-a', '--json', '--repo', dir]);
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout) as AnalyzeReport;
    const out = (await git(dir, ['log', '--format=%(trailers:key=Model,valueonly,separator=%x2C)%x00'])).stdout;
    const models = out
      .split('\0')
      .slice(0, -1)
      .map((x) => x.trim());
    const count = (m: string) => models.filter((x) => x === m).length;
    for (const row of report.rows) expect(row.commits).toBe(count(row.model ?? ''));
    expect(report.total.commits).toBe(310);
    expect(report.total.runs).toBe(gen.runs);
    expect(report.total.usage?.requests).toBe(310 - count(''));
  });
});
