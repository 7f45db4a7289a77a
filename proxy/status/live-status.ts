// What the running proxy knows beyond its tier state, in one place: Claude's subscription limits, today's
// usage by model, and whether Claude Code works in this repository. It adds them to GET /status and keeps the
// status line file (`<git dir>/fallback-statusline`: the proxy's pid, then the rendered line) up to date, so
// `claude-fallback statusline` answers by reading one small file.
//
// Registration points (one line each): server.ts creates it and wraps the ledger writer with observeLedger,
// calls workdir.observe on each messages request, passes workdir.guard(autoCommit) to the switcher and
// spreads status() into GET /status; the engine calls rateLimits.record for each upstream answer.

import { renameSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.ts';
import type { LedgerWriter } from '../git/ledger.ts';
import type { TierState } from '../engine/tier-state.ts';
import { git } from '../git/git.ts';
import { createRateLimitRecorder, type RateLimitRecorder } from './rate-limits.ts';
import { createUsageToday, type UsageToday } from './usage-today.ts';
import { createWorkdirCheck, type WorkdirCheck } from './workdir-check.ts';
import { renderStatusLine } from './statusline-text.ts';

export const STATUSLINE_FILE = 'fallback-statusline';

export type LiveStatusOptions = {
  config: Pick<Config, 'tiers'>;
  state: TierState;
  repo: string;
  ledgerPath: string;
  log: (line: string) => void;
};

export type LiveStatus = {
  rateLimits: RateLimitRecorder;
  workdir: WorkdirCheck;
  usage: UsageToday;
  /** The writer, with every line it writes also counted here. */
  observeLedger(writer: LedgerWriter): LedgerWriter;
  /** The proxy listens: read today's earlier usage, find the git dir, write the first status line. */
  started(): Promise<void>;
  status(now?: number): Record<string, unknown>;
  line(now?: number): string;
  /** Redraw the status line file soon (debounced). */
  changed(): void;
  /** Removes the status line file (the proxy stops). */
  close(): void;
};

export function createLiveStatus(opts: LiveStatusOptions): LiveStatus {
  const { state } = opts;
  const startedAt = Date.now();
  const rateLimits = createRateLimitRecorder();
  const usage = createUsageToday(opts.config);
  const workdir = createWorkdirCheck(opts.repo, opts.log);
  let file: string | null = null;
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
    if (!file || closed) return;
    const text = `${process.pid}\n${line()}\n`;
    if (text === written) return;
    try {
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, text);
      renameSync(tmp, file); // readers never see half a file
      written = text;
    } catch (err) {
      opts.log(`warning: cannot write the status line file ${file}: ${(err as Error).message}`);
      file = null;
    }
  }

  function changed(): void {
    if (!timer && file && !closed) timer = setTimeout(write, 50);
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
      try {
        const dir = (await git(opts.repo, ['rev-parse', '--absolute-git-dir'])).stdout.trim();
        file = join(dir, STATUSLINE_FILE);
      } catch (err) {
        opts.log(`warning: no status line file: ${(err as Error).message}`);
      }
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
      if (!file) return;
      try {
        // Only our own file: another proxy may have taken the repository over since.
        if (readFileSync(file, 'utf8').split('\n')[0] === String(process.pid)) rmSync(file, { force: true });
      } catch {
        // already gone
      }
    },
  };
}
