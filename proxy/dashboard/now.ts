// The "Now" part of the dashboard, from the running proxy's memory: which tier answers, since when and
// why, each tier's state with its cooldown end, the skipped tiers, Claude's subscription limits and the
// requests in flight. Pure: the caller passes the last start/switch line of the ledger.

import type { Config } from '../config.ts';
import type { LedgerEvent, StartEvent, SwitchEvent } from '../git/ledger.ts';
import type { TierState } from '../engine/tier-state.ts';
import type { UnifiedLimits } from '../status/rate-limits.ts';

/** Claude's subscription limits as one tier's answers last reported them (proxy/status/rate-limits.ts). */
export type SubscriptionLimits = UnifiedLimits & { tier: string; at: string };

export type TierView = {
  name: string;
  protocol: string;
  model: string | null;
  state: 'active' | 'ready' | 'cooling';
  /** ISO time the cooldown ends, when cooling. */
  cooldown_until: string | null;
  last_failure: { reason: string; status: number; at: string } | null;
  requests: number;
  ok: number;
  failures: number;
  fallbacks: number;
};

export type NowView = {
  active: {
    tier: string;
    since: string;
    /** `start`, the reason of the switch that made it active (`rate_limit`, `recovered`…), or `switching` while it is recorded. */
    reason: string;
    status: number | null;
    /** The tier switched away from, when the active tier came by a switch. */
    from: string | null;
  };
  tiers: TierView[];
  skipped: { name: string; reason: string }[];
  limits: SubscriptionLimits[];
  in_flight: number;
  repo: string;
};

/** The last line that made a tier active (start or switch), if the ledger holds one. */
export function lastActivation(events: readonly LedgerEvent[]): StartEvent | SwitchEvent | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.kind === 'start' || e.kind === 'switch') return e;
  }
  return null;
}

export function nowView(input: {
  config: Config;
  state: TierState;
  repo: string;
  inFlight: number;
  activation: StartEvent | SwitchEvent | null;
  /** The latest subscription limits by tier name. */
  limits: Record<string, UnifiedLimits>;
  now?: number;
}): NowView {
  const { state } = input;
  const now = input.now ?? state.clock.now(); // the tier state's clock, which decided the cooldowns
  const active = state.tiers[state.active].name;
  const a = input.activation;
  // The ledger line may lag the switch by an auto-commit: only a line naming the active tier explains it.
  const explains = a !== null && (a.kind === 'start' ? a.active === active : a.to === active);
  return {
    active: {
      tier: active,
      since: state.runStartedAt,
      reason: explains ? (a.kind === 'start' ? 'start' : a.reason) : a === null && state.active === 0 ? 'start' : 'switching',
      status: explains && a.kind === 'switch' ? (a.status ?? null) : null,
      from: explains && a.kind === 'switch' ? a.from : null,
    },
    tiers: state.tiers.map((t, i) => {
      const cooling = state.cooldownUntil[i] > now;
      const f = state.lastFailure[i];
      return {
        name: t.name,
        protocol: t.protocol,
        model: t.model ?? null,
        state: i === state.active ? 'active' : cooling ? 'cooling' : 'ready',
        cooldown_until: cooling ? new Date(state.cooldownUntil[i]).toISOString() : null,
        last_failure: f ? { reason: f.reason, status: f.status, at: new Date(f.at).toISOString() } : null,
        ...state.counters[i],
      };
    }),
    skipped: input.config.skipped,
    limits: state.tiers.flatMap((t) => {
      const l = input.limits[t.name];
      return l ? [{ ...l, tier: t.name, at: l.seen_at }] : [];
    }),
    in_flight: input.inFlight,
    repo: input.repo,
  };
}
