// Claude's subscription limits as Anthropic reports them on its answers, kept as they arrive, for
// `claude-fallback status` and the status line.
//
// A subscription (Claude login) answer carries the unified rate-limit headers: for each window
// `anthropic-ratelimit-unified-<w>-utilization` (the spent fraction, 0..1) and `-reset` (Unix seconds), with
// w = 5h (five_hour) and 7d (seven_day); `anthropic-ratelimit-unified-status` (allowed | allowed_warning |
// rejected), `-reset` and `-representative-claim` (the window that decides). This is how Claude Code 2.1.197
// itself reads them (its bundled client, npm @anthropic-ai/claude-code); public reports of the same headers:
// https://github.com/anthropics/claude-code/issues/42108, https://github.com/anomalyco/opencode/issues/49653.
// Some 429s carry none of them (https://github.com/emaspa/trmnl-claude/issues/2), so the last values seen stay.
// API-key answers carry none: then nothing is known, and nothing is shown.

import { header, resetTimeMs } from '../headers.ts';

type Headers = Record<string, string | string[] | undefined>;

/** One window: the spent fraction, when it reopens, and its own status when Anthropic sends one. */
export type LimitWindow = { utilization: number; resets_at: string; status?: string };

export type UnifiedLimits = {
  status: string | null;
  five_hour: LimitWindow | null;
  seven_day: LimitWindow | null;
  representative_claim: string | null;
  /** When the whole limit resets, if the answer said. */
  resets_at: string | null;
  /** When these values arrived. */
  seen_at: string;
};

/** The largest spent fraction taken as a value (100 = 10,000 %): anything past it is a broken header. */
const MAX_UTILIZATION = 100;

const WINDOWS = [
  ['five_hour', '5h'],
  ['seven_day', '7d'],
] as const;

/** A reset header as an ISO time, through the one bounded reader: null when malformed, at most a week away. */
function resetIso(v: string | undefined, now: number): string | null {
  const t = resetTimeMs(v, now);
  return t === undefined ? null : new Date(t).toISOString();
}

/** The unified limits in one answer's headers, or null when it has none. */
export function parseUnifiedLimits(headers: Headers, now = Date.now()): UnifiedLimits | null {
  const out: UnifiedLimits = {
    status: null,
    five_hour: null,
    seven_day: null,
    representative_claim: null,
    resets_at: null,
    seen_at: new Date(now).toISOString(),
  };
  let any = false;
  for (const [key, abbrev] of WINDOWS) {
    const u = Number(header(headers, `anthropic-ratelimit-unified-${abbrev}-utilization`));
    const reset = resetIso(header(headers, `anthropic-ratelimit-unified-${abbrev}-reset`), now);
    // A fraction, a little over 1 at most; a negative or absurd one (`1e308`, which printed `Infinity%`) is no value.
    if (
      header(headers, `anthropic-ratelimit-unified-${abbrev}-utilization`) === undefined ||
      !Number.isFinite(u) ||
      u < 0 ||
      u > MAX_UTILIZATION ||
      reset === null
    )
      continue;
    const status = header(headers, `anthropic-ratelimit-unified-${abbrev}-status`);
    out[key] = { utilization: u, resets_at: reset, ...(status ? { status } : {}) };
    any = true;
  }
  const status = header(headers, 'anthropic-ratelimit-unified-status');
  const claim = header(headers, 'anthropic-ratelimit-unified-representative-claim');
  const reset = resetIso(header(headers, 'anthropic-ratelimit-unified-reset'), now);
  if (status) out.status = status;
  if (claim) out.representative_claim = claim;
  if (reset) out.resets_at = reset;
  return any || status || claim || reset ? out : null;
}

export type RateLimitRecorder = {
  /** Called with every answer's headers from an upstream (the one call site is the engine). */
  record(tier: string, headers: Headers): void;
  /** The last limits seen, by tier name. */
  snapshot(): Record<string, UnifiedLimits>;
  /** Called after a change, with the tier and its new limits (the Run emits it as a `limit` event). */
  onChange(listener: (tier: string, limits: UnifiedLimits) => void): void;
};

export function createRateLimitRecorder(): RateLimitRecorder {
  const last = new Map<string, UnifiedLimits>();
  const listeners: ((tier: string, limits: UnifiedLimits) => void)[] = [];
  const lastKey = new Map<string, string>();
  return {
    record(tier, headers) {
      // Cheap on the hot path: most answers (API keys, other vendors) have no unified header at all.
      if (
        header(headers, 'anthropic-ratelimit-unified-status') === undefined &&
        header(headers, 'anthropic-ratelimit-unified-5h-utilization') === undefined
      )
        return;
      const limits = parseUnifiedLimits(headers);
      if (!limits) return;
      last.set(tier, limits);
      const key = JSON.stringify({ ...limits, seen_at: undefined });
      if (lastKey.get(tier) === key) return;
      lastKey.set(tier, key);
      for (const l of listeners) l(tier, limits);
    },
    snapshot: () => Object.fromEntries(last),
    onChange: (l) => void listeners.push(l),
  };
}
