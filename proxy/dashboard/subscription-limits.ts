// Claude's subscription limits as Anthropic reports them on each answer: the `anthropic-ratelimit-unified-*`
// response headers of a subscription (OAuth) login. Recorded per proxy (keyed by its TierState) and per tier,
// the latest answer winning; the dashboard and `status` read them back.
//
// The headers are not in Anthropic's public rate-limit reference; their names and meaning come from
// public reports of real traffic:
//   https://github.com/anomalyco/opencode/pull/49499 (5h/7d `-utilization` is a spent fraction 0..1, `-status`)
//   https://github.com/lidge-jun/opencodex/pull/3809 (`-reset` is the Unix time, in seconds, a window reopens)
//   https://github.com/anthropics/claude-code/issues/12829 (`-representative-claim`: which window is binding)
//   https://github.com/HermannBjorgvin/Clawdmeter/issues/42 (names change: overage-*, fallback-percentage)
// So every `anthropic-ratelimit-unified-*` header is kept as it came (none carries a secret), and the
// 5-hour and 7-day windows are parsed when present.

import type { IncomingHttpHeaders } from 'node:http';
import type { TierState } from '../engine/tier-state.ts';

const PREFIX = 'anthropic-ratelimit-unified-';

export type LimitWindow = {
  /** Spent fraction of the window, 0..1 (null when the header is missing or not a number). */
  utilization: number | null;
  /** When the window reopens, ISO 8601. */
  resets_at: string | null;
  status: string | null;
};

export type SubscriptionLimits = {
  tier: string;
  /** When the answer that carried them arrived. */
  at: string;
  /** `allowed`, `allowed_warning`, `rejected`… as Anthropic sent it. */
  status: string | null;
  resets_at: string | null;
  /** `five_hour`, `seven_day`…: the window that decides. */
  representative_claim: string | null;
  five_hour: LimitWindow | null;
  seven_day: LimitWindow | null;
  /** Every unified header as it came, name without the prefix. */
  raw: Record<string, string>;
};

const byProxy = new WeakMap<TierState, Map<string, SubscriptionLimits>>();

function resetTime(v: string | undefined): string | null {
  if (v === undefined || v === '') return null;
  const t = /^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v);
  return Number.isFinite(t) ? new Date(t).toISOString() : null;
}

function fraction(v: string | undefined): number | null {
  if (v === undefined || v.trim() === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

function window(raw: Record<string, string>, name: string): LimitWindow | null {
  const keys = ['utilization', 'reset', 'status'].map((k) => `${name}-${k}`);
  if (!keys.some((k) => k in raw)) return null;
  return { utilization: fraction(raw[`${name}-utilization`]), resets_at: resetTime(raw[`${name}-reset`]), status: raw[`${name}-status`] ?? null };
}

/** Parses the unified headers of one answer; null when it carried none (API-key logins, other vendors). */
export function parseSubscriptionLimits(tier: string, headers: IncomingHttpHeaders, now = Date.now()): SubscriptionLimits | null {
  const raw: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined || !key.toLowerCase().startsWith(PREFIX)) continue;
    raw[key.toLowerCase().slice(PREFIX.length)] = Array.isArray(value) ? value.join(', ') : value;
  }
  if (Object.keys(raw).length === 0) return null;
  return {
    tier,
    at: new Date(now).toISOString(),
    status: raw.status ?? null,
    resets_at: resetTime(raw.reset),
    representative_claim: raw['representative-claim'] ?? null,
    five_hour: window(raw, '5h'),
    seven_day: window(raw, '7d'),
    raw,
  };
}

/** Called by the messages path with each anthropic-protocol answer's headers (any status). */
export function recordSubscriptionLimits(state: TierState, tier: number, headers: IncomingHttpHeaders): void {
  const name = state.tiers[tier]?.name;
  if (name === undefined) return;
  const limits = parseSubscriptionLimits(name, headers);
  if (!limits) return;
  let perTier = byProxy.get(state);
  if (!perTier) byProxy.set(state, (perTier = new Map()));
  perTier.set(name, limits);
}

/** The latest limits per tier that reported any, in tier order. */
export function subscriptionLimits(state: TierState): SubscriptionLimits[] {
  const perTier = byProxy.get(state);
  if (!perTier) return [];
  return state.tiers.flatMap((t) => perTier.get(t.name) ?? []);
}
