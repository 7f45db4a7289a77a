// The fallback engine for POST /v1/messages: walks the tiers in the order the tier state gives,
// applies the fallback policy to each failure, and relays the first answer that starts well. What a tier
// is sent and how its answer reads is its provider adapter's business; the engine never asks which.

import type { ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { Config, TierConfig } from '../config.ts';
import { adapterFor, type Adapters } from '../providers/adapters.ts';
import {
  UpstreamResponseError,
  type AnswerReader,
  type ClientRequest,
  type ConversationStore,
  type ProviderAdapter,
  type UpstreamError,
} from '../providers/provider.ts';
import type { LedgerWriter } from '../git/ledger.ts';
import type { Switcher } from '../switcher.ts';
import type { TierState } from './tier-state.ts';
import { callUpstream, readErrorBody, type UpstreamResponse } from './upstream.ts';
import { decideFailure, decideRefusal, refusalKind } from './fallback-policy.ts';
import { upstreamModel } from './model-map.ts';
import { lineCost, pricesFor } from '../prices.ts';
import { relayStream } from './relay.ts';
import { emptyUsage, type TokenUsage } from '../wire/usage.ts';
import { sendAnswer, type ErrorAnswer } from '../wire/errors.ts';
import { sendAllFailed, withFirstTierReason } from './no-answer.ts';
import { responseHeaders } from '../headers.ts';
import { redact, tierSecrets } from '../redact.ts';
import { failureLine, refusalCooldownLine, refusalLine } from './failure-log.ts';
import { parseUnifiedLimits, type RateLimitRecorder } from '../status/rate-limits.ts';
import { quotaCrossing } from './quota-policy.ts';
import { estimateInputTokens } from '../wire/estimate-tokens.ts';
import { MAX_JSON_DEPTH, tooDeepAt } from '../wire/json-depth.ts';
import { tierCapabilities } from '../capabilities/tier-capabilities.ts';
import { fitsWindow, promptTooLongBody } from '../capabilities/window-fit.ts';
import type { MessagesRequest } from '../wire/types.ts';
import { modelIdOf, type ToolTiers, type ToolWriter } from '../attribution/tool-tiers.ts';
import { untilOrAborted, type ToolUseTap } from './relay.ts';
import type { Router } from '../routing/router.ts';

export type EngineDeps = {
  config: Config;
  state: TierState;
  switcher: Switcher;
  adapters: Adapters;
  dispatcher: Dispatcher;
  ledger: LedgerWriter;
  store: ConversationStore;
  log: (line: string) => void;
  verbose: boolean;
  /** Test seam: how the engine waits out a short retry-after. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Sees every upstream answer's headers (Claude's subscription limits, proxy/status/rate-limits.ts). */
  rateLimits?: Pick<RateLimitRecorder, 'record'>;
  /** The token estimate for the window check (estimateInputTokens); asked at most once a request, and only for a tier that needs it. */
  estimate?: (request: MessagesRequest) => number;
  /** Told which tier wrote each tool call it relays (proxy/attribution/tool-tiers.ts). */
  toolTiers?: ToolTiers;
  /** Given the whole input of each call of Claude Code's file tools, with its writer (proxy/attribution/tool-calls.ts). */
  onFileToolCall?: (call: { id: string; name: string; input: unknown; writer: ToolWriter }) => void;
  /** The routing rules' planner (proxy/routing/router.ts); without it every request takes the tier list. */
  router?: Router;
};

/** Claude Code's file tools, whose input the engine passes to onFileToolCall. */
const FILE_TOOL_NAMES = new Set(['Write', 'Edit', 'MultiEdit', 'NotebookEdit']);

export type MessagesCall = {
  res: ServerResponse;
  /** The request as it came and parsed; dropped once an answer is released (no fallback can need it). */
  request: ClientRequest | null;
  /** The client's model name and stream flag, kept for the log and usage line. */
  model: string;
  stream: boolean;
  signal: AbortSignal;
  /** The URL of the latest attempt, for its failure's log line. */
  upstreamUrl?: string;
  /** The routing rule the request was planned by: its answer is not a switch of the active tier, and its usage line names it. */
  route?: string;
  /**
   * Called once when an answer's first tool call is about to go out (the chunk that starts its tool_use block; the
   * whole body of a JSON answer); it goes out when this resolves. The server passes the work tree snapshot's
   * barrier (proxy/attribution/snapshots.ts): the engine knows nothing of git.
   */
  beforeTools?: () => Promise<void>;
};

type Failed = { kind: 'failed'; error: UpstreamError; upstream?: ErrorAnswer };
type Attempt = { kind: 'done'; usage: TokenUsage; status: number; ok: boolean } | Failed;

/** The client went away: nothing more to send, and the usage line says the answer was not whole. */
const aborted = (): Attempt => ({ kind: 'done', usage: emptyUsage(), status: 499, ok: false });

export async function handleMessages(call: MessagesCall, deps: EngineDeps): Promise<void> {
  const { state, config } = deps;
  const started = Date.now();
  const since = state.clock.now(); // the request's start on the tier state's clock
  let last: { tier: number; attempt: Failed } | null = null;
  // A lower tier's refusal: most likely translation or capability trouble, so the next tier is tried;
  // the first one is what Claude Code sees if every tier refuses or fails.
  let refused: { tier: number; attempt: Failed } | null = null;
  // The estimate walks and serializes the whole body: made only when a tier whose window may be too
  // small is about to be tried, once (a request that tier 0 takes as it came never pays for it).
  const body = call.request!.body;
  let estimated: number | undefined;
  const estimate = (): number => (estimated ??= (deps.estimate ?? estimateInputTokens)(body));
  let tooBig: number | null = null;

  // The planning seam: a routed request is planned over its rule's tiers, any other over the tier list as today.
  const routed = deps.router?.plan({ model: call.model, headers: call.request!.headers, body }, estimate);
  if (routed?.rule) call.route = routed.rule.name;
  for (const t of routed?.order ?? state.plan()) {
    let retried = false;
    const skip = windowSkip(state.tiers[t], adapterFor(state.tiers[t], deps.adapters), call.model, estimate);
    if (skip !== null) {
      deps.log(`${state.tiers[t].name}: skipped: the request is about ${estimate()} tokens, over its window of ${skip}`);
      tooBig = Math.max(tooBig ?? 0, skip);
      continue;
    }
    for (;;) {
      if (call.signal.aborted) return;
      state.attempted(t);
      const attempt = await attemptTier(t, call, deps);
      if (attempt.kind === 'failed') redactFailure(attempt, deps.config.tiers.flatMap(tierSecrets));
      if (attempt.kind === 'done') {
        state.healthy(t);
        if (routed) deps.router!.answered(routed, t);
        finish(t, attempt, call, deps, started);
        return;
      }
      const tier = state.tiers[t];
      // The primary (the config's first tier) has the last word on a request it refuses; a lower tier's
      // refusal may be the fallback's own trouble (translation, capability), so the next tier is tried. A
      // role, not a protocol: whatever the first tier speaks.
      const primary = t === 0;
      const now = state.clock.now();
      const decision = decideFailure(attempt.error, {
        now,
        maxWaitMs: config.fallback.maxWaitMs,
        cooldownMs: config.fallback.cooldownMs,
        ownKey: tier.apiKey !== undefined,
        retried,
      });
      deps.log(failureLine(tier, call.upstreamUrl, attempt.error, decision, now, !primary));
      const said = !primary || decision.action === 'fallback' ? refusalLine(tier, attempt.error) : null;
      if (said !== null) deps.log(said);
      if (decision.action === 'return') {
        if (primary) return sendAnswer(call.res, adapterFor(tier, deps.adapters).clientError(attempt.error, attempt.upstream, tier));
        noteRefusal(t, attempt.error, now, deps);
        refused ??= { tier: t, attempt };
        break;
      }
      if (decision.action === 'retry') {
        retried = true;
        await (deps.sleep ?? sleep)(decision.waitMs, call.signal);
        continue;
      }
      state.cool(t, {
        reason: decision.reason,
        status: attempt.error.status,
        at: now,
        until: decision.cooldownUntil,
        message: attempt.error.message,
      });
      last = { tier: t, attempt };
      break;
    }
  }
  if (refused) {
    const tier = state.tiers[refused.tier];
    return sendAnswer(
      call.res,
      withFirstTierReason(adapterFor(tier, deps.adapters).clientError(refused.attempt.error, refused.attempt.upstream, tier), state, since),
    );
  }
  if (tooBig !== null)
    return sendAnswer(call.res, {
      status: 400,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(promptTooLongBody(estimate(), tooBig)),
    });
  sendAllFailed(call.res, state, last && { tier: last.tier, error: last.attempt.error }, since);
}

/** A lower tier's refusal counts as its failure; enough of one kind in a row cool it down (fallback-policy decideRefusal). */
function noteRefusal(t: number, error: UpstreamError, now: number, deps: EngineDeps): void {
  const { state } = deps;
  const kind = refusalKind(error);
  const streak = state.refusalStreak(t, kind) + 1;
  const decision = decideRefusal(streak, { now, cooldownMs: deps.config.fallback.cooldownMs });
  const until = decision.action === 'fallback' ? decision.cooldownUntil : now;
  state.refused(t, { reason: 'refused', status: error.status, at: now, until, message: error.message }, kind);
  if (decision.action === 'fallback') deps.log(refusalCooldownLine(state.tiers[t], streak, kind, state.cooldownUntil[t], now));
}

/**
 * The window of a tier the request does not fit (by count_tokens' local estimate), or null. A tier whose
 * adapter counts exactly (`exactWindow`: it answers a too-long prompt itself) and one whose window is not
 * known are never skipped, and for them the estimate is not made.
 */
function windowSkip(tier: TierConfig, adapter: ProviderAdapter, model: string, estimate: () => number): number | null {
  if (adapter.exactWindow) return null;
  const window = tierCapabilities(tier, upstreamModel(tier, model)).contextWindow;
  if (window === undefined) return null;
  const fit = fitsWindow(estimate(), window);
  return fit.fits ? null : fit.window!;
}

async function attemptTier(t: number, call: MessagesCall, deps: EngineDeps): Promise<Attempt> {
  const tier = deps.state.tiers[t];
  const adapter = adapterFor(tier, deps.adapters);
  const sent = await send(tier, adapter, call, deps);
  if (sent === null) return aborted();
  if ('error' in sent) return { kind: 'failed', error: sent.error };
  const { response, answer } = sent;
  deps.rateLimits?.record(tier.name, response.headers); // Claude's subscription windows, when the answer names them
  if (response.statusCode >= 200 && response.statusCode < 300) leaveBeforeTheLimit(t, response.headers, deps);

  if (response.statusCode < 200 || response.statusCode >= 300) {
    const text = await readErrorBody(response.body);
    const error = adapter.parseError(response.statusCode, response.headers, text);
    return { kind: 'failed', error, upstream: { status: response.statusCode, headers: responseHeaders(response.headers), body: text } };
  }
  const model = upstreamModel(tier, call.model);
  const writer: ToolWriter = { tier: tier.name, model_id: modelIdOf(tier, model) };
  const onToolUse: ToolUseTap | undefined =
    deps.toolTiers || deps.onFileToolCall
      ? (id, name) => {
          deps.toolTiers?.note(id, writer);
          const file = deps.onFileToolCall;
          if (file && FILE_TOOL_NAMES.has(name)) return (input) => file({ id, name, input, writer });
        }
      : undefined;
  const release = () => {
    call.request = null; // past this point the answer is Claude Code's: free the request for 100 streams' sake
    // A routed answer is the rule's business: the active tier (and its switch, auto-commit, notification) is not.
    return call.route === undefined ? deps.switcher.ensureActive(t) : Promise.resolve();
  };
  if (!call.stream) return relayWhole(response, answer, call, release, deps.config.fallback.firstByteTimeoutMs, onToolUse);
  const result = await relayStream({
    res: call.res,
    upstream: response,
    answer: answer.stream(response.headers),
    holdbackMs: deps.config.fallback.holdbackMs,
    firstByteTimeoutMs: deps.config.fallback.firstByteTimeoutMs,
    release,
    signal: call.signal,
    warn: (w) => deps.log(`${tier.name}: ${w}`),
    onToolUse,
    beforeTools: call.beforeTools,
  });
  if (result.kind === 'failed') return result;
  return { kind: 'done', usage: result.usage, status: response.statusCode, ok: result.ok };
}

/**
 * `fallback.switch_before`: a successful answer whose Claude subscription window crossed the threshold is relayed
 * as it came, and the tier cools down until that window resets, so the next request goes to the next tier (the
 * switcher names the switch `quota`). Headers that are malformed or out of range count as absent.
 */
function leaveBeforeTheLimit(t: number, headers: UpstreamResponse['headers'], deps: EngineDeps): void {
  const rule = deps.config.fallback.switchBefore;
  if (!rule) return;
  const now = deps.state.clock.now();
  const crossing = quotaCrossing(parseUnifiedLimits(headers, now), rule, now);
  if (!crossing) return;
  const tier = deps.state.tiers[t];
  if (deps.state.cooldownUntil[t] < crossing.until)
    deps.log(`${tier.name}: ${crossing.message}: the next request goes to the next tier until ${new Date(crossing.until).toISOString()}`);
  deps.state.exhausted(t, { reason: 'quota', status: 0, at: now, until: crossing.until, message: crossing.message });
}

/**
 * The adapter's request for this tier, sent. Only the response and the answer reader come back, so
 * nothing here keeps the request's body alive once the answer streams. Null when the client left.
 */
async function send(
  tier: TierConfig,
  adapter: ProviderAdapter,
  call: MessagesCall,
  deps: EngineDeps,
): Promise<{ response: UpstreamResponse; answer: AnswerReader } | { error: UpstreamError } | null> {
  let prepared: ReturnType<ProviderAdapter['prepare']>;
  try {
    prepared = adapter.prepare(call.request!, { tier, model: upstreamModel(tier, call.model), stream: call.stream, store: deps.store });
  } catch (err) {
    // A request this tier's converter cannot make is this tier's trouble, not the request's: the next tier may take it.
    return {
      error: {
        status: 400,
        type: 'invalid_request_error',
        message: `could not convert the request for ${tier.name}: ${(err as Error).message}`,
      },
    };
  }
  const { request, warnings, answer } = prepared;
  if (deps.verbose) for (const w of warnings) deps.log(`${tier.name}: ${w}`);
  call.upstreamUrl = request.url;
  const response = await callUpstream({
    ...request,
    signal: call.signal,
    headersTimeoutMs: deps.config.fallback.firstByteTimeoutMs,
    bodyTimeoutMs: deps.config.fallback.idleTimeoutMs,
    dispatcher: deps.dispatcher,
  }).catch((err: unknown) => {
    if (call.signal.aborted) return null;
    throw err;
  });
  if (response === null) return null;
  if (!('statusCode' in response)) return { error: response };
  return { response, answer };
}

/** A non-streaming answer: read whole (it is one JSON message), made Claude Code's by the adapter, then sent. */
async function relayWhole(
  response: UpstreamResponse,
  answer: AnswerReader,
  call: MessagesCall,
  release: () => Promise<void>,
  firstByteTimeoutMs: number,
  onToolUse?: ToolUseTap,
): Promise<Attempt> {
  // Headers and then silence is the same failure as no headers: first_byte_timeout, not idle_timeout.
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    response.body.destroy();
  }, firstByteTimeoutMs);
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of response.body) {
      clearTimeout(timer);
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    if (call.signal.aborted) return aborted();
    if (!timedOut)
      return {
        kind: 'failed',
        error: {
          status: 0,
          type: 'api_error',
          message: `upstream closed the answer early (${(err as Error).message})`,
          transport: 'network',
        },
      };
  } finally {
    clearTimeout(timer);
  }
  if (timedOut)
    return {
      kind: 'failed',
      error: { status: 0, type: 'timeout_error', message: `no answer within ${firstByteTimeoutMs} ms`, transport: 'timeout' },
    };
  const text = Buffer.concat(chunks).toString('utf8');
  if (tooDeepAt(text) >= 0)
    return {
      kind: 'failed',
      error: { status: 502, type: 'api_error', message: `upstream sent an answer nested more than ${MAX_JSON_DEPTH} levels deep` },
    };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'failed', error: { status: 502, type: 'api_error', message: 'upstream sent an answer that is not JSON' } };
  }
  let out: ReturnType<AnswerReader['whole']>;
  try {
    out = answer.whole({ text, json, headers: response.headers });
  } catch (err) {
    // A 200 that is really an error (an error body, a malformed call): nothing went out yet, so it may fall back.
    if (err instanceof UpstreamResponseError) return { kind: 'failed', error: err.upstream };
    throw err;
  }
  await release();
  const uses = out.body.includes('"tool_use"') ? toolUses(out.body) : [];
  if (onToolUse) for (const b of uses) onToolUse(b.id, b.name)?.(b.input);
  if (call.beforeTools && uses.length > 0) {
    // The whole body carries the tool calls: Claude Code runs them once it has it.
    await untilOrAborted(call.beforeTools(), call.signal);
    if (call.signal.aborted) return aborted();
  }
  sendAnswer(call.res, { status: response.statusCode, headers: out.headers, body: out.body });
  return { kind: 'done', usage: out.usage, status: response.statusCode, ok: true };
}

/** The tool calls in a whole answer as Claude Code receives it. */
function toolUses(body: string): { id: string; name: string; input: unknown }[] {
  try {
    const content = (JSON.parse(body) as { content?: unknown }).content;
    if (!Array.isArray(content)) return [];
    return content.flatMap((b: { type?: unknown; id?: unknown; name?: unknown; input?: unknown }) =>
      b?.type === 'tool_use' && typeof b.id === 'string' && typeof b.name === 'string' ? [{ id: b.id, name: b.name, input: b.input }] : [],
    );
  } catch {
    return [];
  }
}

/**
 * An upstream's error may quote a key ("Incorrect API key provided: sk-…"). It is hidden here, where a
 * failure enters the engine, so no log line, cooldown message (/status, ledger) or client answer has it.
 */
function redactFailure(attempt: Failed, secrets: string[]): void {
  attempt.error = { ...attempt.error, message: redact(attempt.error.message, secrets) };
  if (attempt.upstream) attempt.upstream = { ...attempt.upstream, body: redact(attempt.upstream.body, secrets) };
}

/** The log line and the ledger's usage line (whose field names are the ledger's own, on disk). */
function finish(t: number, attempt: Extract<Attempt, { kind: 'done' }>, call: MessagesCall, deps: EngineDeps, started: number): void {
  const tier = deps.state.tiers[t];
  const ms = Date.now() - started;
  const u = attempt.usage;
  const cache = u.cache_read_input_tokens ? ` cache=${u.cache_read_input_tokens}` : '';
  deps.log(
    `${tier.name} ${attempt.status} ${ms}ms in=${u.input_tokens} out=${u.output_tokens}${cache}${attempt.ok ? '' : ' (incomplete)'}`,
  );
  const model = upstreamModel(tier, call.model);
  const tokens = {
    input_tokens: u.input_tokens,
    output_tokens: u.output_tokens,
    cache_read_tokens: u.cache_read_input_tokens,
    cache_write_tokens: u.cache_creation_input_tokens,
  };
  // Priced now, by this request's own length (a long-context rate applies per request): absent when unpriced.
  const cost = lineCost(tokens, pricesFor(deps.config)(tier.name, model));
  deps.ledger
    .append({
      kind: 'usage',
      tier: tier.name,
      model,
      ...tokens,
      ms,
      stream: call.stream,
      ...(call.route === undefined ? {} : { route: call.route }),
      ...(attempt.ok ? {} : { incomplete: true as const }),
      ...(cost === undefined ? {} : { cost_usd: cost }),
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
