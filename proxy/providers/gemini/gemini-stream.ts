// Gemini streamGenerateContent?alt=sse chunks → Anthropic stream events (wire-formats.md §3.4, §5).
// Thought parts become a thinking block, text a text block, each whole functionCall its own tool_use
// block with one input_json_delta; the finish is sent at EOF so the last usageMetadata counts.

import { createMessageBuilder, newToolUseId, type MessageBuilder } from '../../wire/stream-builder.ts';
import type { StreamEvent, Usage } from '../../wire/types.ts';
import type { EventTransform } from '../provider.ts';
import { parseJSONData, type SSEEvent } from '../../wire/sse.ts';
import { geminiErrorOf, geminiErrorType } from './gemini-error.ts';
import { fromToolAlias } from '../tool-name-alias.ts';
import type { GeminiContext } from './gemini-request.ts';
import { geminiThinkingSignature, thoughtSignatureKey } from './gemini-thought-signature.ts';
import type { GeminiPart, GeminiResponse, GeminiUsageMetadata } from './gemini-types.ts';
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

export function createGeminiStreamTransform(context: GeminiContext, requestedModel: string): EventTransform {
  const converter = createGeminiEventConverter(context, requestedModel);
  return {
    transform: (event: SSEEvent) => converter.push(parseJSONData(event)),
    flush: () => converter.flush(),
  };
}

export function createGeminiEventConverter(context: GeminiContext, requestedModel: string): GeminiEventConverter {
  let builder: MessageBuilder | undefined;
  let usage: GeminiUsageMetadata | undefined;
  let finish: GeminiFinish | undefined;
  let hasFunctionCalls = false;
  let thinkingOpen = false; // mirrors the builder: is the open block a thinking block?
  let thinkingState: Record<string, string> = {};

  function b(): MessageBuilder {
    builder ??= createMessageBuilder({ model: requestedModel, inputTokens: usageFromGemini(usage).input_tokens });
    return builder;
  }

  function part(p: GeminiPart): StreamEvent[] {
    if (p.functionCall) {
      const call = p.functionCall;
      hasFunctionCalls = true;
      const id = call.id && ANTHROPIC_ID.test(call.id) ? call.id : newToolUseId();
      const out: StreamEvent[] = [];
      if (p.thoughtSignature) {
        context.store.set(thoughtSignatureKey(id), p.thoughtSignature);
        // The signature rides on a thinking block Claude Code echoes back, so it survives a restart:
        // the open thought-summary block when there is one, else an empty block before the call.
        if (!thinkingOpen) {
          out.push(...b().thinking(''));
          thinkingState = {};
        }
        thinkingState[id] = p.thoughtSignature;
        out.push(...b().signature(geminiThinkingSignature(thinkingState)));
      }
      out.push(...b().toolUse(id, fromToolAlias(call.name, context.names)));
      out.push(...b().toolInput(JSON.stringify(call.args ?? {})));
      thinkingOpen = false;
      return out;
    }
    if (typeof p.text !== 'string' || p.text === '') return []; // a signature on text/empty parts is not needed back
    if (p.thought === true) {
      const out = b().thinking(p.text);
      if (!thinkingOpen) {
        thinkingOpen = true;
        thinkingState = {};
        out.push(...b().signature(geminiThinkingSignature()));
      }
      return out;
    }
    thinkingOpen = false;
    return b().text(p.text);
  }

  function chunk(value: unknown): StreamEvent[] {
    const error = geminiErrorOf(value);
    if (error) return b().error(geminiErrorType(error.code ?? 0, error), `Gemini: ${error.message ?? 'error in stream'}`);
    if (Array.isArray(value)) return value.flatMap((v) => chunk(v));
    if (typeof value !== 'object' || value === null) return [];
    const res = value as GeminiResponse;
    if (res.usageMetadata) usage = res.usageMetadata;
    const out: StreamEvent[] = [];
    const candidate = res.candidates?.[0];
    for (const p of candidate?.content?.parts ?? []) out.push(...part(p));
    if (candidate?.finishReason) finish = mapGeminiFinishReason(candidate.finishReason, hasFunctionCalls);
    if (res.promptFeedback?.blockReason && !candidate) finish = { kind: 'stop', stopReason: 'refusal' };
    if (finish?.kind === 'error') {
      const detail = candidate?.finishMessage ? `: ${candidate.finishMessage}` : '';
      out.push(...b().error('api_error', finish.message + detail));
    }
    return out;
  }

  return {
    push(value: unknown): StreamEvent[] {
      if (builder?.finished) return [];
      if (finish !== undefined) {
        // After the finishReason only a later usage total is taken; content cannot follow the end.
        const late = value as GeminiResponse | null;
        if (late && typeof late === 'object' && !Array.isArray(late) && late.usageMetadata) usage = late.usageMetadata;
        return [];
      }
      if (value instanceof Error) return b().error('api_error', `Gemini sent a chunk that is not JSON: ${value.message}`);
      return chunk(value);
    },
    flush(): StreamEvent[] {
      if (builder?.finished) return [];
      if (finish === undefined) return b().error('api_error', 'Gemini stream ended without a finishReason (truncated)');
      if (finish.kind === 'error') return [];
      return b().finish(finish.stopReason, usageFromGemini(usage));
    },
  };
}
