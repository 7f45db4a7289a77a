// The one line Claude Code's status line shows (`claude-fallback statusline`): the tier really answering; when
// it is a fallback, why and when the primary is expected back; Claude's 5-hour and 7-day utilisation when
// Anthropic reported them; today's cost. Rendered by the proxy whenever something changes, so the status line
// command only prints a file. Times are the machine's local clock (`back ~14:05`), which stays true as the
// file ages, unlike "in 12m".

import type { TierFailure } from '../engine/tier-state.ts';
import type { UnifiedLimits } from './rate-limits.ts';
import type { TodayUsage } from './usage-today.ts';
import type { WorkdirWarning } from './workdir-check.ts';
import { UNPRICED } from '../money.ts';

export type LineInput = {
  tiers: readonly { name: string }[];
  active: number;
  cooldownUntil: readonly number[];
  lastFailure: readonly (TierFailure | null)[];
  limits: Record<string, UnifiedLimits>;
  today: TodayUsage;
  warning: WorkdirWarning | null;
};

const REASONS: Record<TierFailure['reason'], string> = {
  rate_limit: 'rate limit',
  overloaded: 'overloaded',
  server_error: 'server error',
  timeout: 'timeout',
  network: 'unreachable',
  billing: 'billing or quota',
  refused: 'refusing requests',
};

export function clock(t: number, now: number): string {
  const d = new Date(t);
  const hm = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  if (t - now < 20 * 3600_000) return hm;
  return `${d.toLocaleString('en-US', { month: 'short' })} ${d.getDate()} ${hm}`;
}

function why(f: TierFailure | null): string {
  if (!f) return 'switched';
  return f.status ? `${REASONS[f.reason]} ${f.status}` : REASONS[f.reason];
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

export function renderStatusLine(input: LineInput, now = Date.now()): string {
  const { tiers, active, cooldownUntil, lastFailure } = input;
  const parts: string[] = [];
  let head = tiers[active].name;
  if (active > 0) {
    // Why the primary is not answering, and when it is expected back.
    const primary = 0;
    const until = cooldownUntil[primary];
    const back = until > now ? `back ~${clock(until, now)}` : 'tried again on the next request';
    head += ` (fallback: ${tiers[primary].name} ${why(lastFailure[primary])}, ${back})`;
  } else if (cooldownUntil[active] > now) {
    // The primary answers while cooling down only when every tier is: say so.
    head += ` (every tier failed; ${tiers[active].name} back ~${clock(cooldownUntil[active], now)})`;
  }
  parts.push(head);
  for (const [tier, limits] of Object.entries(input.limits)) {
    const text = limitsText(limits, now);
    if (text) parts.push(tier === tiers[active].name ? text : `${tier} ${text}`);
  }
  parts.push(costText(input.today));
  if (input.warning) parts.push(`⚠ Claude Code works outside ${input.warning.repo}: no auto-commit`);
  return parts.join(' · ');
}
