// Gemini streamGenerateContent?alt=sse chunks → Anthropic stream events (docs/protocols.md §3.4, §5).
// Thought parts become a thinking block, text a text block, each whole functionCall its own tool_use
// block with one input_json_delta; the finish is sent at EOF so the last usageMetadata counts.

import { createMessageBuilder, newToolUseId, type MessageBuilder } from '../../wire/stream-builder.ts';
import type { StreamEvent, Usage } from '../../wire/types.ts';
import type { EventTransform, Warn } from '../provider.ts';
import { geminiChunkOf } from './gemini-chunk.ts';
import { parseJSONData, type SSEEvent } from '../../wire/sse.ts';
import { geminiErrorOf, geminiErrorType } from './gemini-error.ts';
import { fromToolAlias } from '../tool-name-alias.ts';
import type { GeminiContext } from './gemini-request.ts';
import { geminiCallIdKey, geminiThinkingSignature, thoughtSignatureKey } from './gemini-thought-signature.ts';
import type { GeminiFunctionCall, GeminiPart, GeminiUsageMetadata } from './gemini-types.ts';
import { mapGeminiFinishReason, type GeminiFinish } from './map-gemini-finish-reason.ts';

/** Anthropic usage from Gemini's: input excludes the cached part; output includes thoughts (§4.4). */
export function usageFromGemini(meta: GeminiUsageMetadata | undefined): Usage {
  const prompt = meta?.promptTokenCount ?? 0;
  const cached = meta?.cachedContentTokenCount ?? 0;
  return {
    input_tokens: Math.max(0, prompt - cached),
    output_tokens: (meta?.candidatesTokenCount ?? 0) + (meta?.thoughtsTokenCount ?? 0),
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
  };
}

/** Tool_use ids must suit Anthropic (`^[a-zA-Z0-9_-]+$`) when the conversation goes back there. */
const ANTHROPIC_ID = /^[A-Za-z0-9_-]{1,200}$/;

/** A parsed Gemini chunk (or whole answer) in, Anthropic events out; shared by stream and non-stream. */
export type GeminiEventConverter = { push(value: unknown): StreamEvent[]; flush(): StreamEvent[] };

export function createGeminiStreamTransform(context: GeminiContext, requestedModel: string, warn: Warn = () => {}): EventTransform {
  const converter = createGeminiEventConverter(context, requestedModel, warn);
  return {
    transform: (event: SSEEvent) => converter.push(parseJSONData(event)),
    flush: () => converter.flush(),
  };
}

/** One answer's state. The builder starts lazily, so message_start can carry the first usage seen. */
type Conv = {
  context: GeminiContext;
  requestedModel: string;
  builder: MessageBuilder | undefined;
  usage: GeminiUsageMetadata | undefined;
  finish: GeminiFinish | undefined;
  hasFunctionCalls: boolean;
  /** Mirrors the builder: is the open block a thinking block? */
  thinkingOpen: boolean;
  thinkingState: Record<string, string>;
  warn: Warn;
};

export function createGeminiEventConverter(context: GeminiContext, requestedModel: string, warn: Warn = () => {}): GeminiEventConverter {
  const c: Conv = {
    context,
    requestedModel,
    builder: undefined,
    usage: undefined,
    finish: undefined,
    hasFunctionCalls: false,
    thinkingOpen: false,
    thinkingState: {},
    warn,
  };
  return {
    push(value: unknown): StreamEvent[] {
      if (c.builder?.finished) return [];
      if (c.finish !== undefined) {
        // After the finishReason only a later usage total is taken; content cannot follow the end.
        const late = value instanceof Error || Array.isArray(value) ? null : geminiChunkOf(value, c.warn);
        if (late?.usageMetadata) c.usage = late.usageMetadata;
        return [];
      }
      if (value instanceof Error) return b(c).error('api_error', `Gemini sent a chunk that is not JSON: ${value.message}`);
      return chunk(c, value);
    },
    flush(): StreamEvent[] {
      if (c.builder?.finished) return [];
      if (c.finish === undefined) return b(c).error('api_error', 'Gemini stream ended without a finishReason (truncated)');
      if (c.finish.kind === 'error') return [];
      return b(c).finish(c.finish.stopReason, usageFromGemini(c.usage));
    },
  };
}

function b(c: Conv): MessageBuilder {
  c.builder ??= createMessageBuilder({ model: c.requestedModel, inputTokens: usageFromGemini(c.usage).input_tokens });
  return c.builder;
}

function chunk(c: Conv, value: unknown): StreamEvent[] {
  const error = geminiErrorOf(value);
  if (error) return b(c).error(geminiErrorType(error.code ?? 0, error), `Gemini: ${error.message ?? 'error in stream'}`);
  if (Array.isArray(value)) return value.flatMap((v) => chunk(c, v));
  const res = geminiChunkOf(value, c.warn);
  if (res === null) return [];
  if (res.usageMetadata) c.usage = res.usageMetadata;
  const out: StreamEvent[] = [];
  const candidate = res.candidates?.[0];
  for (const p of candidate?.content?.parts ?? []) out.push(...(p.functionCall ? functionCall(c, p, p.functionCall) : textPart(c, p)));
  if (candidate?.finishReason) c.finish = mapGeminiFinishReason(candidate.finishReason, c.hasFunctionCalls);
  if (res.promptFeedback?.blockReason && !candidate) c.finish = { kind: 'stop', stopReason: 'refusal' };
  if (c.finish?.kind === 'error') {
    const detail = candidate?.finishMessage ? `: ${candidate.finishMessage}` : '';
    out.push(...b(c).error('api_error', c.finish.message + detail));
  }
  return out;
}

function functionCall(c: Conv, p: GeminiPart, call: GeminiFunctionCall): StreamEvent[] {
  c.hasFunctionCalls = true;
  // Gemini repeats ids (`function-call-1`) across turns: a repeated one gets a fresh id, and the store
  // remembers Gemini's so it is echoed back as Gemini gave it.
  const fresh = !call.id || !ANTHROPIC_ID.test(call.id) || (c.context.usedIds?.has(call.id) ?? false);
  const id = fresh ? newToolUseId() : call.id!;
  if (fresh && call.id) c.context.store.set(geminiCallIdKey(id), call.id);
  c.context.usedIds?.add(id);
  const out: StreamEvent[] = [];
  if (p.thoughtSignature) {
    c.context.store.set(thoughtSignatureKey(id), p.thoughtSignature);
    // The signature rides on a thinking block Claude Code echoes back, so it survives a restart:
    // the open thought-summary block when there is one, else an empty block before the call.
    if (!c.thinkingOpen) {
      out.push(...b(c).thinking(''));
      c.thinkingState = {};
    }
    c.thinkingState[id] = p.thoughtSignature;
    out.push(...b(c).signature(geminiThinkingSignature(c.thinkingState)));
  }
  out.push(...b(c).toolUse(id, fromToolAlias(call.name, c.context.names)));
  out.push(...b(c).toolInput(JSON.stringify(call.args ?? {})));
  c.thinkingOpen = false;
  return out;
}

function textPart(c: Conv, p: GeminiPart): StreamEvent[] {
  if (typeof p.text !== 'string' || p.text === '') return []; // a signature on text/empty parts is not needed back
  if (p.thought !== true) {
    c.thinkingOpen = false;
    return b(c).text(p.text);
  }
  const out = b(c).thinking(p.text);
  if (!c.thinkingOpen) {
    c.thinkingOpen = true;
    c.thinkingState = {};
    out.push(...b(c).signature(geminiThinkingSignature()));
  }
  return out;
}
