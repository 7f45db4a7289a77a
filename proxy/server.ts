// The proxy's HTTP surface (DESIGN.md "Proxy HTTP surface"): routes, body limits, access checks,
// and the start/stop lines of the ledger. Everything a route needs arrives through createProxy().

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Dispatcher } from 'undici';
import type { Config } from './config.ts';
import type { MessagesRequest } from './anthropic/types.ts';
import type { ProviderAdapter } from './protocol.ts';
import { createConversationStore } from './protocol.ts';
import { createLedgerWriter, type LedgerWriter } from './git/ledger.ts';
import { createEditRecorder } from './git/edits.ts';
import { createTierState, type TierState } from './tier-state.ts';
import { createSwitcher, type AutoCommit, type Notifier, type Switcher } from './switcher.ts';
import { handleMessages, type EngineDeps, type MessagesCall } from './engine.ts';
import { ProxyError, sendError, toProxyError } from './errors.ts';
import { callUpstream, createUpstreamDispatcher, responseHeaders } from './upstream.ts';
import { anthropicUpstreamHeaders, anthropicUpstreamUrl } from './anthropic/anthropic-upstream.ts';
import { estimateInputTokens } from './count-tokens.ts';
import { upstreamModel } from './model-map.ts';
import { prepareForAnthropic } from './anthropic/prepare-for-anthropic.ts';
import { refuseReason } from './access.ts';

export type ProxyOptions = {
  config: Config;
  /** The git work tree whose ledger this proxy writes and whose tree it commits at a switch. */
  repo: string;
  ledgerPath: string;
  adapters: Partial<Record<'openai' | 'gemini', ProviderAdapter>>;
  autoCommit: AutoCommit;
  notifier: Notifier;
  log?: (line: string) => void;
  verbose?: boolean;
  dispatcher?: Dispatcher;
  /** Test seam for short retry-after waits. */
  sleep?: EngineDeps['sleep'];
};

export type Proxy = {
  server: Server;
  state: TierState;
  switcher: Switcher;
  ledger: LedgerWriter;
  /** Listens and writes the `start` line; resolves with the port. */
  listen(): Promise<number>;
  /** Stops accepting, gives in-flight answers `graceMs`, writes the `stop` line. */
  close(graceMs?: number): Promise<void>;
};

export function createProxy(opts: ProxyOptions): Proxy {
  const { config } = opts;
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const state = createTierState(config.tiers);
  const ledger = createLedgerWriter(opts.ledgerPath);
  const dispatcher = opts.dispatcher ?? createUpstreamDispatcher();
  const switcher = createSwitcher({ state, ledger, repo: opts.repo, git: config.git, autoCommit: opts.autoCommit, notifier: opts.notifier, log });
  const edits = createEditRecorder({ repo: opts.repo, ledger, log });
  const deps: EngineDeps = {
    config,
    state,
    switcher,
    adapters: opts.adapters,
    dispatcher,
    ledger,
    store: createConversationStore(),
    log,
    verbose: opts.verbose ?? false,
    sleep: opts.sleep,
  };
  let port = config.proxy.port;
  let closing: Promise<void> | null = null;
  const open = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    open.add(res);
    res.on('close', () => open.delete(res));
    route(req, res).catch((err: unknown) => {
      const e = toProxyError(err);
      if (e.status >= 500) log(`error: ${req.method} ${pathOf(req)}: ${e.message}`);
      sendError(res, e);
    });
  });
  server.keepAliveTimeout = 65_000;
  server.requestTimeout = 0; // long streams are normal here
  server.on('clientError', (_err, socket) => socket.destroy());

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refused = refuseReason(req.headers, { host: config.proxy.host, port, token: config.proxy.token });
    if (refused) throw new ProxyError(403, 'permission_error', refused);
    const path = pathOf(req);
    if (req.method === 'GET' && path === '/health') return json(res, 200, { status: 'ok', active: state.tiers[state.active].name });
    if (req.method === 'GET' && path === '/status') return json(res, 200, status());
    if (req.method === 'POST' && path === '/v1/messages') return messages(req, res);
    if (req.method === 'POST' && path === '/v1/messages/count_tokens') return countTokens(req, res);
    if (req.method === 'POST' && path === '/webhook') return webhook(req, res);
    return passThrough(req, res);
  }

  async function messages(req: IncomingMessage, res: ServerResponse): Promise<void> {
    await handleMessages(await readMessagesCall(req, res, abortOnClientClose(res)), deps);
  }

  /** The call holds the only reference to the body, so the engine can let it go once an answer streams. */
  async function readMessagesCall(req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<MessagesCall> {
    const raw = await readBody(req, config.proxy.maxBodyBytes);
    const body = parseMessagesBody(raw);
    edits.record(body, state.tiers[state.active].name); // which files the model wrote, from the tool results
    return { req, res, request: { raw, body }, model: body.model, stream: body.stream === true, signal };
  }

  async function countTokens(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req, config.proxy.maxBodyBytes);
    const body = parseMessagesBody(raw, { needsMaxTokens: false });
    const tier = state.tiers[state.active];
    if (tier.protocol !== 'anthropic') return json(res, 200, { input_tokens: estimateInputTokens(body) });
    const model = upstreamModel(tier, body.model);
    // What a fallback left in the history is counted the way the messages request will send it.
    const prepared = prepareForAnthropic(body);
    return forward(req, res, tier, model === body.model && !prepared ? raw : JSON.stringify({ ...(prepared ?? body), model }));
  }

  async function webhook(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req, 64 * 1024);
    let body: { model?: unknown; event_type?: unknown };
    try {
      body = JSON.parse(raw.toString('utf8')) as typeof body;
    } catch {
      throw new ProxyError(400, 'invalid_request_error', 'webhook body must be JSON like {"model":"…","event_type":"…"}');
    }
    if (typeof body?.model !== 'string' || typeof body.event_type !== 'string' || body.model === '' || body.event_type === '')
      throw new ProxyError(400, 'invalid_request_error', 'webhook body needs string fields "model" and "event_type"');
    const tier = state.tiers.findIndex((t) => t.name === body.model);
    if (tier !== -1 && /^(fallback|switch)$/.test(body.event_type)) {
      // A monitor says to use one of our tiers: a real switch, recorded and committed like any other.
      await switcher.ensureActive(tier, 'external');
      return json(res, 200, { status: 'switched', active: state.tiers[state.active].name });
    }
    const event = await ledger.append({ kind: 'external', model: body.model, event_type: body.event_type, active: state.tiers[state.active].name });
    opts.notifier.notify(event);
    return json(res, 200, { status: 'recorded', active: state.tiers[state.active].name });
  }

  /** Any other path goes to the first anthropic tier that is not cooling down. */
  async function passThrough(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const now = Date.now();
    const tier = state.plan(now).map((i) => state.tiers[i]).find((t) => t.protocol === 'anthropic') ?? state.tiers.find((t) => t.protocol === 'anthropic');
    if (!tier) throw new ProxyError(404, 'not_found_error', `no anthropic tier to pass ${pathOf(req)} to`);
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    return forward(req, res, tier, hasBody ? await readBody(req, config.proxy.maxBodyBytes) : undefined);
  }

  async function forward(req: IncomingMessage, res: ServerResponse, tier: Config['tiers'][number], body: Buffer | string | undefined): Promise<void> {
    const signal = abortOnClientClose(res);
    const up = await callUpstream({
      url: anthropicUpstreamUrl(tier, req.url ?? '/'),
      method: req.method ?? 'GET',
      headers: anthropicUpstreamHeaders(tier, req.headers),
      body,
      signal,
      headersTimeoutMs: config.fallback.firstByteTimeoutMs,
      bodyTimeoutMs: config.fallback.idleTimeoutMs,
      dispatcher,
    });
    if (!('statusCode' in up)) throw new ProxyError(up.transport === 'timeout' ? 504 : 502, up.type, `${tier.name}: ${up.message}`);
    res.writeHead(up.statusCode, responseHeaders(up.headers));
    for await (const chunk of up.body) {
      if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
    }
    res.end();
  }

  function status() {
    const now = Date.now();
    return {
      active: state.tiers[state.active].name,
      run_started_at: state.runStartedAt,
      tiers: state.tiers.map((t, i) => ({
        name: t.name,
        protocol: t.protocol,
        model: t.model ?? null,
        healthy: state.cooldownUntil[i] <= now,
        cooldown_until: state.cooldownUntil[i] > now ? new Date(state.cooldownUntil[i]).toISOString() : null,
        last_failure: state.lastFailure[i] ? { reason: state.lastFailure[i]!.reason, status: state.lastFailure[i]!.status, at: new Date(state.lastFailure[i]!.at).toISOString() } : null,
        ...state.counters[i],
      })),
      skipped: config.skipped,
    };
  }

  return {
    server,
    state,
    switcher,
    ledger,
    listen() {
      return new Promise((resolve, reject) => {
        const onError = (err: NodeJS.ErrnoException) => {
          reject(err.code === 'EADDRINUSE' ? new Error(`port ${config.proxy.port} on ${config.proxy.host} is already in use (another proxy running? pick one with --port)`) : err);
        };
        server.once('error', onError);
        server.listen(config.proxy.port, config.proxy.host, () => {
          server.off('error', onError);
          port = (server.address() as AddressInfo).port;
          ledger
            .append({ kind: 'start', active: state.tiers[0].name, tiers: state.tiers.map((t) => t.name), pid: process.pid, port })
            .then((e) => {
              state.runStartedAt = e.ts;
              resolve(port);
            }, reject);
        });
      });
    },
    close(graceMs = 5000) {
      closing ??= shutdown(graceMs);
      return closing;
    },
  };

  async function shutdown(graceMs: number): Promise<void> {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timer = setTimeout(() => {
      for (const res of open) res.destroy();
      server.closeAllConnections();
    }, graceMs);
    await closed;
    clearTimeout(timer);
    await switcher.idle();
    await ledger.append({ kind: 'stop', active: state.tiers[state.active].name });
    await ledger.close();
    await opts.notifier.drain();
    if (!opts.dispatcher) await dispatcher.close();
  }
}

/** Esc in Claude Code closes the connection: whatever the request started upstream is aborted at once. */
function abortOnClientClose(res: ServerResponse): AbortSignal {
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  return abort.signal;
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** The request body, refused with 413 past `limit` bytes (early when content-length says so). */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  const tooLarge = () => new ProxyError(413, 'request_too_large', `request body is larger than the proxy's limit of ${limit} bytes (proxy.max_body)`, { connection: 'close' });
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      throw tooLarge();
    }
    chunks.push(chunk as Buffer);
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

export function parseMessagesBody(raw: Buffer, opts: { needsMaxTokens?: boolean } = {}): MessagesRequest {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new ProxyError(400, 'invalid_request_error', `request body is not valid JSON: ${(err as Error).message}`);
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ProxyError(400, 'invalid_request_error', 'request body must be a JSON object');
  const b = body as Partial<MessagesRequest>;
  if (typeof b.model !== 'string') throw new ProxyError(400, 'invalid_request_error', 'model: field required (a string)');
  if (!Array.isArray(b.messages)) throw new ProxyError(400, 'invalid_request_error', 'messages: field required (an array)');
  if (opts.needsMaxTokens !== false && typeof b.max_tokens !== 'number') throw new ProxyError(400, 'invalid_request_error', 'max_tokens: field required (a number)');
  return b as MessagesRequest;
}
