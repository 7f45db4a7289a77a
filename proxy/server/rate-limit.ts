// A sliding-window limit: at most `max` events in any `windowMs`. Used for POST /webhook, whose every
// accepted event writes a ledger line, notifies, and may switch (an auto-commit).

export type RateLimit = {
  /** Takes one event now, or says how many ms until one may be taken (nothing is taken then). */
  take(now: number): { ok: true } | { ok: false; retryAfterMs: number };
};

export function createRateLimit(max: number, windowMs: number): RateLimit {
  const taken: number[] = [];
  return {
    take(now) {
      while (taken.length > 0 && taken[0] <= now - windowMs) taken.shift();
      if (taken.length >= max) return { ok: false, retryAfterMs: taken[0] + windowMs - now };
      taken.push(now);
      return { ok: true };
    },
  };
}
