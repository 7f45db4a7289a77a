// The "Now" part of the dashboard: which tier answers, since when and why, each tier's state with its cooldown
// end and budget, the skipped tiers, Claude's subscription limits and the requests in flight. A view of the Run's one
// snapshot (proxy/run/snapshot.ts), never of the ledger read back from disk.

import type { Activation, RunSnapshot, TierSnapshot } from '../run/snapshot.ts';
import type { UnifiedLimits } from '../status/rate-limits.ts';
import type { BudgetStatus } from '../run/budgets.ts';

/** Claude's subscription limits as one tier's answers last reported them (proxy/status/rate-limits.ts). */
export type SubscriptionLimits = UnifiedLimits & { tier: string; at: string };

export type TierView = TierSnapshot;

export type NowView = {
  active: Activation;
  tiers: TierView[];
  skipped: { name: string; reason: string }[];
  limits: SubscriptionLimits[];
  in_flight: number;
  repo: string;
  /** Each budgeted tier's spend in its UTC period (proxy/run/budgets.ts). */
  budgets?: BudgetStatus[];
};

export function nowView(s: RunSnapshot): NowView {
  return {
    active: s.activation,
    tiers: s.tiers,
    skipped: s.skipped,
    limits: s.tiers.flatMap((t) => {
      const l = s.rate_limits[t.name];
      return l ? [{ ...l, tier: t.name, at: l.seen_at }] : [];
    }),
    in_flight: s.in_flight,
    repo: s.repo,
    budgets: s.budgets ?? [],
  };
}

/** When the view changes without an event: the earliest cooldown end after `now` (ms), or null. */
export function nextChange(view: NowView, now: number): number | null {
  let next: number | null = null;
  for (const t of view.tiers) {
    const at = t.cooldown_until === null ? NaN : Date.parse(t.cooldown_until);
    if (at > now && (next === null || at < next)) next = at;
  }
  return next;
}
