// The contract between the fallback engine and each upstream protocol. Anthropic is the hub: an adapter
// turns Claude Code's request into its provider's request and the provider's answer into what Claude
// Code reads, so the engine and the relay never ask which protocol a tier speaks. Converters are pure;
// state that must survive between turns (Gemini thought signatures) lives in a store passed in.

import type { IncomingHttpHeaders } from 'node:http';
import type { ErrorType, MessagesRequest, StreamEvent } from '../wire/types.ts';
import type { SSEEvent } from '../wire/sse.ts';
import type { TokenUsage } from '../wire/usage.ts';
import type { TierConfig } from '../config.ts';
import type { HeaderMap } from '../headers.ts';
import type { ErrorAnswer } from '../wire/errors.ts';

/** An upstream failure in provider-neutral terms; the fallback policy decides what to do with it. */
export type UpstreamError = {
  /** HTTP status, or 0 when no response came (connect error, reset, timeout). */
  status: number;
  /** The Anthropic error type this failure is shown as to Claude Code. */
  type: ErrorType;
  message: string;
  /** Wait this long before the same tier may succeed (retry-after, RetryInfo.retryDelay, x-ratelimit-reset-*). */
  retryAfterMs?: number;
  /** Absolute time (ms since epoch) the limit resets, when the provider says so (anthropic-ratelimit-*-reset). */
  resetAt?: number;
  /** A quota that will not clear by waiting briefly (daily quota, insufficient_quota, spend limit, billing). */
  permanent?: boolean;
  /** No response at all: `network` (connect/reset) or `timeout` (no first byte in time). */
  transport?: 'network' | 'timeout';
  /** For a transport failure, what Node or undici said (`connect ECONNREFUSED 127.0.0.1:9101`), for the log. */
  detail?: string;
};

/** One Messages request as Claude Code sent it. */
export type ClientRequest = {
  body: MessagesRequest;
  /** The body's bytes as they came: an adapter that speaks Anthropic's protocol may send them unchanged. */
  raw: Buffer;
  /** Path and query as Claude Code asked (`/v1/messages?beta=true`). */
  path: string;
  headers: IncomingHttpHeaders;
};

/** What an adapter asks of its upstream; the engine adds the timeouts and the abort signal. */
export type UpstreamRequest = { url: string; method: string; headers: Record<string, string>; body?: string | Buffer };

export type PrepareOptions = {
  tier: TierConfig;
  /** The upstream model name after the tier's model mapping. */
  model: string;
  stream: boolean;
  /** Provider state that must survive between turns (and restarts, where the client echoes it). */
  store: ConversationStore;
};

/** A request made ready for one tier, and how its answer will reach Claude Code. */
export type PreparedCall = {
  request: UpstreamRequest;
  /** What the translation could not carry (logged with --verbose). */
  warnings: string[];
  /** Holds what reading the answer needs, never the request, so the engine can let the request go. */
  answer: AnswerReader;
};

export type AnswerReader = {
  /** A streamed 2xx answer; `headers` are the upstream's. */
  stream(headers: HeaderMap): AnswerStream;
  /** A whole 2xx answer (parsed JSON). Throws UpstreamResponseError for a 200 that is really an error. */
  whole(answer: { text: string; json: unknown; headers: HeaderMap }): ClientAnswer;
};

/** What Claude Code receives for a whole answer, and the usage it reports. */
export type ClientAnswer = { body: string; headers: Record<string, string | string[]>; usage: TokenUsage };

/**
 * What to send for one piece of an upstream stream, the Anthropic events the relay learns from it, and
 * what the adapter could not read (an upstream chunk of the wrong shape, skipped), for the log.
 */
export type Relayed = { events: readonly StreamEvent[]; out: Buffer | string | null; warnings?: readonly string[] };

/**
 * One streamed answer on its way to Claude Code. The relay decides when to hold, release and end; this
 * decides the bytes: the upstream's own (pass-through) or Anthropic events translated from the provider's.
 */
export type AnswerStream = {
  /** Headers for Claude Code once the answer is released. */
  readonly headers: Record<string, string | string[]>;
  /** While held back every event matters (has content started? an early error?). `null` is the upstream's end. */
  held(chunk: Buffer | null): Relayed;
  /** Once released: what to send now; events as far as the usage and the end need them. */
  live(chunk: Buffer): Relayed;
  /** The upstream ended after the release. */
  end(): Relayed;
  /** The answer breaks off after the release: what ends it with this error (and the events still unread). */
  cutOff(type: ErrorType, message: string): Relayed;
};

/** Another request to a tier as it came (GET /v1/models, …). */
export type ForwardedRequest = { method: string; path: string; headers: IncomingHttpHeaders; body?: Buffer };

/**
 * One provider (or one vendor's take on a protocol). `prepare`, `parseError` and `clientError` every
 * adapter has; what only some providers can do is an optional capability, and the engine and the routes
 * ask for the capability, never for the protocol (README.md beside this file).
 */
export type ProviderAdapter = {
  prepare(req: ClientRequest, opts: PrepareOptions): PreparedCall;
  /** Classify a non-2xx answer (status, headers, the body as text). */
  parseError(status: number, headers: HeaderMap, body: string): UpstreamError;
  /** The answer for a failure that is the request's own fault (no reason to fall back): Claude Code sees it. */
  clientError(error: UpstreamError, upstream: ErrorAnswer | undefined, tier: TierConfig): ErrorAnswer;
  /**
   * The upstream counts the request exactly and answers a prompt over its window itself (Anthropic's
   * "prompt is too long"), so the engine never checks the request against this tier's window by estimate.
   */
  readonly exactWindow?: true;
  /** POST /v1/messages/count_tokens to this tier; without it the proxy answers with a local estimate. */
  countTokens?(req: ClientRequest, opts: Pick<PrepareOptions, 'tier' | 'model'>): UpstreamRequest;
  /** Any other path (GET /v1/models, …) to this tier as it came; without it the tier is never sent one. */
  passThrough?(tier: TierConfig, req: ForwardedRequest): UpstreamRequest;
};

/** Where a stream converter says what it could not read (a chunk of the wrong shape, skipped). */
export type Warn = (message: string) => void;

/** What a stream transform turns one upstream SSE event into. An `error` event ends the stream. */
export type EventTransform = {
  transform(event: SSEEvent): StreamEvent[];
  /** Upstream EOF: close what is open; a stream without its finish marker yields an `error` event. */
  flush(): StreamEvent[];
};

/** A 200 answer that is an error after all (an error body, a malformed tool call): no Message exists.
 * `upstream` is the classified failure; nothing reached the client yet, so the engine may fall back. */
export class UpstreamResponseError extends Error {
  override name = 'UpstreamResponseError';
  readonly upstream: UpstreamError;
  constructor(upstream: UpstreamError) {
    super(upstream.message);
    this.upstream = upstream;
  }
}

/** Small key/value memory for cross-turn provider state, e.g. Gemini thoughtSignature by tool_use id. */
export type ConversationStore = {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
};

export function createConversationStore(limit = 10_000): ConversationStore {
  const map = new Map<string, string>();
  return {
    get: (key) => map.get(key),
    set(key, value) {
      map.delete(key);
      map.set(key, value);
      if (map.size > limit) map.delete(map.keys().next().value as string);
    },
  };
}
