// `review --costs` by routing rule: each rule's requests, tokens and cost from the usage lines' `route`, and
// `unrouted` for the lines no rule planned, in the text table and in --json (the same sums either way).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerInput } from '../../proxy/git/ledger.ts';
import type { CostsReport } from '../../proxy/review/costs.ts';
import { commit, makeRepo, removeRepo, review, writeLedger } from './fixture.ts';

const usage = (ts: string, tier: string, input: number, output: number, cost: number, route?: string): LedgerInput => ({
  ts,
  kind: 'usage',
  tier,
  model: `${tier}-model`,
  input_tokens: input,
  output_tokens: output,
  cache_read_tokens: 0,
  cache_write_tokens: 0,
  ms: 100,
  stream: true,
  cost_usd: cost,
  ...(route === undefined ? {} : { route }),
});

const LINES: LedgerInput[] = [
  { ts: '2026-05-01T09:00:00.000Z', kind: 'start', tiers: ['claude', 'deepseek', 'gemini'], active: 'claude', port: 8000, pid: 1 },
  usage('2026-05-01T09:01:00.000Z', 'claude', 1000, 200, 0.5),
  usage('2026-05-01T09:02:00.000Z', 'deepseek', 300, 20, 0.01, 'background'),
  { ts: '2026-05-01T09:02:00.500Z', kind: 'route', rule: 'background', tier: 'deepseek' },
  usage('2026-05-01T09:03:00.000Z', 'deepseek', 400, 30, 0.02, 'background'),
  usage('2026-05-01T09:04:00.000Z', 'gemini', 90_000, 500, 0.25, 'long-context'),
  // A background request that fell through to Claude (the rule's next tier) is still the rule's.
  usage('2026-05-02T10:00:00.000Z', 'claude', 100, 10, 0.03, 'background'),
  usage('2026-05-02T10:01:00.000Z', 'claude', 2000, 300, 0.75),
];

describe('review --costs by route', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeRepo();
    await commit(dir, 'init', { 'a.txt': 'a\n' });
    await writeLedger(dir, LINES);
  });
  afterAll(() => removeRepo(dir));

  it('--json: by_route has each rule and the unrouted lines, with their requests, tokens and cost', async () => {
    const r = await review(['--costs', '--json', '--repo', dir]);
    expect(r.exitCode).toBe(0);
    const c = JSON.parse(r.stdout) as CostsReport;
    const rows = c.by_route.map((x) => ({
      route: x.route,
      requests: x.requests,
      in: x.input_tokens,
      out: x.output_tokens,
      cost: x.cost_usd,
    }));
    expect(rows.map((x) => ({ ...x, cost: Number(x.cost?.toFixed(6)) }))).toEqual([
      { route: 'background', requests: 3, in: 800, out: 60, cost: 0.06 },
      { route: 'long-context', requests: 1, in: 90_000, out: 500, cost: 0.25 },
      { route: null, requests: 2, in: 3000, out: 500, cost: 1.25 },
    ]);
    expect(c.by_route.reduce((n, x) => n + x.requests, 0)).toBe(c.total.requests);
  });

  it('text: a "By route" table with the rules and "unrouted"', async () => {
    const r = await review(['--costs', '--repo', dir]);
    expect(r.exitCode).toBe(0);
    const section = r.stdout.slice(r.stdout.indexOf('By route'), r.stdout.indexOf('By day'));
    const row = (name: string) =>
      section
        .split('\n')
        .find((l) => l.trimStart().startsWith(name + ' '))
        ?.trim()
        .split(/\s{2,}|\s+/);
    expect(row('background')?.slice(0, 4)).toEqual(['background', '3', '800', '60']);
    expect(row('long-context')?.slice(0, 3)).toEqual(['long-context', '1', '90,000']);
    expect(row('unrouted')?.slice(0, 4)).toEqual(['unrouted', '2', '3,000', '500']);
    expect(section).toContain('$1.25');
  });

  it('no rule ever planned a request: no "By route" table in the text, by_route holds the unrouted only', async () => {
    const plain = await makeRepo();
    try {
      await commit(plain, 'init', { 'a.txt': 'a\n' });
      await writeLedger(plain, [LINES[0], LINES[1]]);
      const text = await review(['--costs', '--repo', plain]);
      expect(text.stdout).not.toContain('By route');
      const c = JSON.parse((await review(['--costs', '--json', '--repo', plain])).stdout) as CostsReport;
      expect(c.by_route.map((x) => [x.route, x.requests])).toEqual([[null, 1]]);
    } finally {
      removeRepo(plain);
    }
  });
});
