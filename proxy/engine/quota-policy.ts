// `fallback.switch_before` as a pure function of one successful answer's unified limits: whether the tier that
// sent it should be left before its Claude subscription window runs out, and until when (that window's reset).
//
// The headers (read by proxy/status/rate-limits.ts): `anthropic-ratelimit-unified-5h-utilization` / `-7d-utilization`
// (the spent fraction, 0..1), `-5h-reset` / `-7d-reset` (Unix seconds), `anthropic-ratelimit-unified-status`
// (`allowed`, `allowed_warning`, `rejected`) and `-representative-claim` (`five_hour`, `seven_day`): seen on real
// answers in https://github.com/anomalyco/opencode/pull/49499 (`5h-utilization = 0.42`, `status = allowed`),
// https://github.com/anthropics/claude-code/issues/12829 (`representative-claim: five_hour`) and
// https://github.com/anthropics/claude-code/issues/41185 (`allowed_warning` carries the utilization); Claude Code
// 2.1.197 reads the same names (its bundled client). Only these windows count: the API-key buckets
// (`anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-*`) refill within a minute, so they are never a
// reason to leave for hours (a 429 from them is waited out or cools the tier as any 429, fallback-policy.ts).

import type { SwitchBefore } from '../config.ts';
import type { LimitWindow, UnifiedLimits } from '../status/rate-limits.ts';

export type QuotaCrossing = {
  /** The window that is spent (the later reset when both are). */
  window: '5h' | '7d';
  /** Its spent fraction, when the answer said. */
  utilization: number | null;
  /** When it resets (ms): the tier is left until then. */
  until: number;
  /** For the log, /status and the ledger's reader: what was crossed. */
  message: string;
};

const WINDOWS = [
  ['5h', 'five_hour'],
  ['7d', 'seven_day'],
] as const;

const pct = (u: number) => `${Math.floor(u * 1000) / 10}%`;

/**
 * The window crossed by `limits` (one successful answer's), or null: none crossed, the rule is off, or the window's
 * reset is missing, malformed or not in the future (a tier is never left for an unknown time on a header's word).
 */
export function quotaCrossing(limits: UnifiedLimits | null, rule: SwitchBefore | undefined, now: number): QuotaCrossing | null {
  if (!limits || !rule) return null;
  const crossed: { window: '5h' | '7d'; w: LimitWindow; until: number }[] = [];
  for (const [label, key] of WINDOWS) {
    const w = limits[key];
    if (!w) continue;
    const until = Date.parse(w.resets_at);
    if (!(until > now)) continue;
    const over =
      'utilization' in rule
        ? w.utilization >= rule.utilization
        : // Anthropic's own verdict: the window's status, else the overall one for the window that decides.
          isWarning(w.status) || (isWarning(limits.status) && claimOf(limits) === key);
    if (over) crossed.push({ window: label, w, until });
  }
  if (crossed.length === 0) return null;
  // Both spent: back only when both have reset, else the next answer would send it away again at once.
  const c = crossed.reduce((a, b) => (b.until > a.until ? b : a));
  const why =
    'utilization' in rule
      ? `at ${pct(c.w.utilization)}, switch_before ${rule.text}`
      : `at ${pct(c.w.utilization)}, status ${isWarning(c.w.status) ? c.w.status : limits.status}`;
  return { window: c.window, utilization: c.w.utilization, until: c.until, message: `Claude's ${c.window} window ${why}` };
}

/** `allowed_warning` (near the limit) or `rejected` (spent: a 2xx with it still means the window is gone). */
function isWarning(status: string | null | undefined): boolean {
  return status === 'allowed_warning' || status === 'rejected';
}

/** The window the overall status is about: the representative claim; without one, the fuller window. */
function claimOf(limits: UnifiedLimits): 'five_hour' | 'seven_day' | null {
  if (limits.representative_claim === 'five_hour' || limits.representative_claim === 'seven_day') return limits.representative_claim;
  const a = limits.five_hour?.utilization ?? -1;
  const b = limits.seven_day?.utilization ?? -1;
  if (a < 0 && b < 0) return null;
  return a >= b ? 'five_hour' : 'seven_day';
}
