// Tier budgets apart from the proxy: their UTC periods, the config keys and their errors, the spend read back from
// the ledger at start (a restarted proxy keeps a spent budget spent), and a budget-held tier that is never tried,
// not even when every tier cools down.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig, type TierConfig } from '../../proxy/config.ts';
import { budgetPeriod } from '../../proxy/run/budget-period.ts';
import { createBudgets } from '../../proxy/run/budgets.ts';
import { createTierState } from '../../proxy/engine/tier-state.ts';
import { appendLedger } from '../../proxy/git/ledger.ts';
import { priceLookup } from '../../proxy/prices.ts';

const iso = (t: number) => new Date(t).toISOString();

describe('budget periods (UTC)', () => {
  const t = Date.parse('2026-12-09T17:30:00.000Z'); // a Wednesday
  it('a day from 00:00 UTC, a week from Monday 00:00 UTC, a month from the 1st', () => {
    expect(budgetPeriod('day', t)).toEqual({ start: Date.parse('2026-12-09T00:00:00Z'), end: Date.parse('2026-12-10T00:00:00Z') });
    expect(budgetPeriod('week', t)).toEqual({ start: Date.parse('2026-12-07T00:00:00Z'), end: Date.parse('2026-12-14T00:00:00Z') });
    expect(budgetPeriod('month', t)).toEqual({ start: Date.parse('2026-12-01T00:00:00Z'), end: Date.parse('2027-01-01T00:00:00Z') });
  });
  it('a Sunday belongs to the week that began the Monday before; the last instant of a period is still in it', () => {
    expect(iso(budgetPeriod('week', Date.parse('2026-12-13T23:59:59.999Z')).start)).toBe('2026-12-07T00:00:00.000Z');
    expect(iso(budgetPeriod('week', Date.parse('2026-12-14T00:00:00.000Z')).start)).toBe('2026-12-14T00:00:00.000Z');
    expect(iso(budgetPeriod('month', Date.parse('2024-02-29T23:59:59.999Z')).end)).toBe('2024-03-01T00:00:00.000Z');
  });
});

const TIERS = 'tiers:\n  - name: claude\n    protocol: anthropic\n    base_url: http://h\n';
const cheap = (extra: string) =>
  `${TIERS}  - name: cheap\n    protocol: openai\n    base_url: http://h/v1\n    api_key: k\n    model: m\n${extra}`;

describe('budget and price in the config', () => {
  it('reads budget {amount, per} (tier 0 too) and a price with a long-context tier', () => {
    const c = parseConfig(
      `tiers:\n  - name: claude\n    protocol: anthropic\n    base_url: http://h\n    budget: {amount: 20, per: month}\n  - name: cheap\n    protocol: openai\n    base_url: http://h/v1\n    api_key: k\n    model: m\n    budget:\n      amount: 0.5\n      per: week\n    price:\n      input: 1.25\n      output: 10\n      long_context: {above: 200000, input: 2.5, output: 15}\n`,
      'f.yaml',
      {},
    );
    expect(c.tiers[0].budget).toEqual({ amount: 20, per: 'month' });
    expect(c.tiers[1].budget).toEqual({ amount: 0.5, per: 'week' });
    expect(c.tiers[1].price).toEqual({ input: 1.25, output: 10, longContext: { above: 200000, input: 2.5, output: 15 } });
  });

  it.each([
    ['    budget: {amount: 5, per: hour}\n', 'f.yaml:10: tiers[1].budget.per: unknown period "hour": use one of day, week, month (UTC)'],
    ['    budget: {amount: 0, per: day}\n', 'f.yaml:10: tiers[1].budget.amount: must be more than 0'],
    ['    budget: {amount: -1, per: day}\n', 'f.yaml:10: tiers[1].budget.amount: must be a number ≥ 0, got -1'],
    ['    budget: {amount: "5$", per: day}\n', 'f.yaml:10: tiers[1].budget.amount: must be a number ≥ 0, got "5$"'],
    ['    budget: {per: day}\n', 'f.yaml:10: tiers[1].budget.amount: required'],
    ['    budget: {amount: 5}\n', 'f.yaml:10: tiers[1].budget.per: required: one of day, week, month'],
    ['    budget: {amount: 5, per: day, currency: eur}\n', 'f.yaml:10: tiers[1].budget.currency: unknown key (known here: amount, per)'],
    ['    budget: 5\n', 'f.yaml:10: tiers[1].budget: must be a mapping'],
    ['    price: {input: 1, output: 2, long_context: {input: 2, output: 4}}\n', 'f.yaml:10: tiers[1].price.long_context.above: required'],
    [
      '    price: {input: 1, output: 2, long_context: {above: 0, input: 2, output: 4}}\n',
      'f.yaml:10: tiers[1].price.long_context.above: must be a whole number',
    ],
  ])('names the key and line of a mistake: %#', (extra, message) => {
    expect(() => parseConfig(cheap(extra), 'f.yaml', {})).toThrow(message);
  });
});

function tiersOf(budget: TierConfig['budget']): TierConfig[] {
  return [
    { name: 'claude', protocol: 'anthropic', baseUrl: 'http://h' },
    { name: 'cheap', protocol: 'openai', baseUrl: 'http://h/v1', apiKey: 'k', model: 'm', price: { input: 1000, output: 1000 }, budget },
  ];
}

describe('budget spend', () => {
  it('is read back from the ledger at start (recorded costs, and older lines priced now), and a spent budget holds the tier at once', async () => {
    const ledger = join(mkdtempSync(join(tmpdir(), 'budget-')), 'model-ledger');
    const now = Date.now();
    const { start } = budgetPeriod('day', now);
    const line = (ts: number, extra: object = {}) =>
      appendLedger(ledger, {
        ts: iso(ts),
        kind: 'usage',
        tier: 'cheap',
        model: 'm',
        input_tokens: 100,
        output_tokens: 0,
        cache_read_tokens: 0,
        cache_write_tokens: 0,
        ms: 1,
        stream: true,
        ...extra,
      });
    line(start - 1000, { cost_usd: 50 }); // yesterday: another period
    line(start + 1, { cost_usd: 0.3 }); // recorded when written
    line(start + 2); // an older line: 100 tokens at $1000/M = $0.1, priced now
    line(start + 3, { cost_usd: 'much' }); // a bad cost counts as absent: priced now, $0.1
    const tiers = tiersOf({ amount: 0.5, per: 'day' });
    const state = createTierState(tiers, { now: () => now });
    const logs: string[] = [];
    const budgets = createBudgets({ state, lookup: priceLookup({ tiers }), log: (l) => logs.push(l) });
    expect(state.ready(1)).toBe(true);
    await budgets.seed(ledger, now);
    expect(budgets.snapshot()[0].spent).toBeCloseTo(0.5, 9);
    expect(budgets.snapshot()[0]).toMatchObject({ reached: true, period_end: iso(start + 86_400_000) });
    expect(state.ready(1)).toBe(false);
    expect(state.cooldownUntil[1]).toBe(start + 86_400_000);
    expect(state.lastFailure[1]).toMatchObject({ reason: 'budget' });
    expect(logs.join('\n')).toContain('cheap: budget $0.5000 a day reached: $0.5000 spent');
  });

  it('a tier held by its budget is not tried even when every tier cools down; an answer under way does not lift the hold', () => {
    const now = Date.parse('2026-12-09T12:00:00Z');
    const tiers = tiersOf({ amount: 0.1, per: 'day' });
    const state = createTierState(tiers, { now: () => now });
    const budgets = createBudgets({ state, lookup: priceLookup({ tiers }), log() {} });
    budgets.add({
      ts: iso(now),
      kind: 'usage',
      tier: 'cheap',
      model: 'm',
      input_tokens: 100,
      output_tokens: 0,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
      ms: 1,
      stream: true,
      cost_usd: 0.1,
    });
    state.cool(0, { reason: 'rate_limit', status: 429, at: now, until: now + 3600_000, message: '429' });
    expect(state.plan()).toEqual([0]); // every tier cools down: try them all, except the one out of budget
    state.healthy(1); // a request that was already on its way to the tier ends well
    expect(state.ready(1)).toBe(false);
    expect(state.plan()).toEqual([0]);
  });

  it('a line without a known price is not counted and is said once; its spend stays what is known', () => {
    const now = Date.parse('2026-12-09T12:00:00Z');
    const tiers: TierConfig[] = [
      { name: 'x', protocol: 'openai', baseUrl: 'http://h/v1', apiKey: 'k', model: 'mystery', budget: { amount: 1, per: 'day' } },
    ];
    const state = createTierState(tiers, { now: () => now });
    const logs: string[] = [];
    const budgets = createBudgets({ state, lookup: priceLookup({ tiers }), log: (l) => logs.push(l) });
    const u = {
      ts: iso(now),
      kind: 'usage' as const,
      tier: 'x',
      model: 'mystery',
      input_tokens: 1e6,
      output_tokens: 0,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
      ms: 1,
      stream: true,
    };
    budgets.add(u);
    budgets.add(u);
    expect(budgets.snapshot()[0]).toMatchObject({ spent: 0, reached: false, unpriced: ['mystery'] });
    expect(logs.filter((l) => l.includes('has no price'))).toHaveLength(1);
  });
});
