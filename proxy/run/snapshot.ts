// The one view of a running proxy, `RunSnapshot`: GET /status answers it, `claude-fallback status` prints it (and
// imports this type), the dashboard's "Now" shows its tiers and active run, and the status line is rendered from it.
// Pure: built from what the Run holds, at one `now` (the tier state's clock).

import type { Config } from '../config.ts';
import type { TierState } from '../engine/tier-state.ts';
import type { StartEvent, SwitchEvent } from '../git/ledger.ts';
import type { UnifiedLimits } from '../status/rate-limits.ts';
import type { TodayUsage } from '../status/usage-today.ts';
import type { WorkdirWarning } from '../status/workdir-check.ts';
import { renderStatusLine } from '../status/statusline-text.ts';
import type { BudgetStatus } from './budgets.ts';

export type TierSnapshot = {
  name: string;
  protocol: string;
  model: string | null;
  state: 'active' | 'ready' | 'cooling';
  /** Not cooling down: the next request may try it. */
  healthy: boolean;
  /** ISO time the cooldown ends, when cooling. */
  cooldown_until: string | null;
  last_failure: { reason: string; status: number; at: string } | null;
  requests: number;
  ok: number;
  failures: number;
  fallbacks: number;
};

/** Why the active tier answers: `start`, the switch's reason (`rate_limit`, `recovered`…), or `switching` while the line is written. */
export type Activation = { tier: string; since: string; reason: string; status: number | null; from: string | null };

export type RunSnapshot = {
  /** The tier answering now, and its index in `tiers`. */
  active: string;
  active_index: number;
  run_started_at: string;
  activation: Activation;
  tiers: TierSnapshot[];
  skipped: { name: string; reason: string }[];
  pid: number;
  started_at: string;
  repo: string;
  /** Claude's subscription limits by tier, as that tier's answers last reported them. */
  rate_limits: Record<string, UnifiedLimits>;
  /** `fallback.switch_before` as written (`97%`, `allowed_warning`), null when off. */
  switch_before: string | null;
  today: TodayUsage;
  /** Each budgeted tier's spend in its current UTC period. */
  budgets: BudgetStatus[];
  warnings: { kind: 'workdir'; dir: string; repo: string; message: string; at: string }[];
  /** Answers still being sent. */
  in_flight: number;
  statusline: string;
};

export type SnapshotInput = {
  config: Pick<Config, 'skipped'> & { fallback?: Pick<Config['fallback'], 'switchBefore'> };
  state: TierState;
  repo: string;
  pid: number;
  startedAt: number;
  /** The last line that made a tier active (this run's start or a switch), null before the start line. */
  activation: StartEvent | SwitchEvent | null;
  limits: Record<string, UnifiedLimits>;
  today: TodayUsage;
  budgets?: BudgetStatus[];
  warning: WorkdirWarning | null;
  inFlight: number;
  now: number;
};

export function runSnapshot(input: SnapshotInput): RunSnapshot {
  const { state, now } = input;
  const active = state.tiers[state.active].name;
  const a = input.activation;
  // The ledger line may lag the switch by an auto-commit: only a line naming the active tier explains it.
  const explains = a !== null && (a.kind === 'start' ? a.active === active : a.to === active);
  const w = input.warning;
  const snap: RunSnapshot = {
    active,
    active_index: state.active,
    run_started_at: state.runStartedAt,
    activation: {
      tier: active,
      since: state.runStartedAt,
      reason: explains ? (a.kind === 'start' ? 'start' : a.reason) : a === null && state.active === 0 ? 'start' : 'switching',
      status: explains && a.kind === 'switch' ? (a.status ?? null) : null,
      from: explains && a.kind === 'switch' ? a.from : null,
    },
    tiers: state.tiers.map((t, i) => {
      const cooling = !state.ready(i, now);
      const f = state.lastFailure[i];
      return {
        name: t.name,
        protocol: t.protocol,
        model: t.model ?? null,
        state: i === state.active ? 'active' : cooling ? 'cooling' : 'ready',
        healthy: !cooling,
        cooldown_until: cooling ? new Date(state.cooldownUntil[i]).toISOString() : null,
        last_failure: f ? { reason: f.reason, status: f.status, at: new Date(f.at).toISOString() } : null,
        ...state.counters[i],
      };
    }),
    skipped: input.config.skipped,
    pid: input.pid,
    started_at: new Date(input.startedAt).toISOString(),
    repo: input.repo,
    rate_limits: input.limits,
    switch_before: input.config.fallback?.switchBefore?.text ?? null,
    today: input.today,
    budgets: input.budgets ?? [],
    warnings: w ? [{ kind: 'workdir', dir: w.dir, repo: w.repo, message: w.message, at: w.at }] : [],
    in_flight: input.inFlight,
    statusline: '',
  };
  snap.statusline = renderStatusLine(snap, now);
  return snap;
}
