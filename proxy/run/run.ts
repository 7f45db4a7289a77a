// The Run: one running proxy's state and what happened in it, in one object. It owns the tier state, the ledger
// writer (each line written is also an event), the typed event bus (proxy/run/events.ts), the live parts (limits,
// today's usage, the workdir check) and the one snapshot (proxy/run/snapshot.ts); it keeps the status line in the
// run file (proxy/run/run-hold.ts) from its own events. Subscribers: today's usage, the status line, the notifier
// (composition in proxy/server/server.ts), the dashboard's event stream; GET /status reads `snapshot()`.

import type { Config } from '../config.ts';
import type { Clock } from '../engine/clock.ts';
import { createTierState, type TierState } from '../engine/tier-state.ts';
import {
  createLedgerWriter,
  type LedgerWriter,
  type StartEvent,
  type SwitchEvent,
  type UsageEvent,
  type EventOf,
  type LedgerInput,
} from '../git/ledger.ts';
import { stampOf } from '../git/run-tag.ts';
import { createLiveStatus, type LiveStatus } from '../status/live-status.ts';
import { createRunEvents, type RunEvents } from './events.ts';
import type { RunHold } from './run-hold.ts';
import { runSnapshot, type RunSnapshot } from './snapshot.ts';
import { createBudgets, type Budgets } from './budgets.ts';
import { pricesFor } from '../prices.ts';

export type RunOptions = {
  config: Config;
  repo: string;
  ledgerPath: string;
  log: (line: string) => void;
  clock?: Clock;
  /** The repository's run file, held for this proxy (absent: nothing is written). */
  hold?: RunHold;
  /** Answers to /v1/messages still being sent (the server counts them). */
  inFlight: () => number;
};

export type Run = {
  readonly events: RunEvents;
  readonly state: TierState;
  /** The ledger writer: every line it writes is emitted as an event once written. */
  readonly ledger: LedgerWriter;
  readonly live: LiveStatus;
  /** The tiers' spend budgets (proxy/run/budgets.ts). */
  readonly budgets: Budgets;
  readonly hold: RunHold | null;
  snapshot(): RunSnapshot;
  /** The proxy listens: today's earlier usage is read, and the status line goes into the run file from now on. */
  started(): Promise<void>;
  /** The proxy stops: timers end, and the run file goes. */
  close(): void;
};

/** How often the status line is looked at without an event: cooldowns end and days change on their own. */
const TICK_MS = 5000;

export function createRun(opts: RunOptions): Run {
  const { config, log } = opts;
  const startedAt = Date.now();
  const events = createRunEvents(log);
  const state = createTierState(config.tiers, opts.clock, () => events.emit({ type: 'tiers' }));
  const live = createLiveStatus({ config, repo: opts.repo, log });
  const writer = createLedgerWriter(opts.ledgerPath);
  const ledger: LedgerWriter = {
    path: writer.path,
    flushed: () => writer.flushed(),
    close: () => writer.close(),
    async append<I extends LedgerInput>(input: I): Promise<EventOf<I['kind']>> {
      if (input.kind === 'usage') {
        // A usage line is a fact once the answer has ended, written or not: it counts now (today's spend, a tier's
        // budget), before the write, so the request a client sends the moment an answer ends already finds a spent
        // budget's tier resting (docs/config.md, "Budgets"). Queued first, so a `budget` line it causes comes after it.
        const line = { ts: new Date().toISOString(), ...input } as UsageEvent;
        const written = writer.append(line);
        events.emit(events.fromLine(line));
        return (await written) as EventOf<I['kind']>;
      }
      const line = await writer.append(input);
      events.emit(events.fromLine(line));
      return line;
    },
  };
  const budgets = createBudgets({
    state,
    lookup: pricesFor(config),
    log,
    record: (line) => void ledger.append(line).catch((err: Error) => log(`warning: ledger write failed: ${err.message}`)),
  });
  let activation: StartEvent | SwitchEvent | null = null;
  let startLine: StartEvent | null = null;
  let ready = false;
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  let tick: NodeJS.Timeout | null = null;

  events.on((e) => {
    if (e.type === 'usage') {
      live.usage.add(e.line);
      budgets.add(e.line);
    }
    if (e.type === 'switch' || (e.type === 'ledger' && e.line.kind === 'start')) {
      activation = e.line as StartEvent | SwitchEvent;
      if (activation.kind === 'start') startLine = activation;
      holdActiveRun();
    }
    changed();
  });
  live.rateLimits.onChange((tier, limits) => events.emit({ type: 'limit', tier, limits }));
  live.workdir.onChange(() => events.emit({ type: 'tiers' }));

  const snapshot = () =>
    runSnapshot({
      config,
      state,
      repo: opts.repo,
      pid: process.pid,
      startedAt,
      activation,
      limits: live.rateLimits.snapshot(),
      today: live.usage.snapshot(state.clock.now()),
      budgets: budgets.snapshot(),
      warning: live.workdir.warning(),
      inFlight: opts.inFlight(),
      now: state.clock.now(),
    });

  /** The run file's line 4 for the hooks, at once (not debounced): a commit right after a switch stamps the new tier. */
  function holdActiveRun(): void {
    if (!opts.hold || !activation || !startLine || closed) return;
    const tier = activation.kind === 'start' ? activation.active : activation.to;
    const t = Date.parse(activation.ts);
    if (Number.isNaN(t)) return;
    opts.hold.activeRun({ tier, stamp: stampOf(t), first: startLine.tiers[0] ?? '-', port: startLine.port });
  }

  function writeLine(): void {
    timer = null;
    if (ready && !closed) opts.hold?.statusline(snapshot().statusline);
  }
  /** Redraw the status line soon (debounced: a burst of events is one write). */
  function changed(): void {
    if (!timer && ready && !closed && opts.hold) timer = setTimeout(writeLine, 50);
  }

  return {
    events,
    state,
    ledger,
    live,
    budgets,
    hold: opts.hold ?? null,
    snapshot,
    async started() {
      await live.usage.seed(opts.ledgerPath, startedAt);
      await budgets
        .seed(opts.ledgerPath, startedAt)
        .catch((err: Error) => log(`warning: reading the budgets' spend failed: ${err.message}`));
      ready = true;
      writeLine();
      tick = setInterval(changed, TICK_MS);
      tick.unref();
    },
    close() {
      closed = true;
      if (tick) clearInterval(tick);
      if (timer) clearTimeout(timer);
      opts.hold?.release();
    },
  };
}
