// Which tier answers now, which tiers cool down and until when, and the counters /status shows.
// The active tier is sticky; a higher tier is tried again once its cooldown is over.

import type { TierConfig } from './config.ts';
import { MAX_COOLDOWN_MS, type FailureReason } from './fallback-policy.ts';

export type TierFailure = { reason: FailureReason; status: number; at: number; until: number; message: string };

export type TierCounters = { requests: number; ok: number; failures: number; fallbacks: number };

export type TierState = {
  readonly tiers: readonly TierConfig[];
  active: number;
  /** When the active tier's run began (ISO), for the run tag of the auto-commit at the next switch. */
  runStartedAt: string;
  readonly cooldownUntil: number[];
  readonly lastFailure: (TierFailure | null)[];
  readonly counters: TierCounters[];
  /** Tier indexes to try for one request, in order. */
  plan(now: number): number[];
  cool(tier: number, failure: TierFailure): void;
  /** The tier answered: its cooldown (if any) is over. */
  healthy(tier: number): void;
};

export function createTierState(tiers: readonly TierConfig[], now = Date.now()): TierState {
  const cooldownUntil = tiers.map(() => 0);
  const lastFailure: (TierFailure | null)[] = tiers.map(() => null);
  const counters = tiers.map(() => ({ requests: 0, ok: 0, failures: 0, fallbacks: 0 }));
  return {
    tiers,
    active: 0,
    runStartedAt: new Date(now).toISOString(),
    cooldownUntil,
    lastFailure,
    counters,
    plan(at) {
      const ready = (i: number) => cooldownUntil[i] <= at;
      // Higher tiers whose cooldown ended (recovery), then the active tier, then the ones below it.
      const order = tiers.map((_, i) => i).filter(ready);
      const higher = order.filter((i) => i < this.active);
      const rest = order.filter((i) => i >= this.active);
      const plan = [...higher, ...rest];
      if (plan.length > 0) return plan;
      // Every tier is cooling down: rather than refuse, try the one expected back first.
      let soonest = 0;
      cooldownUntil.forEach((t, i) => {
        if (t < cooldownUntil[soonest]) soonest = i;
      });
      return [soonest];
    },
    cool(tier, failure) {
      // However the end was computed, a tier is back within 7 days and its end is a valid time.
      const until = Number.isNaN(failure.until) ? failure.at : Math.min(failure.until, failure.at + MAX_COOLDOWN_MS);
      cooldownUntil[tier] = until;
      lastFailure[tier] = { ...failure, until };
      counters[tier].failures++;
    },
    healthy(tier) {
      cooldownUntil[tier] = 0;
      counters[tier].ok++;
    },
  };
}
