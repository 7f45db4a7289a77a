// The fallback engine for POST /v1/messages: walks the tiers in the order the tier state gives,
// applies the fallback policy to each failure, and relays the first answer that starts well.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { Config, TierConfig } from './config.ts';
import type { MessagesRequest } from './anthropic/types.ts';
import { UpstreamResponseError, type ConversationStore, type ProviderAdapter, type UpstreamError } from './protocol.ts';
import type { LedgerWriter } from './git/ledger.ts';
import type { Switcher } from './switcher.ts';
import type { TierState } from './tier-state.ts';
import { callUpstream, readErrorBody, responseHeaders, type UpstreamResponse } from './upstream.ts';
import { decideFailure } from './fallback-policy.ts';
import { parseAnthropicError } from './anthropic/anthropic-error.ts';
import { anthropicUpstreamHeaders, anthropicUpstreamUrl } from './anthropic/anthropic-upstream.ts';
import { prepareForAnthropic } from './anthropic/prepare-for-anthropic.ts';
import { upstreamModel } from './model-map.ts';
import { relayStream, type RelayMode } from './relay.ts';
import { applyEventUsage, emptyUsage, type TokenUsage } from './usage.ts';
import { ProxyError, errorBody, sendError } from './errors.ts';

export type EngineDeps = {
  config: Config;
  state: TierState;
  switcher: Switcher;
  adapters: Partial<Record<TierConfig['protocol'], ProviderAdapter>>;
  dispatcher: Dispatcher;
  ledger: LedgerWriter;
  store: ConversationStore;
  log: (line: string) => void;
  verbose: boolean;
  /** Test seam: how the engine waits out a short retry-after. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
};

export type MessagesCall = {
  req: IncomingMessage;
  res: ServerResponse;
  /** The request as it came and parsed; dropped once an answer is released (no fallback can need it). */
  request: { raw: Buffer; body: MessagesRequest } | null;
  /** The client's model name and stream flag, kept for the log and usage line. */
  model: string;
  stream: boolean;
  signal: AbortSignal;
};

type Attempt =
  | { kind: 'done'; usage: TokenUsage; status: number; ok: boolean }
  | { kind: 'failed'; error: UpstreamError; upstream?: { status: number; headers: Record<string, string | string[]>; body: string } };

export async function handleMessages(call: MessagesCall, deps: EngineDeps): Promise<void> {
  const { state, config } = deps;
  const started = Date.now();
  const plan = state.plan(started);
  let last: { tier: number; attempt: Extract<Attempt, { kind: 'failed' }> } | null = null;

  for (const t of plan) {
    let retried = false;
    for (;;) {
      if (call.signal.aborted) return;
      state.counters[t].requests++;
      const attempt = await attemptTier(t, call, deps);
      if (attempt.kind === 'done') {
        state.healthy(t);
        finish(t, attempt, call, deps, started);
        return;
      }
      const tier = state.tiers[t];
      const decision = decideFailure(attempt.error, {
        now: Date.now(),
        maxWaitMs: config.fallback.maxWaitMs,
        cooldownMs: config.fallback.cooldownMs,
        ownKey: tier.apiKey !== undefined,
        retried,
      });
      deps.log(`${tier.name} ${attempt.error.status || attempt.error.transport} ${attempt.error.type}: ${decision.action}${decision.action === 'retry' ? ` in ${decision.waitMs}ms` : ''}`);
      if (decision.action === 'return') return returnError(tier, attempt, call.res);
      if (decision.action === 'retry') {
        retried = true;
        await (deps.sleep ?? sleep)(decision.waitMs, call.signal);
        continue;
      }
      state.cool(t, { reason: decision.reason, status: attempt.error.status, at: Date.now(), until: decision.cooldownUntil, message: attempt.error.message });
      state.counters[t].fallbacks++;
      last = { tier: t, attempt };
      break;
    }
  }
  allFailed(last, call.res, deps);
}

async function attemptTier(t: number, call: MessagesCall, deps: EngineDeps): Promise<Attempt> {
  const tier = deps.state.tiers[t];
  const { stream } = call;
  const { raw, body: request } = call.request!;
  const model = upstreamModel(tier, call.model);
  let url: string;
  let headers: Record<string, string>;
  let body: string | Buffer;
  let mode: RelayMode;
  let adapter: ProviderAdapter | undefined;
  let context: unknown;

  if (tier.protocol === 'anthropic') {
    const prepared = prepareForAnthropic(request);
    // The original bytes go as they came unless something must change (signed thinking stays intact).
    body = prepared || model !== call.model ? JSON.stringify({ ...(prepared ?? request), model }) : raw;
    url = anthropicUpstreamUrl(tier, call.req.url ?? '/v1/messages');
    headers = anthropicUpstreamHeaders(tier, call.req.headers, { identity: true });
    mode = { kind: 'bytes' };
  } else {
    adapter = deps.adapters[tier.protocol];
    if (!adapter) throw new ProxyError(500, 'api_error', `no adapter for protocol ${tier.protocol}`);
    const translated = adapter.toRequest(request, { tier, model, stream, store: deps.store });
    if (deps.verbose) for (const w of translated.warnings) deps.log(`${tier.name}: ${w}`);
    ({ url, headers, body } = translated.request);
    context = translated.context;
    mode = { kind: 'events', transform: adapter.createStreamTransform(context, call.model) };
  }

  const response = await callUpstream({
    url,
    method: 'POST',
    headers,
    body,
    signal: call.signal,
    headersTimeoutMs: deps.config.fallback.firstByteTimeoutMs,
    bodyTimeoutMs: deps.config.fallback.idleTimeoutMs,
    dispatcher: deps.dispatcher,
  }).catch((err: unknown) => {
    if (call.signal.aborted) return null;
    throw err;
  });
  if (response === null) return { kind: 'done', usage: emptyUsage(), status: 499, ok: false };
  if (!('statusCode' in response)) return { kind: 'failed', error: response };

  if (response.statusCode < 200 || response.statusCode >= 300) {
    const text = await readErrorBody(response.body);
    const error = adapter ? adapter.parseError(response.statusCode, response.headers, text) : parseAnthropicError(response.statusCode, response.headers, text);
    return { kind: 'failed', error, upstream: { status: response.statusCode, headers: responseHeaders(response.headers), body: text } };
  }

  const release = () => {
    call.request = null; // past this point the answer is Claude Code's: free the request for 100 streams' sake
    return deps.switcher.ensureActive(t);
  };
  if (stream) {
    const clientHeaders = adapter
      ? { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' }
      : responseHeaders(response.headers, ['content-encoding']);
    const result = await relayStream({
      res: call.res,
      upstream: response,
      mode,
      headers: clientHeaders,
      holdbackMs: deps.config.fallback.holdbackMs,
      firstByteTimeoutMs: deps.config.fallback.firstByteTimeoutMs,
      release,
      signal: call.signal,
    });
    if (result.kind === 'failed') return result;
    return { kind: 'done', usage: result.usage, status: response.statusCode, ok: result.ok };
  }
  return relayWhole(response, adapter, context, call, release);
}

/** A non-streaming answer: read whole (it is one JSON message), translated if needed, then sent. */
async function relayWhole(
  response: UpstreamResponse,
  adapter: ProviderAdapter | undefined,
  context: unknown,
  call: MessagesCall,
  release: () => Promise<void>,
): Promise<Attempt> {
  let text: string;
  try {
    text = await response.body.text();
  } catch (err) {
    if (call.signal.aborted) return { kind: 'done', usage: emptyUsage(), status: 499, ok: false };
    return { kind: 'failed', error: { status: 0, type: 'api_error', message: `upstream closed the answer early (${(err as Error).message})`, transport: 'network' } };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'failed', error: { status: 502, type: 'api_error', message: 'upstream sent an answer that is not JSON' } };
  }
  const usage = emptyUsage();
  let out = text;
  let headers: Record<string, string | string[]> = responseHeaders(response.headers, ['content-encoding']);
  if (adapter) {
    let message: ReturnType<ProviderAdapter['fromResponse']>;
    try {
      message = adapter.fromResponse(json, context, call.model);
    } catch (err) {
      // A 200 that is really an error (an error body, a malformed call): nothing went out yet, so it may fall back.
      if (err instanceof UpstreamResponseError) return { kind: 'failed', error: err.upstream };
      throw err;
    }
    out = JSON.stringify(message);
    headers = { 'content-type': 'application/json' };
    applyEventUsage(usage, message);
  } else {
    applyEventUsage(usage, json);
  }
  await release();
  call.res.writeHead(response.statusCode, { ...headers, 'content-length': String(Buffer.byteLength(out)) });
  call.res.end(out);
  return { kind: 'done', usage, status: response.statusCode, ok: true };
}

/** A failure the client must see as it is (its request is wrong): not a reason to fall back. */
function returnError(tier: TierConfig, attempt: Extract<Attempt, { kind: 'failed' }>, res: ServerResponse): void {
  const up = attempt.upstream;
  if (tier.protocol === 'anthropic' && up) {
    res.writeHead(up.status, { ...up.headers, 'content-length': String(Buffer.byteLength(up.body)) });
    res.end(up.body);
    return;
  }
  const e = attempt.error;
  sendError(res, new ProxyError(e.status || 502, e.type, `${tier.name}: ${e.message}`));
}

/** Every tier failed: the last upstream's status in Anthropic's shape, and no client retry storm. */
function allFailed(last: { tier: number; attempt: Extract<Attempt, { kind: 'failed' }> } | null, res: ServerResponse, deps: EngineDeps): void {
  const now = Date.now();
  const soonest = Math.min(...deps.state.cooldownUntil.filter((t) => t > now));
  const retryAfter = Number.isFinite(soonest) ? Math.max(1, Math.ceil((soonest - now) / 1000)) : 60;
  const e = last?.attempt.error;
  const status = e ? e.status || (e.transport === 'timeout' ? 504 : 529) : 529;
  const type = e?.type ?? 'overloaded_error';
  const names = deps.state.tiers.map((t) => t.name).join(', ');
  const message = `every tier failed (${names}); last: ${last ? deps.state.tiers[last.tier].name + ': ' : ''}${e?.message ?? 'no tier available'}`;
  if (res.headersSent) return void res.end();
  const body = JSON.stringify(errorBody(type, message));
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    'retry-after': String(retryAfter),
    'x-should-retry': 'false',
  });
  res.end(body);
}

function finish(t: number, attempt: Extract<Attempt, { kind: 'done' }>, call: MessagesCall, deps: EngineDeps, started: number): void {
  const tier = deps.state.tiers[t];
  const ms = Date.now() - started;
  const u = attempt.usage;
  const model = upstreamModel(tier, call.model);
  deps.log(`${tier.name} ${attempt.status} ${ms}ms in=${u.input} out=${u.output}${u.cacheRead ? ` cache=${u.cacheRead}` : ''}${attempt.ok ? '' : ' (incomplete)'}`);
  deps.ledger
    .append({
      kind: 'usage',
      tier: tier.name,
      model,
      input_tokens: u.input,
      output_tokens: u.output,
      cache_read_tokens: u.cacheRead,
      cache_write_tokens: u.cacheWrite,
      ms,
      stream: call.stream,
    })
    .catch((err: Error) => deps.log(`warning: ledger write failed: ${err.message}`));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
