// The bench's rows judge each figure against its same-run baseline: a ratio of added times to a bare pipe's, and a
// step that timed out or failed is a miss that says so, never a crash or a row without a verdict.

import { describe, expect, it } from 'vitest';
import { addedVsPipe } from '../bench.ts';
import { ledgerRows, type LedgerResults } from './ledger-bench.ts';
import { hooksRows, type HooksCase } from './hooks-bench.ts';
import { summarize } from './stats.ts';
import { routingRows } from './routing-bench.ts';

describe('addedVsPipe', () => {
  it("is the proxy's added time over the bare pipe's, met up to the limit", () => {
    const r = addedVsPipe('ttfb', 0.4, 0.9, 1.4, 2);
    expect(r.delta).toBe('2.00×');
    expect(r.met).toBe(true);
    expect(addedVsPipe('ttfb', 0.4, 0.9, 1.45, 2).met).toBe(false);
  });

  it('scales with the baseline: the same proxy on a slower day, with the pipe slower alike, is still met', () => {
    expect(addedVsPipe('ttfb', 1.0, 2.2, 3.3, 2).met).toBe(true);
  });

  it('misses, saying why, when the pipe adds nothing measurable', () => {
    const r = addedVsPipe('ttfb', 0.4, 0.4, 0.5, 2);
    expect(r.met).toBe(false);
    expect(r.delta).toBe('pipe adds nothing');
  });
});

const s = (xs: number[]) => summarize(xs);
const hooksCase = (without: number[], withHooks: number[], extra: Partial<HooksCase> = {}): HooksCase => ({
  commits: withHooks.length,
  without: s(without),
  with: s(withHooks),
  stamped: true,
  ...extra,
});

function results(over: Partial<LedgerResults> = {}): LedgerResults {
  return {
    quick: false,
    ledger: { lines: 1_000_000, bytes: 198 * 2 ** 20, ms: 6000, byKind: {}, first: '', last: '' },
    nodeE0: s([40, 41, 42]),
    bareNodeMb: 39,
    rounds: [
      { start: { ms: 400 }, usage: { ms: 300 }, stall: { proxy: 30, bare: 12, polls: 40 }, rss: { idleMb: 60, peakMb: 120, afterMb: 90 } },
    ],
    status: { runs: [{ ms: 200 }, { ms: 210 }, { ms: 190 }], exitCodes: [0, 0, 0] },
    review: { runs: [{ ms: 900 }], exitCodes: [0] },
    hooks: { ledgerLines: 0, claudeCode: hooksCase([10, 11], [40, 41]), person: hooksCase([10, 11], [70, 71]) },
    ...over,
  };
}

describe('ledgerRows', () => {
  it('meets every target when each figure is within its ratio of the baselines', () => {
    const rows = ledgerRows(results());
    expect(rows.map((r) => r.met)).toEqual([true, true, true, true, null, true, true, null, true, true]);
    expect(rows[0].row).toMatch(/^1M-line ledger \(198 MB\)/);
    expect(rows[0].delta).toBe('9.76×');
  });

  it('shows a timed-out start as a miss, and the rows that needed the proxy as not measured', () => {
    const rows = ledgerRows(
      results({
        rounds: [{ start: { failed: 'timed out after 60 s' }, usage: { failed: 'not reached' }, stall: null, rss: null }],
        status: { runs: [], exitCodes: [] },
      }),
    );
    expect(rows[0]).toMatchObject({ subject: 'timed out after 60 s', met: false });
    expect(rows[1]).toMatchObject({ subject: 'not reached', met: false });
    expect(rows[2]).toMatchObject({ met: false });
    expect(rows[3]).toMatchObject({ met: false });
    expect(rows.every((r) => r.met !== undefined)).toBe(true);
  });

  it('misses a status that exits non-zero, however fast', () => {
    const rows = ledgerRows(results({ status: { runs: [{ ms: 100 }, { ms: 100 }, { ms: 100 }], exitCodes: [0, 1, 0] } }));
    const status = rows.filter((r) => r.row.includes('claude-fallback status'));
    expect(status).toHaveLength(2);
    for (const row of status) {
      expect(row.met).toBe(false);
      expect(row.row).toContain('exit 1');
    }
  });

  it('judges the first status call on its own: a slow first call misses however fast the later ones are', () => {
    const rows = ledgerRows(results({ status: { runs: [{ ms: 3400 }, { ms: 100 }, { ms: 100 }], exitCodes: [0, 0, 0] } }));
    const [first, all] = rows.filter((r) => r.row.includes('claude-fallback status'));
    expect(first).toMatchObject({ subject: '3400 ms', met: false });
    expect(all.met).toBe(true);
  });

  it('judges the stall against the bare server polled in the same window', () => {
    const rows = ledgerRows(
      results({
        rounds: [
          {
            start: { ms: 400 },
            usage: { ms: 300 },
            stall: { proxy: 120, bare: 60, polls: 40 },
            rss: { idleMb: 60, peakMb: 120, afterMb: 90 },
          },
        ],
      }),
    );
    expect(rows[2]).toMatchObject({ delta: '+60 ms', met: false });
  });
});

describe('hooksRows', () => {
  it('shows a case whose commits timed out as "timed out after N s", a miss', () => {
    const rows = hooksRows(
      { ledgerLines: 0, claudeCode: hooksCase([10], [], { timedOutAfterS: 30 }), person: hooksCase([10, 11], [50, 51]) },
      ', 1M-line ledger',
    );
    expect(rows[0]).toMatchObject({ subject: 'timed out after 30 s', met: false });
    expect(rows[1]).toMatchObject({ met: true, target: '≤ +80 ms' });
  });
});

describe('routingRows', () => {
  const r = (today: number, routed: number) =>
    routingRows({ requestBytes: 80 * 1024, rules: 5, rounds: 3, today: s([today]), routed: s([routed]) })[0];
  it('is the time routing adds over today’s plan, met up to +0.2 ms', () => {
    expect(r(0.001, 0.15)).toMatchObject({ delta: '+0.149 ms', met: true });
    expect(r(0.001, 0.25).met).toBe(false);
  });
});
