// The fallback decision as a pure function of one upstream failure: return it to the client, wait
// briefly and retry the same tier, or fall back and cool the tier down until it should work again; and
// for a lower tier's refusals, when they are enough in a row to cool it down too.

import type { SwitchReason } from '../git/ledger.ts';
import type { UpstreamError } from '../providers/provider.ts';
import { MAX_COOLDOWN_MS } from '../config.ts';

export type FailureReason = Exclude<SwitchReason, 'recovered' | 'manual' | 'external'>;

export type Decision =
  | { action: 'return' }
  | { action: 'retry'; waitMs: number }
  | { action: 'fallback'; reason: FailureReason; cooldownUntil: number; hinted: boolean };

export type PolicyOptions = {
  now: number;
  maxWaitMs: number;
  cooldownMs: number;
  /** The tier sent its own key (not the client's): an auth failure is the tier's problem, so skip it. */
  ownKey: boolean;
  /** The same tier was already retried once for this request. */
  retried: boolean;
};

/** A wait in ms within [0, MAX_COOLDOWN_MS]; a hint that is not a number is no hint. */
export function clampWait(ms: number | undefined): number | undefined {
  if (ms === undefined || Number.isNaN(ms)) return undefined;
  return Math.min(Math.max(0, ms), MAX_COOLDOWN_MS);
}

export function failureReason(err: UpstreamError): FailureReason | null {
  if (err.transport === 'timeout') return 'timeout';
  if (err.transport === 'network') return 'network';
  const s = err.status;
  if (s === 402 || err.type === 'billing_error') return 'billing';
  if (s === 429) return err.permanent ? 'billing' : 'rate_limit';
  if (s === 529 || err.type === 'overloaded_error') return 'overloaded';
  if (s >= 500) return 'server_error';
  if (s === 400 && err.permanent) return 'billing'; // Anthropic's spend-limit / credit-balance 400s
  if (s === 408) return 'timeout';
  return null;
}

export function decideFailure(err: UpstreamError, opts: PolicyOptions): Decision {
  let reason = failureReason(err);
  // A tier's own key refused (401/403, or Google's 400 API_KEY_INVALID, typed authentication_error): a key failure.
  if (
    reason === null &&
    opts.ownKey &&
    (err.status === 401 || err.status === 403 || err.type === 'authentication_error' || err.type === 'permission_error')
  )
    reason = 'server_error';
  if (reason === null) return { action: 'return' };

  const hintMs = clampWait(err.retryAfterMs ?? (err.resetAt !== undefined ? err.resetAt - opts.now : undefined));
  if (!err.permanent && hintMs !== undefined && hintMs <= opts.maxWaitMs && !opts.retried) {
    return { action: 'retry', waitMs: hintMs };
  }
  const wait = clampWait(err.permanent ? Math.max(hintMs ?? 0, opts.cooldownMs) : (hintMs ?? opts.cooldownMs))!;
  return { action: 'fallback', reason, cooldownUntil: opts.now + wait, hinted: hintMs !== undefined };
}

/**
 * A lower tier that refuses this many requests of one kind in a row (same status and error type) cools
 * down for `cooldown`, like a failing tier: the refusal is most likely the tier's (a translation or
 * capability it lacks), and each further request would cost a round trip before the next tier answers.
 */
export const REFUSAL_STREAK = 3;

/** What makes two refusals "the same kind": the status and the error type. */
export function refusalKind(err: Pick<UpstreamError, 'status' | 'type'>): string {
  return `${err.status} ${err.type}`;
}

/**
 * A lower tier's refusal (a 4xx decideFailure returns to the client), the `streak`-th of its kind in a
 * row: the next tier is tried, and from the REFUSAL_STREAK-th on the tier also cools down for `cooldown`.
 */
export function decideRefusal(streak: number, opts: Pick<PolicyOptions, 'now' | 'cooldownMs'>): Decision {
  if (streak < REFUSAL_STREAK) return { action: 'return' };
  return { action: 'fallback', reason: 'refused', cooldownUntil: opts.now + clampWait(opts.cooldownMs)!, hinted: false };
}
