// The ledger's summary (proxy/ledger/): totals from the summary plus the unsummarised tail equal a full re-parse's,
// by day, tier and model; a reader reads only what was appended after the summary; a torn last line, a corrupt
// summary, a summary of another ledger and a summary older than the ledger all recover.

import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appendLedger, readLedger, type UsageEvent } from '../../proxy/git/ledger.ts';
import { CHECK_BYTES, openLedgerIndex, summaryPath } from '../../proxy/ledger/ledger-index.ts';
import { costsReport, ledgerTiers, timelineReport, usageByTier, usageLinesBetween } from '../../proxy/ledger/usage-query.ts';
import { costs, type CostsReport } from '../../proxy/review/costs.ts';
import { timeline } from '../../proxy/review/timeline.ts';
import { priceLookup } from '../../proxy/prices.ts';
import { groupUsage, usageEvents, type Window } from '../../proxy/review/usage.ts';
import { generateLedger } from '../../test-support/generate-ledger.ts';

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});
function ledgerFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-summary-'));
  dirs.push(dir);
  return join(dir, 'model-ledger');
}

const lookup = priceLookup({ tiers: [] });
const START = Date.parse('2026-03-01T00:00:00.000Z');

/** The report with rows sorted by name and costs rounded (the summary adds costs in another order). */
function normal(r: CostsReport) {
  const row = <T extends { cost_usd: number | null; cache_savings_usd: number | null; unpriced: string[] }>(u: T) => ({
    ...u,
    cost_usd: u.cost_usd === null ? null : 'priced',
    cache_savings_usd: u.cache_savings_usd === null ? null : 'priced',
    unpriced: [...u.unpriced].sort(),
  });
  const byName = (a: { model: string }, b: { model: string }) => a.model.localeCompare(b.model);
  return {
    by_model: r.by_model.map(row).sort(byName),
    by_day: r.by_day.map((d) => ({ ...row(d), models: d.models.map(row).sort(byName) })),
    by_route: r.by_route.map(row),
    total: row(r.total),
  };
}

async function expectSameAsFullParse(path: string, window: Window = {}) {
  const index = openLedgerIndex(path);
  const s = (await index.refresh()).snapshot();
  const events = readLedger(path);
  const got = await costsReport(path, s, window, lookup);
  const want = costs(events, window, lookup);
  expect(normal(got)).toEqual(normal(want));
  // Costs: the same sums added in another order (per line there, per day and model here).
  const allCosts = (r: CostsReport) =>
    [r.total, ...r.by_model, ...r.by_route, ...r.by_day.flatMap((d) => [d, ...d.models])].map((u) => u.cost_usd ?? 0);
  allCosts(got).forEach((c, i) => expect(Math.abs(c - allCosts(want)[i])).toBeLessThanOrEqual(1e-9 * Math.max(1, c)));
  const allSavings = (r: CostsReport) =>
    [r.total, ...r.by_model, ...r.by_route, ...r.by_day.flatMap((d) => [d, ...d.models])].map((u) => u.cache_savings_usd ?? 0);
  allSavings(got).forEach((c, i) => expect(Math.abs(c - allSavings(want)[i])).toBeLessThanOrEqual(1e-9 * Math.max(1, c)));
  expect(timelineReport(s, window, START, true)).toEqual(timeline(events, window, START, true));
  return s;
}

describe('the ledger summary', () => {
  it('gives the same totals by day, tier and model as a full parse of a 200k-line ledger, and the same timeline', async () => {
    const path = ledgerFile();
    await generateLedger(path, { lines: 200_000, start: START, days: 40 });
    const s = await expectSameAsFullParse(path);
    expect(Object.keys(s.days).length).toBeGreaterThanOrEqual(40);
    // By routing rule: each rule's lines, the unrouted last, and together every usage line.
    const all = await costsReport(path, s, {}, lookup);
    expect(all.by_route.map((r) => r.route)).toEqual(['background', 'long-context', null]);
    expect(all.by_route.reduce((n, r) => n + r.requests, 0)).toBe(all.total.requests);
    expect(all.by_route.every((r) => r.requests > 0)).toBe(true);
    expect(s.offset).toBe(statSync(path).size);
    // The summary was written beside the ledger, whole, and describes all of it.
    const saved = JSON.parse(readFileSync(summaryPath(path), 'utf8'));
    expect(saved.offset).toBe(statSync(path).size);
    const events = readLedger(path);
    expect(saved.edit_ids.split('\n').length).toBe(events.filter((e) => e.kind === 'edit').length);
    // review --analyze's usage by tier, and the tiers review knows from the ledger.
    const window = { since: START + 86_400_000 * 2.5 };
    const byTier = await usageByTier(path, s, window, lookup);
    const want = groupUsage(usageEvents(events, window), (e) => e.tier, lookup);
    expect([...byTier.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [tier, u] of want) {
      const got = byTier.get(tier)!;
      expect({ ...got, cost_usd: null, cache_savings_usd: null }).toEqual({ ...u, cost_usd: null, cache_savings_usd: null });
      expect(got.cache_savings_usd ?? 0).toBeCloseTo(u.cache_savings_usd ?? 0, 6);
    }
    const tiers = new Set<string>();
    for (const e of events) {
      if (e.kind === 'usage') tiers.add(e.tier);
      else if (e.kind === 'switch') [e.from, e.to].forEach((n) => tiers.add(n));
      else if (e.kind === 'start') e.tiers.forEach((n) => tiers.add(n));
    }
    expect(ledgerTiers(s).sort()).toEqual([...tiers].sort());
  }, 120_000);

  it('a reader with a summary reads only the bytes appended after it (and the few bytes that check it)', async () => {
    const path = ledgerFile();
    await generateLedger(path, { lines: 50_000, start: START, days: 10 });
    await openLedgerIndex(path).refresh(); // writes the summary
    const before = statSync(path).size;
    await generateLedger(path, { lines: 2000, start: START + 10 * 86_400_000, days: 1, seed: 7, append: true });
    const appended = statSync(path).size - before;
    const counter = { bytes: 0 };
    const agg = await openLedgerIndex(path, { counter }).refresh();
    expect(counter.bytes).toBe(CHECK_BYTES + appended + CHECK_BYTES);
    expect(agg.snapshot().offset).toBe(statSync(path).size);
    await expectSameAsFullParse(path);
    // A second refresh of the same index with nothing new reads only the check bytes.
    counter.bytes = 0;
    const index = openLedgerIndex(path, { counter });
    await index.refresh();
    counter.bytes = 0;
    appendLedger(path, {
      kind: 'usage',
      tier: 'gemini',
      model: 'gemini-2.5-pro',
      input_tokens: 5,
      output_tokens: 6,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
      ms: 1,
      stream: false,
    });
    const line = statSync(path).size - agg.snapshot().offset;
    await index.refresh();
    expect(counter.bytes).toBe(CHECK_BYTES + line + CHECK_BYTES);
  }, 120_000);

  it('leaves a torn last line for later, and skips it once the next writer starts a fresh line after it', async () => {
    const path = ledgerFile();
    await generateLedger(path, { lines: 3000, start: START, days: 3 });
    const whole = statSync(path).size;
    appendFileSync(path, '{"ts":"2026-03-02T10:00:00.000Z","kind":"usage","tier":"claude","model":"claude-sonnet-4-6","input_tok');
    const index = openLedgerIndex(path);
    expect((await index.refresh()).snapshot().offset).toBe(whole);
    await expectSameAsFullParse(path);
    appendLedger(path, {
      kind: 'usage',
      tier: 'claude',
      model: 'claude-sonnet-4-6',
      input_tokens: 11,
      output_tokens: 22,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
      ms: 1,
      stream: true,
      ts: '2026-03-03T10:00:00.000Z',
    });
    const s = (await index.refresh()).snapshot();
    expect(s.offset).toBe(statSync(path).size);
    expect(s.days['2026-03-03'].usage['claude\u0000claude-sonnet-4-6'].input_tokens).toBeGreaterThanOrEqual(11);
    await expectSameAsFullParse(path);
  });

  it('rebuilds from the ledger when the summary is corrupt, of another shape, or of another ledger', async () => {
    const path = ledgerFile();
    await generateLedger(path, { lines: 5000, start: START, days: 5 });
    await openLedgerIndex(path).refresh();
    for (const bad of [
      '{"version":1,"offset":12',
      '[]',
      // Version 1 kept the edit ids as an array (its JSON blocked the event loop ~100 ms on a year's ledger).
      JSON.stringify({ version: 1, offset: 0, check: '', days: {}, marks: [], edit_ids: ['toolu_1'] }),
      // Version 2 had no recorded costs: a well-formed one is rebuilt once (its totals would price every line now).
      JSON.stringify({ version: 2, offset: 0, check: '', days: {}, marks: [], edit_ids: '' }),
      // Version 3 had no routes in its keys: rebuilt once, so review --costs has each line's rule.
      JSON.stringify({ version: 3, offset: 0, check: '', days: {}, marks: [], edit_ids: '' }),
      JSON.stringify({
        version: 2,
        offset: 10,
        check: 'x',
        days: { '2026-03-01': { first: 0, end: 1, usage: { k: {} } } },
        marks: [],
        edit_ids: '',
      }),
    ]) {
      writeFileSync(summaryPath(path), bad);
      const index = openLedgerIndex(path);
      await index.refresh();
      expect(index.rebuilt).toBe(true);
      await expectSameAsFullParse(path);
    }
    // Another ledger in its place (larger, different lines): the check bytes tell, and it is rebuilt.
    await openLedgerIndex(path).refresh();
    await generateLedger(path, { lines: 8000, start: START, days: 5, seed: 99 });
    const index = openLedgerIndex(path);
    await index.refresh();
    expect(index.rebuilt).toBe(true);
    await expectSameAsFullParse(path);
    // A ledger shorter than the summary (truncated by hand): rebuilt too.
    writeFileSync(path, readFileSync(path).subarray(0, 1000));
    await expectSameAsFullParse(path);
  });

  it('a summary older than the ledger is caught up from its offset, never rebuilt', async () => {
    const path = ledgerFile();
    await generateLedger(path, { lines: 4000, start: START, days: 4 });
    await openLedgerIndex(path).refresh();
    const old = readFileSync(summaryPath(path), 'utf8');
    await generateLedger(path, { lines: 4000, start: START + 4 * 86_400_000, days: 4, seed: 5, append: true });
    await openLedgerIndex(path).refresh();
    writeFileSync(summaryPath(path), old);
    const index = openLedgerIndex(path);
    await index.refresh();
    expect(index.rebuilt).toBe(false);
    await expectSameAsFullParse(path);
  });

  it('a window that cuts through days reads only those days’ spans and matches the full parse', async () => {
    const path = ledgerFile();
    await generateLedger(path, { lines: 30_000, start: START, days: 30 });
    const s = (await openLedgerIndex(path).refresh()).snapshot();
    const window = { since: START + 3.5 * 86_400_000, until: START + 9.25 * 86_400_000 };
    await expectSameAsFullParse(path, window);
    const counter = { bytes: 0 };
    await costsReport(path, s, window, lookup, counter);
    const span = (day: string) => s.days[day].end - s.days[day].first;
    expect(counter.bytes).toBe(span('2026-03-04') + span('2026-03-10'));
    // No summary at all: a missing ledger is empty.
    const none = (await openLedgerIndex(join(path, '..', 'absent')).refresh()).snapshot();
    expect(none.offset).toBe(0);
    expect(existsSync(summaryPath(join(path, '..', 'absent')))).toBe(false);
  });

  it('usageLinesBetween returns exactly the usage lines of a span (how status seeds today), reading about a day', async () => {
    const path = ledgerFile();
    await generateLedger(path, { lines: 20_000, start: START, days: 20 });
    const s = (await openLedgerIndex(path).refresh()).snapshot();
    const since = START + 12 * 86_400_000 + 5.5 * 3_600_000; // a local midnight at UTC+5:30's offset
    const before = since + 86_400_000;
    const counter = { bytes: 0 };
    const got = await usageLinesBetween(path, s, since, before, counter);
    const want = readLedger(path).filter(
      (e): e is UsageEvent => e.kind === 'usage' && Date.parse(e.ts) >= since && Date.parse(e.ts) < before,
    );
    expect(got).toEqual(want);
    expect(counter.bytes).toBeLessThan(statSync(path).size / 8);
  });
});
