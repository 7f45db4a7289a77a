// Moves the active tier, once per switch however many requests see it at the same time: commits the
// working tree for the run that ends, writes the `switch` line (the Run emits it as an event: the notifier
// subscribes there, proxy/server/server.ts).
// A tier that fails again soon after the switch back to it is held off for longer each time (hysteresis),
// so an intermittent limit makes a few switches, not one per request. Time is the tier state's clock.

import type { Config } from './config.ts';
import type { LedgerInput, LedgerWriter, SwitchReason } from './git/ledger.ts';
import type { TierState } from './engine/tier-state.ts';
import type { SwitchCommitOptions, SwitchCommitResult } from './git/switch-commit.ts';
import { MAX_BUDGET_HOLD_MS } from './config.ts';

/** The auto-commit at a switch (proxy/git/switch-commit.ts in the app; a parameter so tests can pass another). */
export type AutoCommit = (opts: SwitchCommitOptions) => Promise<SwitchCommitResult>;

export type SwitcherDeps = {
  state: TierState;
  ledger: LedgerWriter;
  repo: string;
  git: Config['git'];
  autoCommit: AutoCommit;
  log: (line: string) => void;
};

/** How long the auto-commit waits for the edits queued before the switch to reach the ledger. */
export const EDITS_WAIT_MS = 3000;

/** A failure this soon after the switch back to a tier counts as a flap. */
export const FLAP_WINDOW_MS = 10 * 60_000;
/** The first flap holds the tier off this long at least; each further flap doubles it, up to FLAP_MAX_HOLD_MS. */
export const FLAP_HOLD_MS = 30_000;
export const FLAP_MAX_HOLD_MS = 15 * 60_000;

export type Switcher = {
  /** Resolves once `to` is the active tier and its switch is recorded (at once when it already is). */
  ensureActive(to: number, reason?: SwitchReason): Promise<void>;
  /** Resolves when no switch is in flight. */
  idle(): Promise<void>;
};

export function createSwitcher(deps: SwitcherDeps): Switcher {
  const { state } = deps;
  let inflight: { to: number; done: Promise<void> } | null = null;
  /** Per tier: when the proxy last switched back to it, and the hold its last flap got (0: none). */
  const recoveredAt: (number | undefined)[] = state.tiers.map(() => undefined);
  const holdMs: number[] = state.tiers.map(() => 0);

  /**
   * Called as `from` is left for a failure: when that is within FLAP_WINDOW_MS of the switch back to it, its
   * cooldown is made at least the (doubling) hold, whatever the failure hinted (a reset time in the past,
   * a retry-after of 1 s). The tier state keeps the cooldowns; this only ever lengthens one.
   */
  function holdOffFlapping(from: number, reason: SwitchReason, now: number): void {
    if (reason === 'recovered' || reason === 'external' || reason === 'manual') return;
    const back = recoveredAt[from];
    if (back === undefined || now - back >= FLAP_WINDOW_MS) {
      holdMs[from] = 0;
      return;
    }
    holdMs[from] = holdMs[from] === 0 ? FLAP_HOLD_MS : Math.min(holdMs[from] * 2, FLAP_MAX_HOLD_MS);
    state.holdOff(from, now + holdMs[from]);
  }

  async function perform(from: number, to: number, reason: SwitchReason): Promise<void> {
    const fromName = state.tiers[from].name;
    const toName = state.tiers[to].name;
    let commit: string | null = null;
    let tag: string | null = null;
    let skipped: string | undefined;
    if (deps.git.autoCommit) {
      try {
        // The auto-commit asks the ledger which files the models wrote: the edits of the request that hit the limit
        // (its tool results) are recorded first. Bounded: a stuck recording never holds the switch.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([deps.ledger.flushed(), new Promise<void>((done) => (timer = setTimeout(done, EDITS_WAIT_MS)))]).finally(() =>
          clearTimeout(timer),
        );
        const r = await deps.autoCommit({
          repo: deps.repo,
          from: fromName,
          to: toName,
          reason,
          tagPrefix: deps.git.tagPrefix,
          runStartedAt: state.runStartedAt,
        });
        commit = r.commit;
        tag = r.tag;
        if (r.warning) {
          deps.log(`warning: ${r.warning}`);
          skipped = r.warning;
        }
      } catch (err) {
        skipped = `auto-commit before the switch to ${toName} failed: ${(err as Error).message}`;
        deps.log(`warning: ${skipped}`);
      }
    }
    const failure = state.lastFailure[from];
    const until = state.cooldownUntil[from];
    const event: Extract<LedgerInput, { kind: 'switch' }> = { kind: 'switch', from: fromName, to: toName, reason };
    // A quota or budget switch follows a successful answer: there is no failing status to name.
    if (reason !== 'recovered' && reason !== 'quota' && reason !== 'budget' && failure) event.status = failure.status;
    // Clamped again where the time is written, so no cooldown end can make this line throw.
    if (reason !== 'recovered' && until > state.clock.now())
      event.retry_at = new Date(Math.min(until, state.clock.now() + MAX_BUDGET_HOLD_MS)).toISOString();
    if (deps.git.autoCommit) {
      event.commit = commit;
      event.tag = tag;
      if (skipped && commit === null) event.commit_skipped = skipped;
    }
    const written = await deps.ledger.append(event);
    state.runStartedAt = written.ts;
    deps.log(`switch ${fromName} -> ${toName} (${reason})${commit ? ` auto-commit ${commit.slice(0, 10)}` : ''}`);
  }

  async function ensureActive(to: number, reason?: SwitchReason): Promise<void> {
    while (inflight && inflight.to !== to) await inflight.done;
    if (inflight) return inflight.done;
    if (state.active === to) return;
    const from = state.active;
    const why: SwitchReason = reason ?? (to < from ? 'recovered' : (state.lastFailure[from]?.reason ?? 'manual'));
    const now = state.clock.now();
    holdOffFlapping(from, why, now);
    if (why === 'recovered') recoveredAt[to] = now;
    state.active = to; // new requests go straight to the new tier while the switch is recorded
    const done = perform(from, to, why).catch((err: Error) => deps.log(`warning: recording the switch failed: ${err.message}`));
    inflight = { to, done };
    await done;
    if (inflight?.done === done) inflight = null;
  }

  return {
    ensureActive,
    async idle() {
      while (inflight) await inflight.done;
    },
  };
}
