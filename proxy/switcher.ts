// Moves the active tier, once per switch however many requests see it at the same time: commits the
// working tree for the run that ends, writes the `switch` line, then notifies in the background.

import type { Config } from './config.ts';
import type { LedgerWriter, SwitchEvent, SwitchReason, ExternalEvent } from './ledger.ts';
import type { TierState } from './tier-state.ts';
import type { SwitchCommitOptions, SwitchCommitResult } from './switch-commit.ts';
import { MAX_COOLDOWN_MS } from './engine/fallback-policy.ts';

/** The auto-commit at a switch (proxy/switch-commit.ts in the app; a parameter so tests can pass another). */
export type AutoCommit = (opts: SwitchCommitOptions) => Promise<SwitchCommitResult>;

export type Notifier = { notify(event: SwitchEvent | ExternalEvent): void; drain(): Promise<void> };

export type SwitcherDeps = {
  state: TierState;
  ledger: LedgerWriter;
  repo: string;
  git: Config['git'];
  autoCommit: AutoCommit;
  notifier: Notifier;
  log: (line: string) => void;
};

export type Switcher = {
  /** Resolves once `to` is the active tier and its switch is recorded (at once when it already is). */
  ensureActive(to: number, reason?: SwitchReason): Promise<void>;
  /** Resolves when no switch is in flight. */
  idle(): Promise<void>;
};

export function createSwitcher(deps: SwitcherDeps): Switcher {
  const { state } = deps;
  let inflight: { to: number; done: Promise<void> } | null = null;

  async function perform(from: number, to: number, reason: SwitchReason): Promise<void> {
    const fromName = state.tiers[from].name;
    const toName = state.tiers[to].name;
    let commit: string | null = null;
    let tag: string | null = null;
    if (deps.git.autoCommit) {
      try {
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
        if (r.warning) deps.log(`warning: ${r.warning}`);
      } catch (err) {
        deps.log(`warning: auto-commit before the switch to ${toName} failed: ${(err as Error).message}`);
      }
    }
    const failure = state.lastFailure[from];
    const until = state.cooldownUntil[from];
    const event: Omit<SwitchEvent, 'ts'> = { kind: 'switch', from: fromName, to: toName, reason };
    if (reason !== 'recovered' && failure) event.status = failure.status;
    // Clamped again where the time is written, so no cooldown end can make this line throw.
    if (reason !== 'recovered' && until > Date.now()) event.retry_at = new Date(Math.min(until, Date.now() + MAX_COOLDOWN_MS)).toISOString();
    if (deps.git.autoCommit) {
      event.commit = commit;
      event.tag = tag;
    }
    const written = (await deps.ledger.append(event)) as SwitchEvent;
    state.runStartedAt = written.ts;
    deps.log(`switch ${fromName} -> ${toName} (${reason})${commit ? ` auto-commit ${commit.slice(0, 10)}` : ''}`);
    deps.notifier.notify(written);
  }

  async function ensureActive(to: number, reason?: SwitchReason): Promise<void> {
    while (inflight && inflight.to !== to) await inflight.done;
    if (inflight) return inflight.done;
    if (state.active === to) return;
    const from = state.active;
    const why: SwitchReason = reason ?? (to < from ? 'recovered' : (state.lastFailure[from]?.reason ?? 'manual'));
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
