// The contract between the fallback engine and each upstream protocol (anthropic, openai, gemini).
// Anthropic is the hub: an adapter turns an Anthropic request into its provider's request and the
// provider's answer back into Anthropic JSON or SSE events. Converters are pure; state that must
// survive between turns (Gemini thought signatures) lives in a store passed in, never in globals.

import type { ErrorType, Message, MessagesRequest, StreamEvent } from './anthropic/types.ts';
import type { SSEEvent } from './sse.ts';
import type { TierConfig } from './config.ts';

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

export type UpstreamRequest = {
  url: string;
  headers: Record<string, string>;
  body: string;
};

/** What a stream transform turns one upstream SSE event into. An `error` event ends the stream. */
export type EventTransform = {
  transform(event: SSEEvent): StreamEvent[];
  /** Upstream EOF: close what is open; a stream without its finish marker yields an `error` event. */
  flush(): StreamEvent[];
};

export type TranslateOptions = {
  tier: TierConfig;
  /** The upstream model name after the tier's model mapping. */
  model: string;
  stream: boolean;
  /** Provider state that must survive between turns (and restarts, where the client echoes it). */
  store: ConversationStore;
};

/** A request translated for one provider; `context` is handed back to the response converters. */
export type Translated<C> = { request: UpstreamRequest; warnings: string[]; context: C };

export type ProviderAdapter<C = unknown> = {
  toRequest(req: MessagesRequest, opts: TranslateOptions): Translated<C>;
  createStreamTransform(context: C, requestedModel: string): EventTransform;
  fromResponse(json: unknown, context: C, requestedModel: string): Message;
  /** Classify a non-2xx answer (status, headers, the body as text). */
  parseError(status: number, headers: Record<string, string | string[] | undefined>, body: string): UpstreamError;
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
