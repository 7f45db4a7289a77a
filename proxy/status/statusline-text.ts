// The one line Claude Code's status line shows (`claude-fallback statusline`): the tier really answering; when
// it is a fallback, why and when the primary is expected back; Claude's 5-hour and 7-day utilisation when
// Anthropic reported them; today's cost. Rendered from the Run's snapshot (proxy/run/snapshot.ts) whenever
// something changes, so the status line command only prints a line of the run file. Today's cost names what each
// fallback tier cost today (`today $1.20 (gemini $0.40)`). Times are the machine's local clock (`back ~14:05`), which stays true as the
// file ages, unlike "in 12m".

import type { TierFailure } from '../engine/tier-state.ts';
import type { UnifiedLimits } from './rate-limits.ts';
import type { TodayUsage } from './usage-today.ts';
import { UNPRICED } from '../money.ts';

type Failure = { reason: string; status: number; at: string } | null;

/**
 * What the line shows: the fields of the Run's snapshot (RunSnapshot, proxy/run/snapshot.ts) it reads, named here
 * so that the snapshot may render its line without the two files importing each other.
 */
export type LineInput = {
  tiers: readonly { name: string; cooldown_until: string | null; last_failure: Failure }[];
  active_index: number;
  rate_limits: Record<string, UnifiedLimits>;
  /** `fallback.switch_before` (`97%`, `allowed_warning`), null or absent when off. */
  switch_before?: string | null;
  today: TodayUsage;
  warnings: readonly { kind: string; repo: string }[];
};

const REASONS: Record<TierFailure['reason'], string> = {
  rate_limit: 'rate limit',
  overloaded: 'overloaded',
  server_error: 'server error',
  timeout: 'timeout',
  network: 'unreachable',
  billing: 'billing or quota',
  refused: 'refusing requests',
  budget: 'budget reached',
  quota: 'at quota',
};

export function clock(t: number, now: number): string {
  const d = new Date(t);
  const hm = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  if (t - now < 20 * 3600_000) return hm;
  return `${d.toLocaleString('en-US', { month: 'short' })} ${d.getDate()} ${hm}`;
}

function why(f: Failure): string {
  if (!f) return 'switched';
  const reason = REASONS[f.reason as TierFailure['reason']] ?? f.reason;
  return f.status ? `${reason} ${f.status}` : reason;
}

function limitsText(limits: UnifiedLimits, now: number): string {
  const parts: string[] = [];
  for (const [label, w] of [
    ['5h', limits.five_hour],
    ['7d', limits.seven_day],
  ] as const) {
    if (w && Date.parse(w.resets_at) > now) parts.push(`${label} ${Math.floor(w.utilization * 100)}%`);
  }
  return parts.join(' ');
}

function costText(today: TodayUsage): string {
  const t = today.total;
  if (t.requests === 0) return 'today $0.00';
  if (t.cost_usd !== null) return `today $${t.cost_usd.toFixed(2)}`;
  // Some lines have no known price: show what is known, and say the rest is unpriced (never $0 for it).
  let known = 0;
  for (const m of today.by_model) if (m.cost_usd !== null) known += m.cost_usd;
  return known > 0 ? `today $${known.toFixed(2)} + ${UNPRICED}` : `today ${UNPRICED}`;
}

/** What the fallback tiers (all but the first) cost today, each that answered today: ` (gemini $0.40, ds unpriced)`. */
function fallbackText(today: TodayUsage, primary: string): string {
  const byTier = new Map<string, number | null>();
  for (const m of today.by_model) {
    if (m.tier === primary || m.requests === 0) continue;
    const sum = byTier.get(m.tier);
    byTier.set(m.tier, sum === null || m.cost_usd === null ? null : (sum ?? 0) + m.cost_usd);
  }
  const parts = [...byTier].map(([tier, cost]) => `${tier} ${cost === null ? UNPRICED : `$${cost.toFixed(2)}`}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/**
 * With `fallback.switch_before`, where the active tier's limits lead: ` → gemini at 97%` (the next tier not cooling
 * down), so the quota state shows before the switch. Empty when the key is off or no tier follows.
 */
function switchText(input: LineInput, now: number): string {
  const { tiers, active_index: active, switch_before: at } = input;
  if (!at) return '';
  const after = tiers.slice(active + 1);
  const next = after.find((t) => t.cooldown_until === null || Date.parse(t.cooldown_until) <= now) ?? after[0];
  if (!next) return '';
  return ` → ${next.name} at ${at === 'allowed_warning' ? 'warning' : at}`;
}

export function renderStatusLine(input: LineInput, now = Date.now()): string {
  const { tiers, active_index: active } = input;
  const until = (i: number) => (tiers[i].cooldown_until === null ? 0 : Date.parse(tiers[i].cooldown_until!));
  const parts: string[] = [];
  let head = tiers[active].name;
  if (active > 0) {
    // Why the primary is not answering, and when it is expected back.
    const primary = 0;
    const back = until(primary) > now ? `back ~${clock(until(primary), now)}` : 'tried again on the next request';
    head += ` (fallback: ${tiers[primary].name} ${why(tiers[primary].last_failure)}, ${back})`;
  } else if (until(active) > now) {
    // The primary answers while cooling down only when every tier is: say so.
    head += ` (every tier failed; ${tiers[active].name} back ~${clock(until(active), now)})`;
  }
  parts.push(head);
  for (const [tier, limits] of Object.entries(input.rate_limits)) {
    const text = limitsText(limits, now);
    if (text) parts.push(tier === tiers[active].name ? text + switchText(input, now) : `${tier} ${text}`);
  }
  parts.push(costText(input.today) + fallbackText(input.today, tiers[0].name));
  const w = input.warnings.find((x) => x.kind === 'workdir');
  if (w) parts.push(`⚠ Claude Code works outside ${w.repo}: no auto-commit`);
  return parts.join(' · ');
}
