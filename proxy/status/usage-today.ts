// Today's requests, tokens and cost by model (the machine's local day), from the ledger's `usage` lines:
// read once at start (only the spans of the UTC days the local day touches, found with the ledger's summary,
// proxy/ledger/), then kept up to date from each line the proxy writes. Costs are priced the way
// `review --costs` prices them (proxy/prices.ts): a line's own cost_usd, else priced now; unknown stays unknown, never $0.

import type { Config } from '../config.ts';
import type { LedgerEvent, UsageEvent } from '../git/ledger.ts';
import { sharedLedgerIndex } from '../ledger/ledger-index.ts';
import { usageLinesBetween } from '../ledger/usage-query.ts';
import { priceLookup, type PriceLookup } from '../prices.ts';
import { addUsage, emptyUsage, type UsageTotals } from '../review/usage.ts';

export type ModelUsage = UsageTotals & { tier: string; model: string };
export type TodayUsage = { date: string; by_model: ModelUsage[]; total: UsageTotals };

/** YYYY-MM-DD of the local day. */
export function localDay(t: number): string {
  const d = new Date(t);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export type UsageToday = {
  add(event: LedgerEvent): void;
  /** Reads today's lines the ledger got before `before` (ms), i.e. before this proxy started writing. */
  seed(ledgerPath: string, before: number): Promise<void>;
  snapshot(now?: number): TodayUsage;
};

export function createUsageToday(config: Pick<Config, 'tiers'>): UsageToday {
  const lookup: PriceLookup = priceLookup(config);
  let day = localDay(Date.now());
  let lines: UsageEvent[] = [];
  const seeded: UsageEvent[] = [];
  const keep = (e: UsageEvent) => localDay(Date.parse(e.ts)) === day;
  return {
    add(event) {
      if (event.kind !== 'usage') return;
      lines.push(event);
    },
    async seed(path, before) {
      const [y, m, d] = day.split('-').map(Number);
      const midnight = new Date(y, m - 1, d).getTime();
      const summary = (await sharedLedgerIndex(path).refresh()).snapshot();
      for (const e of await usageLinesBetween(path, summary, midnight, before)) if (keep(e)) seeded.push(e);
      lines = [...seeded, ...lines];
    },
    snapshot(now = Date.now()) {
      const today = localDay(now);
      if (today !== day) {
        day = today;
        lines = lines.filter(keep);
      }
      const byModel = new Map<string, ModelUsage>();
      const total = emptyUsage();
      for (const e of lines) {
        const key = `${e.tier}\u0000${e.model}`;
        let row = byModel.get(key);
        if (!row) byModel.set(key, (row = { tier: e.tier, model: e.model, ...emptyUsage() }));
        addUsage(row, e, lookup);
        addUsage(total, e, lookup);
      }
      return { date: day, by_model: [...byModel.values()], total };
    },
  };
}
