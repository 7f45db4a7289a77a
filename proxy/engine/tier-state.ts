// Which tier answers now, which tiers cool down and until when, and the counters /status shows. The
// active tier is sticky; a higher tier is tried again once its cooldown is over. Everything here changes
// only through these methods, and "now" comes from the state's clock.

import type { TierConfig } from '../config.ts';
import { MAX_BUDGET_HOLD_MS, MAX_COOLDOWN_MS } from '../config.ts';
import type { FailureReason } from './fallback-policy.ts';
import { systemClock, type Clock } from './clock.ts';

export type TierFailure = { reason: FailureReason; status: number; at: number; until: number; message: string };

export type TierCounters = { requests: number; ok: number; failures: number; fallbacks: number };

export type TierState = {
  readonly tiers: readonly TierConfig[];
  readonly clock: Clock;
  /** The tier answering now. (Assigning it is activate(); the switcher still assigns until it calls that.) */
  active: number;
  /** When the active tier's run began (ISO), for the run tag of the auto-commit at the next switch. */
  runStartedAt: string;
  readonly cooldownUntil: readonly number[];
  readonly lastFailure: readonly (TierFailure | null)[];
  readonly counters: readonly Readonly<TierCounters>[];
  /** Per tier, the refusals of one kind (fallback-policy refusalKind) in a row; count 0 when the last outcome was not one. */
  readonly refusals: readonly Readonly<{ kind: string; count: number }>[];
  /**
   * Tier indexes to try for one request, in order: of `over` (a routing rule's tiers, in its order; default every
   * tier in config order), those not cooling down, else all of them.
   */
  plan(now?: number, over?: readonly number[]): number[];
  /** A request is sent to the tier. */
  attempted(tier: number): void;
  /** The tier failed and the request falls back: it cools down until `failure.until`. */
  cool(tier: number, failure: TierFailure): void;
  /**
   * A lower tier refused the request (a 4xx) and the next tier is tried: a failure in the counters and
   * the last failure, one more in its run of refusals of `kind`, and a cooldown when `failure.until` is
   * later than `failure.at` (decideRefusal).
   */
  refused(tier: number, failure: TierFailure, kind: string): void;
  /** How many refusals of `kind` the tier gave in a row so far. */
  refusalStreak(tier: number, kind: string): number;
  /** The tier answered: its cooldown (if any) is over, unless `exhausted` set it and it has not run out. */
  healthy(tier: number): void;
  /**
   * The tier answered, but must not be used until `failure.until` (its own quota says so: `fallback.switch_before`;
   * or its spend reached its `budget`, proxy/run/budgets.ts).
   * It cools down without a failure counted, and no answer ends that cooldown early (another request's answer may
   * arrive later with older figures); only its end, lift() or a new failure (cool) does.
   */
  exhausted(tier: number, failure: TierFailure): void;
  /** New requests go to `tier` from now on. */
  activate(tier: number): void;
  /** The active tier's run began at `ts` (the ledger line that says so). */
  startRun(ts: string): void;
  /** Whether the tier may be tried now. */
  ready(tier: number, now?: number): boolean;
  /** Ends the tier's cooldown so the next request tries it (`claude-fallback retry`, a /webhook switch naming it). */
  lift(tier: number): void;
  /** Keeps the tier cooling at least until `until` (the switcher's hold-off for a tier that flaps). */
  holdOff(tier: number, until: number): void;
};

/** `onChange` is called after each change of a cooldown, a failure, a counter or the active tier (the Run's `tiers` event). */
export function createTierState(tiers: readonly TierConfig[], clock: Clock = systemClock, onChange: () => void = () => {}): TierState {
  const cooldownUntil = tiers.map(() => 0);
  const lastFailure: (TierFailure | null)[] = tiers.map(() => null);
  const counters = tiers.map(() => ({ requests: 0, ok: 0, failures: 0, fallbacks: 0 }));
  const refusals = tiers.map(() => ({ kind: '', count: 0 }));
  /** Per tier: its cooldown is exhausted()'s, which answers do not end. */
  const kept = tiers.map(() => false);
  let active = 0;
  let runStartedAt = new Date(clock.now()).toISOString();
  const activate = (tier: number) => {
    if (!Number.isInteger(tier) || tier < 0 || tier >= tiers.length) throw new RangeError(`no tier ${tier} (there are ${tiers.length})`);
    active = tier;
    onChange();
  };
  return {
    tiers,
    clock,
    get active() {
      return active;
    },
    set active(tier) {
      activate(tier);
    },
    get runStartedAt() {
      return runStartedAt;
    },
    set runStartedAt(ts) {
      runStartedAt = ts;
    },
    cooldownUntil,
    lastFailure,
    counters,
    plan: (now = clock.now(), over?: readonly number[]) => {
      // A tier held by its budget is not tried even when every tier cools down (the user's cap, not a failure).
      const held = (i: number) => lastFailure[i]?.reason === 'budget' && cooldownUntil[i] > now;
      return over ? planOver(over, cooldownUntil, now, held) : plan(cooldownUntil, now, held);
    },
    attempted(tier) {
      counters[tier].requests++;
      onChange();
    },
    refusals,
    cool(tier, failure) {
      const until = validUntil(failure);
      cooldownUntil[tier] = until;
      kept[tier] = false;
      lastFailure[tier] = { ...failure, until };
      counters[tier].failures++;
      counters[tier].fallbacks++;
      refusals[tier] = { kind: '', count: 0 }; // another kind of failure ends a run of refusals
      onChange();
    },
    refused(tier, failure, kind) {
      const until = validUntil(failure);
      if (until > failure.at) cooldownUntil[tier] = Math.max(cooldownUntil[tier], until);
      lastFailure[tier] = { ...failure, until };
      counters[tier].failures++;
      counters[tier].fallbacks++;
      // The run goes on through a cooldown: the first refusal of the same kind after it cools the tier again.
      refusals[tier] = { kind, count: refusals[tier].kind === kind ? refusals[tier].count + 1 : 1 };
      onChange();
    },
    refusalStreak: (tier, kind) => (refusals[tier].kind === kind ? refusals[tier].count : 0),
    healthy(tier) {
      if (!kept[tier] || cooldownUntil[tier] <= clock.now()) {
        cooldownUntil[tier] = 0;
        kept[tier] = false;
      }
      counters[tier].ok++;
      refusals[tier] = { kind: '', count: 0 };
      onChange();
    },
    exhausted(tier, failure) {
      const until = validUntil(failure);
      cooldownUntil[tier] = Math.max(cooldownUntil[tier], until);
      lastFailure[tier] = { ...failure, until };
      kept[tier] = true;
      onChange();
    },
    activate,
    startRun: (ts) => void (runStartedAt = ts),
    ready: (tier, now = clock.now()) => cooldownUntil[tier] <= now,
    lift(tier) {
      cooldownUntil[tier] = 0;
      kept[tier] = false;
      onChange();
    },
    holdOff(tier, until) {
      cooldownUntil[tier] = Math.max(cooldownUntil[tier], until);
      onChange();
    },
  };
}

/** However the end was computed, a tier is back within 7 days (a budget's period: a month) and its end is a valid time. */
function validUntil(failure: TierFailure): number {
  const max = failure.reason === 'budget' ? MAX_BUDGET_HOLD_MS : MAX_COOLDOWN_MS;
  return Number.isNaN(failure.until) ? failure.at : Math.min(failure.until, failure.at + max);
}

/** A routing rule's tiers not cooling down, in the rule's order; when all of them cool down, all of them but a budget's (as plan). */
function planOver(over: readonly number[], cooldownUntil: readonly number[], now: number, overBudget: (i: number) => boolean): number[] {
  const ready = over.filter((i) => cooldownUntil[i] <= now);
  return ready.length > 0 ? ready : over.filter((i) => !overBudget(i));
}

/**
 * The tiers not cooling down, in config order: higher tiers whose cooldown ended first (recovery), then
 * the active one, then those below it. (The active tier is sticky because the ones above it cool down.)
 */
function plan(cooldownUntil: readonly number[], now: number, overBudget: (i: number) => boolean): number[] {
  const ready = cooldownUntil.map((_, i) => i).filter((i) => cooldownUntil[i] <= now);
  if (ready.length > 0) return ready;
  // Every tier is cooling down: rather than refuse, try them all in order. Only the one expected back
  // first could be a tier that is down for an hour while another would answer now. A tier held by its budget is
  // not tried: the budget is the user's cap on spend, not a failure that may have passed.
  return cooldownUntil.map((_, i) => i).filter((i) => !overBudget(i));
}
