// The review's pure pieces: run tag names, tag rename planning, prices, usage sums and the timeline.

import { describe, expect, it } from 'vitest';
import type { LedgerEvent } from '../../proxy/git/ledger.ts';
import { BUILTIN_PRICES, builtinPrice, lineCost, priceLookup, usageCost } from '../../proxy/prices.ts';
import { parseRunTag, planRenames, stampOf, type RunTag } from '../../proxy/review/tags.ts';
import { timeline } from '../../proxy/review/timeline.ts';
import { addUsage, emptyUsage } from '../../proxy/review/usage.ts';

describe('run tags', () => {
  it('reads tier names that hold dashes, in all three states, and the UTC start', () => {
    expect(parseRunTag('model-gemini-flash-20261121-100503', 'model-')).toEqual({
      name: 'model-gemini-flash-20261121-100503',
      state: 'run',
      tier: 'gemini-flash',
      stamp: '20261121-100503',
      time: Date.parse('2026-11-21T10:05:03Z'),
    });
    expect(parseRunTag('accepted-deepseek-20261122-110000', 'model-')).toMatchObject({ state: 'accepted', tier: 'deepseek' });
    expect(parseRunTag('rolledback-claude-20261122-110000.2', 'model-')).toMatchObject({
      state: 'rolledback',
      tier: 'claude',
      stamp: '20261122-110000.2',
    });
    expect(parseRunTag('ai-claude-20261122-110000', 'ai-')).toMatchObject({ state: 'run', tier: 'claude' });
  });

  it('ignores tags that are not ours', () => {
    for (const name of ['v1.0.0', 'model-claude', 'model-claude-2026-11-22', 'other-claude-20261122-110000'])
      expect(parseRunTag(name, 'model-')).toBeNull();
  });

  it('stampOf writes the UTC stamp that parseRunTag reads back', () => {
    const t = Date.parse('2026-03-04T05:06:07Z');
    expect(parseRunTag(`model-x-${stampOf(t)}`, 'model-')?.time).toBe(t);
  });

  const tag = (name: string, commit: string): RunTag => ({
    ...(parseRunTag(name, 'model-') as Omit<RunTag, 'commit' | 'object'>),
    commit,
    object: commit,
  });

  it('plans a rename that moves an existing accepted tag forward when it is an ancestor', () => {
    const run = tag('model-c-20261122-110000', 'new');
    const old = tag('accepted-c-20261122-110000', 'old');
    const plan = planRenames([run], [run, old], 'accepted', 'model-', (a, of) => a === 'old' && of === 'new');
    expect(plan.renames).toEqual([{ from: run.name, to: old.name, commit: 'new' }]);
    expect(plan.ops).toContainEqual({ op: 'set', name: old.name, object: 'new', old: 'old' });
  });

  it('plans a `.N` name when the existing tag is not an ancestor, so nothing accepted is lost', () => {
    const run = tag('model-c-20261122-110000', 'side');
    const old = tag('accepted-c-20261122-110000', 'other');
    const plan = planRenames([run], [run, old], 'accepted', 'model-', () => false);
    expect(plan.renames[0].to).toBe('accepted-c-20261122-110000.2');
  });
});

describe('prices', () => {
  it('matches dated model ids to their family and nothing else', () => {
    expect(builtinPrice('claude-sonnet-4-5-20250929')).toBe(BUILTIN_PRICES['claude-sonnet-4-5']);
    expect(builtinPrice('claude-opus-4-1@20250805')).toBe(BUILTIN_PRICES['claude-opus-4-1']);
    expect(builtinPrice('claude-sonnet-4-7')).toBeUndefined();
    expect(builtinPrice('gemini-2.5-flash-lite')).toBeUndefined();
    expect(builtinPrice('constructor')).toBeUndefined();
  });

  it("a tier's configured price wins over the built-in one", () => {
    const lookup = priceLookup({
      tiers: [{ name: 'claude', protocol: 'anthropic', baseUrl: 'https://x', price: { input: 1, output: 2 } }],
    });
    expect(lookup('claude', 'claude-sonnet-4-5')).toEqual({ input: 1, output: 2 });
    expect(lookup('other', 'claude-sonnet-4-5')).toBe(BUILTIN_PRICES['claude-sonnet-4-5']);
  });

  it('cache tokens without a cache rate cost the input rate; no price is unknown, not 0', () => {
    const e = { input_tokens: 1_000_000, output_tokens: 0, cache_read_tokens: 2_000_000, cache_write_tokens: 0 };
    expect(usageCost(e, { input: 3, output: 15 })).toBe(9);
    expect(usageCost(e, { input: 3, output: 15, cacheRead: 0.3 })).toBeCloseTo(3.6, 10);
    expect(usageCost(e, undefined)).toBeUndefined();
  });

  it('one unpriced line makes the sum unknown and names the model', () => {
    const base = {
      ts: '2026-11-22T00:00:00Z',
      kind: 'usage' as const,
      input_tokens: 10,
      output_tokens: 1,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
      ms: 1,
      stream: true,
    };
    const lookup = priceLookup({ tiers: [] });
    const u = addUsage(emptyUsage(), { ...base, tier: 'claude', model: 'claude-sonnet-4-5' }, lookup);
    expect(u.cost_usd).toBeGreaterThan(0);
    addUsage(u, { ...base, tier: 'ds', model: 'deepseek-v4-flash' }, lookup);
    expect(u).toMatchObject({ requests: 2, input_tokens: 20, cost_usd: null, unpriced: ['ds/deepseek-v4-flash'] });
  });
});

describe('long-context rates, recorded costs and cache savings', () => {
  const req = (input: number, cacheRead = 0) => ({
    input_tokens: input,
    output_tokens: 1_000_000,
    cache_read_tokens: cacheRead,
    cache_write_tokens: 0,
  });

  it("charges a request whose whole input (cache tokens included) is over 200k at the vendor's long-context rates", () => {
    const sonnet45 = builtinPrice('claude-sonnet-4-5-20250929');
    // 200k input exactly: base rates ($3 in, $15 out); 200,001: the whole request at $6 / $22.50.
    expect(usageCost(req(200_000), sonnet45)).toBeCloseTo(0.6 + 15, 9);
    expect(usageCost(req(200_001), sonnet45)).toBeCloseTo((200_001 * 6) / 1e6 + 22.5, 9);
    // Cache reads count toward the threshold and are charged at the long-context cache rate ($0.60).
    expect(usageCost(req(100_000, 150_000), sonnet45)).toBeCloseTo(0.6 + (150_000 * 0.6) / 1e6 + 22.5, 9);
    // Gemini 2.5 Pro: $2.50 / $15 above 200k; Sonnet 4.6 has no surcharge (1M context at base rates since 2026-03-13).
    expect(usageCost(req(300_000), builtinPrice('gemini-2.5-pro'))).toBeCloseTo(0.75 + 15, 9);
    expect(usageCost(req(300_000), builtinPrice('claude-sonnet-4-6'))).toBeCloseTo(0.9 + 15, 9);
    // A sum of many requests has lost their lengths: base rates (for lines written before lines carried a cost).
    expect(usageCost(req(300_000), builtinPrice('gemini-2.5-pro'), true)).toBeCloseTo(0.375 + 10, 9);
  });

  it("a line's own cost_usd wins over today's price; a line without one is priced now; savings are what cache reads did not cost", () => {
    const base = { ts: '2026-12-08T00:00:00Z', kind: 'usage' as const, tier: 'claude', model: 'claude-opus-4-6', ms: 1, stream: true };
    const lookup = priceLookup({ tiers: [] });
    const u = addUsage(emptyUsage(), { ...base, ...req(0, 1_000_000), output_tokens: 0, cost_usd: 1.23 }, lookup);
    expect(u.cost_usd).toBe(1.23);
    addUsage(u, { ...base, ...req(1_000_000), output_tokens: 0 }, lookup); // $5 at Opus 4.6's input rate
    expect(u.cost_usd).toBeCloseTo(6.23, 9);
    expect(u.cache_savings_usd).toBeCloseTo(5 - 0.5, 9); // 1M cache reads at $0.50 instead of $5
    addUsage(u, { ...base, tier: 'x', model: 'mystery', ...req(10, 10) }, lookup);
    expect(u).toMatchObject({ cost_usd: null, cache_savings_usd: null, unpriced: ['x/mystery'] });
  });

  it('lineCost is what a usage line carries: rounded to a billionth, undefined (absent) without a price', () => {
    expect(lineCost(req(1), { input: 3, output: 15 })).toBe(15.000003);
    expect(lineCost(req(1), undefined)).toBeUndefined();
  });
});

describe('timeline', () => {
  const events: LedgerEvent[] = [
    { ts: '2026-11-21T09:00:00.000Z', kind: 'start', active: 'claude', tiers: ['claude', 'g'], pid: 1, port: 8000 },
    { ts: '2026-11-21T09:10:00.000Z', kind: 'switch', from: 'claude', to: 'g', reason: 'rate_limit', status: 429, commit: 'c0ffee' },
    { ts: '2026-11-21T09:40:00.000Z', kind: 'switch', from: 'g', to: 'claude', reason: 'recovered' },
  ];

  it('gives each switch the time the model before ran, and the active run up to now', () => {
    const now = Date.parse('2026-11-21T10:00:00Z');
    const t = timeline(events, {}, now);
    expect(t.entries.map((e) => e.ran_ms)).toEqual([null, 10 * 60_000, 30 * 60_000]);
    expect(t.entries[1]).toMatchObject({ from: 'claude', to: 'g', reason: 'rate_limit', status: 429, commit: 'c0ffee' });
    expect(t.active).toEqual({ model: 'claude', since: '2026-11-21T09:40:00.000Z', ran_ms: 20 * 60_000 });
  });

  it('a stop ends the run: nothing is active after it', () => {
    const t = timeline([...events, { ts: '2026-11-21T09:50:00.000Z', kind: 'stop', active: 'claude' }], {});
    expect(t.entries.at(-1)).toMatchObject({ kind: 'stop', from: 'claude', to: null, ran_ms: 10 * 60_000 });
    expect(t.active).toBeNull();
  });

  it('ends a run whose proxy died without a stop line at the last line it wrote: before a new start, and at the end when no proxy lives', () => {
    const usage = (ts: string): LedgerEvent => ({
      ts,
      kind: 'usage',
      tier: 'claude',
      model: 'm',
      input_tokens: 1,
      output_tokens: 1,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
      ms: 1,
      stream: true,
    });
    const died = [
      ...events,
      usage('2026-11-21T09:45:00.000Z'),
      { ts: '2026-11-21T11:00:00.000Z', kind: 'start', active: 'claude', tiers: ['claude', 'g'], pid: 2, port: 8000 },
      usage('2026-11-21T11:05:00.000Z'),
    ] as LedgerEvent[];
    const t = timeline(died, {}, Date.parse('2026-11-21T12:00:00Z'), false);
    expect(t.entries.slice(3).map((e) => [e.kind, e.reason, e.ts, e.ran_ms])).toEqual([
      ['stop', 'died', '2026-11-21T09:45:00.000Z', 5 * 60_000],
      ['start', 'start', '2026-11-21T11:00:00.000Z', null],
      ['stop', 'died', '2026-11-21T11:05:00.000Z', 5 * 60_000],
    ]);
    expect(t.active).toBeNull();
    expect(timeline(died, {}, Date.parse('2026-11-21T12:00:00Z'), true).active).toMatchObject({
      model: 'claude',
      since: '2026-11-21T11:00:00.000Z',
    });
  });
});
