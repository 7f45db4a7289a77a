// Tier budgets (`budget: {amount, per}`, docs/config.md): each budgeted tier's spend in its current UTC period, read
// from the ledger at start and added from each usage line after. When the spend reaches the amount the tier cools
// down until the period ends (reason `budget`: the switcher names it when the active tier leaves), and a `budget`
// ledger line is written, which the notifier sends; the next period it is used again by itself, like any cooldown
// that ends. Time is the tier state's clock.

import type { LedgerInput, UsageEvent } from '../git/ledger.ts';
import type { TierState } from '../engine/tier-state.ts';
import { sharedLedgerIndex } from '../ledger/ledger-index.ts';
import { totalsOf, usageInWindow } from '../ledger/usage-query.ts';
import { splitKey } from '../ledger/aggregates.ts';
import { recordedCost, usageCost, type PriceLookup } from '../prices.ts';
import { usd } from '../money.ts';
import { budgetPeriod } from './budget-period.ts';

/** One budgeted tier as views show it (GET /status `budgets`, `claude-fallback status`, the dashboard). */
export type BudgetStatus = {
  tier: string;
  amount: number;
  per: 'day' | 'week' | 'month';
  /** USD recorded in the period so far (priced lines only). */
  spent: number;
  period_start: string;
  period_end: string;
  reached: boolean;
  /** Models of this tier whose lines had no price in this period: their spend is not counted. */
  unpriced: string[];
};

export type Budgets = {
  /** One usage line this proxy wrote. */
  add(line: UsageEvent): void;
  /** Adds the spend the ledger holds from each period's start until `before` (ms): lines written before this proxy. */
  seed(ledgerPath: string, before: number): Promise<void>;
  snapshot(): BudgetStatus[];
};

type Entry = { index: number; start: number; end: number; spent: number; unpriced: Set<string> };

export type BudgetsOptions = {
  state: TierState;
  lookup: PriceLookup;
  log: (line: string) => void;
  /** Writes the ledger's `budget` line when a budget is reached while the proxy runs (the notifier sends it). */
  record?: (line: Extract<LedgerInput, { kind: 'budget' }>) => void;
};

export function createBudgets(opts: BudgetsOptions): Budgets {
  const { state, lookup, log } = opts;
  const entries = new Map<string, Entry>();
  state.tiers.forEach((t, index) => {
    if (t.budget) entries.set(t.name, { index, ...budgetPeriod(t.budget.per, state.clock.now()), spent: 0, unpriced: new Set() });
  });

  /** A new period began: its spend starts from nothing (the cooldown of the last one ends by itself). */
  function roll(e: Entry, now: number): void {
    if (now < e.end) return;
    const budget = state.tiers[e.index].budget!;
    Object.assign(e, budgetPeriod(budget.per, now), { spent: 0 });
    e.unpriced.clear();
  }

  /** `live`: reached by a line this proxy wrote (recorded and notified), not found at start (already said before). */
  function check(e: Entry, now: number, live: boolean): void {
    const tier = state.tiers[e.index];
    const budget = tier.budget!;
    if (e.spent < budget.amount) return;
    const f = state.lastFailure[e.index];
    if (f?.reason === 'budget' && state.cooldownUntil[e.index] >= e.end) return; // already held for this period
    const message = `budget ${usd(budget.amount)} a ${budget.per} reached: ${usd(e.spent)} spent since ${new Date(e.start).toISOString()}`;
    // Not a failure: no failure counted, and no answer still under way ends the hold early (tier-state exhausted()).
    state.exhausted(e.index, { reason: 'budget', status: 0, at: now, until: e.end, message });
    log(`${tier.name}: ${message}: not used until ${new Date(e.end).toISOString()}`);
    if (live)
      opts.record?.({
        kind: 'budget',
        tier: tier.name,
        amount: budget.amount,
        per: budget.per,
        spent: e.spent,
        until: new Date(e.end).toISOString(),
      });
  }

  function count(e: Entry, cost: number | undefined, model: string): void {
    if (cost !== undefined) e.spent += cost;
    else if (!e.unpriced.has(model)) {
      e.unpriced.add(model);
      log(`warning: ${state.tiers[e.index].name}: model ${model} has no price, so its budget cannot count it: give the tier a price`);
    }
  }

  return {
    add(line) {
      const e = entries.get(line.tier);
      if (!e) return;
      const now = state.clock.now();
      roll(e, now);
      count(e, recordedCost(line) ?? usageCost(line, lookup(line.tier, line.model)), line.model);
      check(e, now, true);
    },
    async seed(ledgerPath, before) {
      if (entries.size === 0) return;
      const summary = (await sharedLedgerIndex(ledgerPath).refresh()).snapshot();
      const now = state.clock.now();
      for (const e of entries.values()) {
        roll(e, now);
        if (before <= e.start) continue;
        for (const [, usage] of await usageInWindow(ledgerPath, summary, { since: e.start, until: before - 1 })) {
          for (const [key, c] of Object.entries(usage)) {
            const { tier, model } = splitKey(key);
            if (tier !== state.tiers[e.index].name) continue;
            count(e, totalsOf(c, tier, model, lookup).cost_usd ?? undefined, model);
          }
        }
        check(e, now, false);
      }
    },
    snapshot() {
      const now = state.clock.now();
      return [...entries.entries()].map(([tier, e]) => {
        roll(e, now);
        const b = state.tiers[e.index].budget!;
        return {
          tier,
          amount: b.amount,
          per: b.per,
          spent: e.spent,
          period_start: new Date(e.start).toISOString(),
          period_end: new Date(e.end).toISOString(),
          reached: e.spent >= b.amount,
          unpriced: [...e.unpriced],
        };
      });
    },
  };
}
