// Token and cost sums over the ledger's `usage` lines; a line without a known price makes the cost unknown. A line's
// own `cost_usd` (priced when it was written) wins; an older line without one is priced now (proxy/prices.ts).

import type { LedgerEvent, UsageEvent } from '../git/ledger.ts';
import { cacheSavings, recordedCost, usageCost, type PriceLookup } from '../prices.ts';

export type UsageTotals = {
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  /** null when any line had no price (see `unpriced`), never a partial sum that looks complete. */
  cost_usd: number | null;
  /** What cache reads saved against the input rate (USD); null when a line with cache reads had no price. */
  cache_savings_usd: number | null;
  /** Upstream model names whose price is unknown. */
  unpriced: string[];
};

export function emptyUsage(): UsageTotals {
  return {
    requests: 0,
    input_tokens: 0,
    output_tokens: 0,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    cost_usd: 0,
    cache_savings_usd: 0,
    unpriced: [],
  };
}

export function addUsage(into: UsageTotals, e: UsageEvent, lookup: PriceLookup): UsageTotals {
  into.requests += 1;
  into.input_tokens += e.input_tokens ?? 0;
  into.output_tokens += e.output_tokens ?? 0;
  into.cache_read_tokens += e.cache_read_tokens ?? 0;
  into.cache_write_tokens += e.cache_write_tokens ?? 0;
  const price = lookup(e.tier, e.model);
  // A line without its own cost was written before lines carried one: priced at the base rates, as it always was
  // (and as the ledger summary prices such lines, proxy/ledger/usage-query.ts). Savings: at the base rates too.
  const cost = recordedCost(e) ?? usageCost(e, price, true);
  const saved = (e.cache_read_tokens ?? 0) === 0 ? 0 : cacheSavings(e, price, true);
  if (saved === undefined) into.cache_savings_usd = null;
  else if (into.cache_savings_usd !== null) into.cache_savings_usd += saved;
  if (cost === undefined) {
    into.cost_usd = null;
    const label = `${e.tier}/${e.model}`;
    if (!into.unpriced.includes(label)) into.unpriced.push(label);
  } else if (into.cost_usd !== null) into.cost_usd += cost;
  return into;
}

export function mergeUsage(into: UsageTotals, other: UsageTotals): UsageTotals {
  into.requests += other.requests;
  into.input_tokens += other.input_tokens;
  into.output_tokens += other.output_tokens;
  into.cache_read_tokens += other.cache_read_tokens;
  into.cache_write_tokens += other.cache_write_tokens;
  into.cost_usd = into.cost_usd === null || other.cost_usd === null ? null : into.cost_usd + other.cost_usd;
  into.cache_savings_usd =
    into.cache_savings_usd === null || other.cache_savings_usd === null ? null : into.cache_savings_usd + other.cache_savings_usd;
  for (const u of other.unpriced) if (!into.unpriced.includes(u)) into.unpriced.push(u);
  return into;
}

export type Window = { since?: number; until?: number };

export function inWindow(time: number, w: Window): boolean {
  return (w.since === undefined || time >= w.since) && (w.until === undefined || time <= w.until);
}

/** The usage lines inside the window. */
export function usageEvents(events: readonly LedgerEvent[], w: Window): UsageEvent[] {
  const all = w.since === undefined && w.until === undefined;
  return events.filter((e): e is UsageEvent => e.kind === 'usage' && (all || inWindow(Date.parse(e.ts), w)));
}

/** Sums usage lines grouped by a key, keys in first-seen order. */
export function groupUsage(events: readonly UsageEvent[], keyOf: (e: UsageEvent) => string, lookup: PriceLookup): Map<string, UsageTotals> {
  const out = new Map<string, UsageTotals>();
  for (const e of events) {
    const k = keyOf(e);
    addUsage(out.get(k) ?? (out.set(k, emptyUsage()).get(k) as UsageTotals), e, lookup);
  }
  return out;
}
