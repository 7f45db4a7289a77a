// What a route is and what it gets: the proxy's parts, shared by every route of one running proxy.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config.ts';
import type { LedgerWriter } from '../git/ledger.ts';
import type { Notifier } from '../notify/index.ts';
import type { Switcher } from '../switcher.ts';
import type { EngineDeps } from '../engine/engine.ts';
import type { TierState } from '../engine/tier-state.ts';
import type { RateLimit } from './rate-limit.ts';
import type { LiveStatus } from '../status/live-status.ts';
import type { Run } from '../run/run.ts';
import type { EditRecorder } from '../git/edits.ts';
import type { SnapshotRecorder } from '../attribution/snapshots.ts';

export type ProxyContext = {
  config: Config;
  state: TierState;
  switcher: Switcher;
  ledger: LedgerWriter;
  notifier: Notifier;
  /** Everything the fallback engine needs (adapters, dispatcher, store, log…). */
  engine: EngineDeps;
  log: (line: string) => void;
  /** POST /webhook events this proxy accepts (webhook.ts). */
  webhookLimit: RateLimit;
  /** Claude's subscription limits, today's usage, the workdir check (the Run's live parts). */
  live: LiveStatus;
  /** The running proxy: its events and its one snapshot (GET /status). */
  run: Run;
  /** Which files each model wrote through Claude Code's file tools (ledger `edit` lines). */
  edits: EditRecorder;
  /** The work tree at each request boundary of a session (ledger `snapshot` lines, proxy/attribution/). */
  snapshots: SnapshotRecorder;
};

export type Route = {
  method: 'GET' | 'POST';
  /** The exact path, without the query. */
  path: string;
  handle(req: IncomingMessage, res: ServerResponse, ctx: ProxyContext): Promise<void> | void;
};

/** The route for every request no other route takes. */
export type FallbackRoute = Pick<Route, 'handle'>;
