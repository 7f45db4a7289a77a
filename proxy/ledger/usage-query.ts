// Answers the usage questions from the aggregates instead of the whole ledger: `review --costs`'s report for a
// window (whole UTC days from the totals, a day the window cuts through from that day's byte span only) and the
// switch timeline from its marks. Same shapes as proxy/review/costs.ts and timeline.ts.

import type { UsageEvent } from '../git/ledger.ts';
import { cacheSavings, usageCost, type PriceLookup } from '../prices.ts';
import { emptyUsage, inWindow, mergeUsage, type UsageTotals, type Window } from '../review/usage.ts';
import { byRouteOrder, type CostsReport } from '../review/costs.ts';
import { timeline, type Timeline } from '../review/timeline.ts';
import { createAggregates, emptySummary, parseLine, splitKey, timelineEvents, type Counts, type Summary } from './aggregates.ts';
import { scanLines } from './scan.ts';

const DAY_MS = 86_400_000;

/**
 * The totals of `n` requests of one tier and model: the lines' own recorded costs, plus the rest priced now at the
 * base rates (a sum has lost each request's length, so no long-context rate; prices are per token otherwise). Cache
 * savings are priced now, at the base rates.
 */
export function totalsOf(c: Counts, tier: string, model: string, lookup: PriceLookup): UsageTotals {
  const price = lookup(tier, model);
  const r = c.recorded;
  const rest = {
    requests: c.requests - (r?.requests ?? 0),
    input_tokens: c.input_tokens - (r?.input_tokens ?? 0),
    output_tokens: c.output_tokens - (r?.output_tokens ?? 0),
    cache_read_tokens: c.cache_read_tokens - (r?.cache_read_tokens ?? 0),
    cache_write_tokens: c.cache_write_tokens - (r?.cache_write_tokens ?? 0),
  };
  const restCost = rest.requests > 0 ? usageCost(rest, price, true) : 0;
  const cost = restCost === undefined ? undefined : (r?.cost_usd ?? 0) + restCost;
  const saved = c.cache_read_tokens === 0 ? 0 : cacheSavings(c, price, true);
  return {
    requests: c.requests,
    input_tokens: c.input_tokens,
    output_tokens: c.output_tokens,
    cache_read_tokens: c.cache_read_tokens,
    cache_write_tokens: c.cache_write_tokens,
    cost_usd: cost ?? null,
    cache_savings_usd: saved ?? null,
    unpriced: cost === undefined ? [`${tier}/${model}`] : [],
  };
}

/**
 * The usage counts by UTC day and `tier\u0000model` inside the window: a day wholly inside from its totals, a day
 * the window cuts through by reading its span of the ledger (about a day of lines) and keeping the lines inside.
 */
export async function usageInWindow(
  ledgerPath: string,
  summary: Summary,
  window: Window,
  counter?: { bytes: number },
): Promise<[string, Record<string, Counts>][]> {
  const out: [string, Record<string, Counts>][] = [];
  for (const day of Object.keys(summary.days).sort()) {
    const d = summary.days[day];
    const start = Date.parse(`${day}T00:00:00.000Z`);
    const end = start + DAY_MS - 1;
    if ((window.since !== undefined && end < window.since) || (window.until !== undefined && start > window.until)) continue;
    if ((window.since === undefined || start >= window.since) && (window.until === undefined || end <= window.until)) {
      out.push([day, d.usage]);
      continue;
    }
    const part = createAggregates(emptySummary());
    await scanLines(
      ledgerPath,
      (line) => {
        const e = parseLine(line);
        if (e?.kind === 'usage' && new Date(Date.parse(e.ts)).toISOString().slice(0, 10) === day && inWindow(Date.parse(e.ts), window))
          part.add(e);
      },
      { from: d.first, to: Math.min(d.end, summary.offset), counter },
    );
    const usage = part.snapshot().days[day]?.usage;
    if (usage) out.push([day, usage]);
  }
  return out;
}

/** `review --costs` (proxy/review/costs.ts) from the aggregates: by tier, by routing rule, and by UTC day with its tiers. */
export function costsFromDays(days: readonly [string, Record<string, Counts>][], lookup: PriceLookup): CostsReport {
  const byModel = new Map<string, UsageTotals>();
  const byRoute = new Map<string | null, UsageTotals>();
  const byDay: CostsReport['by_day'] = [];
  for (const [day, usage] of days) {
    const models = new Map<string, UsageTotals>();
    for (const [key, c] of Object.entries(usage)) {
      const { tier, model, route = null } = splitKey(key);
      const t = totalsOf(c, tier, model, lookup);
      mergeUsage(models.get(tier) ?? models.set(tier, emptyUsage()).get(tier)!, t);
      mergeUsage(byModel.get(tier) ?? byModel.set(tier, emptyUsage()).get(tier)!, t);
      mergeUsage(byRoute.get(route) ?? byRoute.set(route, emptyUsage()).get(route)!, t);
    }
    const list = [...models].map(([model, u]) => ({ model, ...u }));
    byDay.push({ day, ...list.reduce((acc, m) => mergeUsage(acc, m), emptyUsage()), models: list });
  }
  const list = [...byModel].map(([model, u]) => ({ model, ...u }));
  const routes = [...byRoute].map(([route, u]) => ({ route, ...u })).sort(byRouteOrder);
  return { by_model: list, by_day: byDay, by_route: routes, total: list.reduce((acc, m) => mergeUsage(acc, m), emptyUsage()) };
}

/** `review --analyze`'s usage column: the totals by tier inside the window (groupUsage by tier in proxy/review/usage.ts). */
export async function usageByTier(
  ledgerPath: string,
  summary: Summary,
  window: Window,
  lookup: PriceLookup,
): Promise<Map<string, UsageTotals>> {
  const report = await costsReport(ledgerPath, summary, window, lookup);
  return new Map(report.by_model.map(({ model, ...u }) => [model, u]));
}

/** Tier names the ledger knows of (usage lines, start and switch lines): `review`'s known models, without the lines. */
export function ledgerTiers(summary: Summary): string[] {
  const names = new Set<string>();
  for (const d of Object.values(summary.days)) for (const key of Object.keys(d.usage)) names.add(splitKey(key).tier);
  for (const m of summary.marks) {
    if (m.kind === 'switch') [m.from, m.to].forEach((n) => names.add(n));
    else if (m.kind === 'start') m.tiers.forEach((n) => names.add(n));
  }
  return [...names];
}

export async function costsReport(
  ledgerPath: string,
  summary: Summary,
  window: Window,
  lookup: PriceLookup,
  counter?: { bytes: number },
): Promise<CostsReport> {
  return costsFromDays(await usageInWindow(ledgerPath, summary, window, counter), lookup);
}

/** `review --log`'s timeline from the marks (proxy/review/timeline.ts). */
export function timelineReport(summary: Summary, window: Window, now?: number, running?: boolean): Timeline {
  return timeline(timelineEvents(summary.marks), window, now, running);
}

/**
 * The usage lines written in [since, before) (ms), read from the spans of the UTC days they can fall on only (a
 * local day touches at most three UTC days): how `status` seeds today's usage without reading the whole ledger.
 */
export async function usageLinesBetween(
  ledgerPath: string,
  summary: Summary,
  since: number,
  before: number,
  counter?: { bytes: number },
): Promise<UsageEvent[]> {
  const days = Object.keys(summary.days).filter((day) => {
    const start = Date.parse(`${day}T00:00:00.000Z`);
    return start + DAY_MS > since && start < before;
  });
  if (days.length === 0) return [];
  const from = Math.min(...days.map((d) => summary.days[d].first));
  const to = Math.min(Math.max(...days.map((d) => summary.days[d].end)), summary.offset);
  const out: UsageEvent[] = [];
  await scanLines(
    ledgerPath,
    (line) => {
      const e = parseLine(line);
      if (e?.kind !== 'usage') return;
      const t = Date.parse(e.ts);
      if (t >= since && t < before) out.push(e);
    },
    { from, to, counter },
  );
  return out;
}
