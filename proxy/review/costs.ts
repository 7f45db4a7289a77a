// `--costs`: tokens and cost from the ledger's usage lines, by model, by routing rule and by UTC day. Pure.

import type { LedgerEvent } from '../git/ledger.ts';
import type { PriceLookup } from '../prices.ts';
import { emptyUsage, groupUsage, mergeUsage, usageEvents, type UsageTotals, type Window } from './usage.ts';

export type CostsReport = {
  by_model: (UsageTotals & { model: string })[];
  /** One entry per UTC day, oldest first, each with its models. */
  by_day: (UsageTotals & { day: string; models: (UsageTotals & { model: string })[] })[];
  /** One entry per routing rule (docs/routing.md) in name order, then `route: null` for the lines no rule planned. */
  by_route: (UsageTotals & { route: string | null })[];
  total: UsageTotals;
};

/** Rules in name order, the unrouted (null) last: one order for every reader of the ledger. */
export function byRouteOrder(a: { route: string | null }, b: { route: string | null }): number {
  if (a.route === null || b.route === null) return a.route === b.route ? 0 : a.route === null ? 1 : -1;
  return a.route < b.route ? -1 : a.route > b.route ? 1 : 0;
}

export function costs(events: readonly LedgerEvent[], window: Window, lookup: PriceLookup): CostsReport {
  const usage = usageEvents(events, window);
  const byModel = [...groupUsage(usage, (e) => e.tier, lookup)].map(([model, u]) => ({ model, ...u }));
  const days = new Map<string, typeof usage>();
  for (const e of usage) {
    const day = new Date(Date.parse(e.ts)).toISOString().slice(0, 10);
    (days.get(day) ?? days.set(day, []).get(day))?.push(e);
  }
  const byDay = [...days.keys()].sort().map((day) => {
    const list = days.get(day) ?? [];
    const models = [...groupUsage(list, (e) => e.tier, lookup)].map(([model, u]) => ({ model, ...u }));
    const sum = models.reduce((acc, m) => mergeUsage(acc, m), emptyUsage());
    return { day, ...sum, models };
  });
  const byRoute = [...groupUsage(usage, (e) => (typeof e.route === 'string' ? `r:${e.route}` : 'none'), lookup)]
    .map(([key, u]) => ({ route: key === 'none' ? null : key.slice(2), ...u }))
    .sort(byRouteOrder);
  const total = byModel.reduce((acc, m) => mergeUsage(acc, m), emptyUsage());
  return { by_model: byModel, by_day: byDay, by_route: byRoute, total };
}
