// What the running proxy knows beyond its tier state, in one place: Claude's subscription limits, today's
// usage by model, and whether Claude Code works in this repository. It adds them to GET /status and hands the
// rendered status line to `onLine` whenever it changes (the Run keeps it in the run file, proxy/run/run.ts), so
// `claude-fallback statusline` answers by reading one small file.
//
// Registration points (one line each): server.ts creates it and wraps the ledger writer with observeLedger,
// calls workdir.observe on each messages request, passes workdir.guard(autoCommit) to the switcher and
// spreads status() into GET /status; the engine calls rateLimits.record for each upstream answer.

import type { Config } from '../config.ts';
import type { LedgerWriter } from '../git/ledger.ts';
import type { TierState } from '../engine/tier-state.ts';
import { createRateLimitRecorder, type RateLimitRecorder } from './rate-limits.ts';
import { createUsageToday, type UsageToday } from './usage-today.ts';
import { createWorkdirCheck, type WorkdirCheck } from './workdir-check.ts';
import { renderStatusLine } from './statusline-text.ts';

export type LiveStatusOptions = {
  config: Pick<Config, 'tiers'>;
  state: TierState;
  repo: string;
  ledgerPath: string;
  log: (line: string) => void;
  /** Gets the status line each time it changes (debounced). */
  onLine?: (text: string) => void;
};

export type LiveStatus = {
  rateLimits: RateLimitRecorder;
  workdir: WorkdirCheck;
  usage: UsageToday;
  /** The writer, with every line it writes also counted here. */
  observeLedger(writer: LedgerWriter): LedgerWriter;
  /** The proxy listens: read today's earlier usage, give the first status line. */
  started(): Promise<void>;
  status(now?: number): Record<string, unknown>;
  line(now?: number): string;
  /** Redraw the status line file soon (debounced). */
  changed(): void;
  /** Stops the timers (the proxy stops). */
  close(): void;
};

export function createLiveStatus(opts: LiveStatusOptions): LiveStatus {
  const { state } = opts;
  const startedAt = Date.now();
  const rateLimits = createRateLimitRecorder();
  const usage = createUsageToday(opts.config);
  const workdir = createWorkdirCheck(opts.repo, opts.log);
  let ready = false;
  let written = '';
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  // Cooldowns end and days change without any event: look again now and then (cheap: one render).
  const tick = setInterval(() => changed(), 5000);
  tick.unref();

  const line = (now = Date.now()) =>
    renderStatusLine(
      {
        tiers: state.tiers,
        active: state.active,
        cooldownUntil: state.cooldownUntil,
        lastFailure: state.lastFailure,
        limits: rateLimits.snapshot(),
        today: usage.snapshot(now),
        warning: workdir.warning(),
      },
      now,
    );

  function write(): void {
    timer = null;
    if (!ready || closed) return;
    const text = line();
    if (text === written) return;
    written = text;
    opts.onLine?.(text);
  }

  function changed(): void {
    if (!timer && ready && !closed) timer = setTimeout(write, 50);
  }

  rateLimits.onChange(changed);
  workdir.onChange(changed);

  return {
    rateLimits,
    workdir,
    usage,
    observeLedger(writer) {
      return {
        ...writer,
        path: writer.path,
        async append(input) {
          const event = await writer.append(input);
          usage.add(event);
          changed();
          return event;
        },
      };
    },
    async started() {
      await usage.seed(opts.ledgerPath, startedAt);
      ready = true;
      write();
    },
    status(now = Date.now()) {
      const w = workdir.warning();
      return {
        pid: process.pid,
        started_at: new Date(startedAt).toISOString(),
        repo: opts.repo,
        rate_limits: rateLimits.snapshot(),
        today: usage.snapshot(now),
        warnings: w ? [{ kind: 'workdir', dir: w.dir, message: w.message, at: w.at }] : [],
        statusline: line(now),
      };
    },
    line,
    changed,
    close() {
      closed = true;
      clearInterval(tick);
      if (timer) clearTimeout(timer);
    },
  };
}
