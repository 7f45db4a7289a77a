// The proxy's HTTP server (docs/http.md): checks who is asking, hands each request to its route
// (routes/index.ts), turns what a route throws into Anthropic's error shape, and owns the lifecycle:
// listening with the ledger's `start` line, and a stop that lets in-flight answers finish first.

import { dirname } from 'node:path';
import { createServer, ServerResponse, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import type { Dispatcher } from 'undici';
import type { Config } from '../config.ts';
import type { Adapters } from '../providers/adapters.ts';
import { createConversationStore } from '../providers/provider.ts';
import type { LedgerWriter } from '../git/ledger.ts';
import type { Notifier } from '../notify/index.ts';
import { createSwitcher, type AutoCommit, type Switcher } from '../switcher.ts';
import type { TierState } from '../engine/tier-state.ts';
import type { Clock } from '../engine/clock.ts';
import type { EngineDeps } from '../engine/engine.ts';
import { createUpstreamDispatcher } from '../engine/upstream.ts';
import { createRouter } from '../routing/router.ts';
import { errorBody, ProxyError, sendError, toProxyError } from '../wire/errors.ts';
import { refuseBodyType, refuseReason } from './access.ts';
import { guardConnections } from './connections.ts';
import { pathOf } from './exchange.ts';
import type { ProxyContext } from './route.ts';
import { createRateLimit } from './rate-limit.ts';
import { WEBHOOK_EVENTS_PER_MINUTE } from './routes/webhook.ts';
import { FALLBACK_ROUTE, ROUTES } from './routes/index.ts';
import { createDashboard, type Dashboard } from '../dashboard/index.ts';
import type { LiveStatus } from '../status/live-status.ts';
import { createEditRecorder } from '../git/edits.ts';
import { createToolTiers } from '../attribution/tool-tiers.ts';
import { createSnapshotRecorder } from '../attribution/snapshots.ts';
import { createToolCallRecorder } from '../attribution/tool-calls.ts';
import { notesSettled, setNoteBarrier } from '../attribution/auto-commit-note.ts';
import { safeLog } from '../terminal-text.ts';
import { proxyUrl } from '../run/run-file.ts';
import type { Launch, RunHold } from '../run/run-hold.ts';
import { createRun, type Run } from '../run/run.ts';
import { keepModelIds } from '../git/assisted-by.ts';

export type ProxyOptions = {
  config: Config;
  /** The git work tree whose ledger this proxy writes and whose tree it commits at a switch. */
  repo: string;
  ledgerPath: string;
  adapters: Adapters;
  autoCommit: AutoCommit;
  notifier: Notifier;
  log?: (line: string) => void;
  verbose?: boolean;
  dispatcher?: Dispatcher;
  /** The time cooldowns are decided by (tests move it on instead of waiting). */
  clock?: Clock;
  /** Test seam for short retry-after waits. */
  sleep?: EngineDeps['sleep'];
  /** Test seam: the window check's token estimate (the engine asks it only for a tier that needs it). */
  estimate?: EngineDeps['estimate'];
  /** A socket already bound (`claude-fallback start` binds it before the proxy loads, and passes its fd): listen() takes it over. */
  handle?: NetServer | { fd: number };
  /** The repository's run file, held for this proxy (proxy/run/run-hold.ts). */
  run?: RunHold;
  launch?: Launch;
  /** Test seam: awaited before each queued edit recording (proxy/git/edits.ts), to show an answer never waits for it. */
  beforeEditRecord?: () => Promise<void>;
  /** Test seam: awaited before each work tree snapshot reads the tree (proxy/attribution/snapshots.ts). */
  beforeSnapshotTree?: () => Promise<void>;
  /** The most an answer's tool calls wait for their request's snapshot (TOOLS_HOLD_MS). */
  snapshotToolsHoldMs?: number;
};

export type Proxy = {
  server: Server;
  state: TierState;
  switcher: Switcher;
  ledger: LedgerWriter;
  live: LiveStatus;
  run: Run;
  /** Answers still being sent (what the grace period at close waits for). */
  inflight(): number;
  /** Answers whose tool calls went out before their request's work tree snapshot had read the tree (its bound ran out). */
  lateSnapshotHolds(): number;
  /** Listens and writes the `start` line; resolves with the port. */
  listen(): Promise<number>;
  /** Stops accepting, gives in-flight answers `graceMs`, writes the `stop` line. */
  close(graceMs?: number): Promise<void>;
};

export function createProxy(opts: ProxyOptions): Proxy {
  const open = new Set<ServerResponse>();
  let messages = 0; // answers to /v1/messages still being sent (the snapshot's in_flight)
  const ctx = createContext(opts, () => messages);
  const { config, state, log } = ctx;
  let port = config.proxy.port;
  let closing: Promise<void> | null = null;

  const { requestTimeoutMs } = config.proxy;
  const server = createServer(
    {
      // A request's headers and body must be complete within request_timeout of its start, its headers
      // within HEADERS_TIMEOUT_MS; the answer is not timed here (streams last minutes). Node checks open
      // requests every interval.
      requestTimeout: requestTimeoutMs,
      headersTimeout: Math.min(HEADERS_TIMEOUT_MS, requestTimeoutMs),
      connectionsCheckingInterval: Math.max(100, Math.min(1000, requestTimeoutMs / 4)),
      ServerResponse: ProxyResponse,
    },
    (req, res) => {
      open.add(res);
      res.on('close', () => open.delete(res));
      if (req.method === 'POST' && pathOf(req) === '/v1/messages') {
        messages++;
        res.once('close', () => messages--);
      }
      const route = async () => {
        // Only origin-form targets (`/…`): the path is all a client may choose of an upstream URL.
        if (!req.url?.startsWith('/'))
          throw new ProxyError(
            400,
            'invalid_request_error',
            `request target ${JSON.stringify((req.url ?? '').slice(0, 200))} is not a path`,
          );
        // `/` and `/_dashboard/*`: the dashboard applies its own page's rule (access.ts, refuseDashboardReason).
        if (dashboard.owns(req)) return dashboard.handle(req, res);
        const refused = refuseReason(req.headers, { host: config.proxy.host, port, token: config.proxy.token });
        if (refused) throw new ProxyError(403, 'permission_error', refused);
        const badType = refuseBodyType(req.method, req.headers);
        if (badType) throw new ProxyError(415, 'invalid_request_error', badType);
        const path = pathOf(req);
        await (ROUTES.find((r) => r.method === req.method && r.path === path) ?? FALLBACK_ROUTE).handle(req, res, ctx);
      };
      route().catch((err: unknown) => {
        const e = toProxyError(err);
        if (e.status >= 500) log(`error: ${req.method} ${pathOf(req)}: ${e.message}`);
        if (!req.complete) closeAfterAnswer(req, res);
        sendError(res, e);
      });
    },
  );
  server.keepAliveTimeout = 65_000;
  // Not server.maxConnections: it refuses the newcomer, which may be Claude Code (connections.ts).
  guardConnections(server, { max: config.proxy.maxConnections });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return requestTimedOut(socket, requestTimeoutMs);
    socket.destroy();
  });
  const dashboard = createDashboard({
    server,
    config,
    repo: opts.repo,
    ledgerPath: opts.ledgerPath,
    port: () => port,
    log,
    snapshot: ctx.run.snapshot,
    events: ctx.run.events,
  });

  return {
    server,
    state,
    switcher: ctx.switcher,
    ledger: ctx.ledger,
    live: ctx.live,
    run: ctx.run,
    inflight: () => open.size,
    lateSnapshotHolds: () => ctx.snapshots.lateToolHolds(),
    async listen() {
      port = await listen(server, config, opts.handle);
      const started = await ctx.ledger.append({
        kind: 'start',
        active: state.tiers[0].name,
        tiers: state.tiers.map((t) => t.name),
        pid: process.pid,
        port,
      });
      state.startRun(started.ts);
      opts.run?.listening({
        port,
        host: config.proxy.host,
        url: proxyUrl(config.proxy.host, port),
        worktree: opts.repo,
        started: started.ts,
        ...opts.launch,
      });
      void ctx.run.started();
      return port;
    },
    close(graceMs = 5000) {
      closing ??= shutdown(server, open, ctx, dashboard, graceMs).then(() => (opts.dispatcher ? undefined : ctx.engine.dispatcher.close()));
      return closing;
    },
  };
}

/** A request's headers must be complete this long after its first byte (and within request_timeout). */
export const HEADERS_TIMEOUT_MS = 10_000;

/** Status texts Node does not know, as the vendor sends them: Anthropic's 529 is "Overloaded" (what Claude Code prints: "API Error: 529 Overloaded"). */
const STATUS_TEXT: Record<number, string> = { 529: 'Overloaded' };

/** The server's responses, with the status texts above (Node would write "unknown"). */
class ProxyResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
  override writeHead(statusCode: number, ...rest: unknown[]): this {
    const text = STATUS_TEXT[statusCode];
    if (text !== undefined && typeof rest[0] !== 'string') return (super.writeHead as (...a: unknown[]) => this)(statusCode, text, ...rest);
    return (super.writeHead as (...a: unknown[]) => this)(statusCode, ...rest);
  }
}

/** A request refused before its body was read: the answer says `connection: close`, and the socket goes. */
function closeAfterAnswer(req: IncomingMessage, res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('connection', 'close');
  // Node may have let go of the socket by 'finish' (it closes on `connection: close` too), or already
  // have: keep it here, and there is nothing to do without one.
  const socket = req.socket as Socket | null;
  res.once('finish', () => socket?.destroySoon());
}

/** Node found a request not complete within request_timeout: 408 in Anthropic's shape when nothing was answered yet. */
function requestTimedOut(socket: Socket, ms: number): void {
  const pending = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
  if (socket.writable && !pending?.headersSent) {
    const body = JSON.stringify(
      errorBody(
        'timeout_error',
        `the request was not complete in time: headers within ${Math.min(HEADERS_TIMEOUT_MS, ms) / 1000} s, headers and body within ${ms / 1000} s of its start (proxy.request_timeout)`,
      ),
    );
    socket.end(
      `HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroySoon();
}

/**
 * The parts of one running proxy, shared by its routes: the one composition root (proxy/app.ts loads the config and
 * holds the run file; everything that runs is wired here). The Run owns the state, the ledger writer and the event
 * bus; the notifier subscribes to its switches and budget lines.
 */
function createContext(opts: ProxyOptions, inFlight: () => number): ProxyContext {
  const { config } = opts;
  const log = safeLog(opts.log ?? ((line: string) => process.stderr.write(line + '\n')));
  const run = createRun({ config, repo: opts.repo, ledgerPath: opts.ledgerPath, log, clock: opts.clock, hold: opts.run, inFlight });
  const { state, live } = run;
  run.events.on((e) => {
    if (e.type === 'switch') opts.notifier.notify(e.line);
    else if (e.type === 'ledger' && e.line.kind === 'budget') opts.notifier.notify(e.line);
  });
  // The model ids prepare-commit-msg stamps as Assisted-by trailers (git.assisted_by), kept beside the ledger.
  keepModelIds({ config, commonDir: dirname(opts.ledgerPath), events: run.events, log });
  // Edits are recorded after the request went on; "flushed" includes the ones queued so far.
  // Which tier wrote each tool call (the engine notes them as it relays), read by the edits and the snapshots.
  const toolTiers = createToolTiers();
  const active = () => {
    const tier = state.tiers[state.active];
    return { tier: tier.name };
  };
  const edits = createEditRecorder({ repo: opts.repo, ledger: run.ledger, log, beforeRecord: opts.beforeEditRecord, toolTiers });
  const snapshots = createSnapshotRecorder({
    repo: opts.repo,
    ledger: run.ledger,
    toolTiers,
    active,
    log,
    beforeTreeRead: opts.beforeSnapshotTree,
    toolsHoldMs: opts.snapshotToolsHoldMs,
  });
  const toolCalls = createToolCallRecorder({ repo: opts.repo, ledger: run.ledger, log });
  const ledger: LedgerWriter = {
    ...run.ledger,
    path: run.ledger.path,
    flushed: () => Promise.all([edits.settled(), snapshots.settled(), toolCalls.settled()]).then(() => run.ledger.flushed()),
  };
  // The auto-commit's note waits for the snapshots queued before it (proxy/attribution/auto-commit-note.ts).
  setNoteBarrier(opts.repo, () => ledger.flushed());
  // No auto-commit of this repository while Claude Code says it works in another one.
  const autoCommit = live.workdir.guard(opts.autoCommit);
  const switcher = createSwitcher({ state, ledger, repo: opts.repo, git: config.git, autoCommit, log });
  const engine: EngineDeps = {
    config,
    state,
    switcher,
    adapters: opts.adapters,
    dispatcher: opts.dispatcher ?? createUpstreamDispatcher(config.proxy.maxConnections),
    ledger,
    store: createConversationStore(),
    log,
    verbose: opts.verbose ?? false,
    sleep: opts.sleep,
    estimate: opts.estimate,
    rateLimits: live.rateLimits,
    toolTiers,
    onFileToolCall: (call) => toolCalls.record(call),
    router: createRouter({ rules: config.routes, state, ledger, log }),
  };
  return {
    config,
    state,
    switcher,
    ledger,
    notifier: opts.notifier,
    engine,
    log,
    live,
    run,
    edits,
    snapshots,
    webhookLimit: createRateLimit(WEBHOOK_EVENTS_PER_MINUTE, 60_000),
  };
}

function listen(server: Server, config: Config, handle?: NetServer | { fd: number }): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`port ${config.proxy.port} on ${config.proxy.host} is already in use (another proxy running? pick one with --port)`)
          : err,
      );
    };
    server.once('error', onError);
    const listening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    if (handle) server.listen(handle, listening);
    else server.listen(config.proxy.port, config.proxy.host, listening);
  });
}

/** Stops accepting; answers still streaming get `graceMs`; then the `stop` line, and the notifier drains. */
async function shutdown(
  server: Server,
  open: Set<ServerResponse>,
  ctx: ProxyContext,
  dashboard: Dashboard,
  graceMs: number,
): Promise<void> {
  dashboard.close();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => {
    for (const res of open) res.destroy();
    server.closeAllConnections();
  }, graceMs);
  await closed;
  clearTimeout(timer);
  await ctx.switcher.idle();
  await ctx.edits.settled();
  await ctx.snapshots.settled();
  await notesSettled();
  await ctx.ledger.append({ kind: 'stop', active: ctx.state.tiers[ctx.state.active].name });
  ctx.run.close(); // the run file goes
  await ctx.ledger.close();
  await ctx.notifier.drain();
}
