// OpenAI Chat Completions SSE chunks → Anthropic stream events, via the shared message builder.
// Reasoning → thinking block (proxy signature), content → text, tool-call fragments → tool_use blocks.

import { createMessageBuilder, newToolUseId, toolUseIdFor, type MessageBuilder } from '../../wire/stream-builder.ts';
import { encodeProxySignature } from '../../wire/proxy-signature.ts';
import type { StreamEvent, Usage } from '../../wire/types.ts';
import type { EventTransform, Warn } from '../provider.ts';
import { openAIChunkOf } from './openai-chunk.ts';
import { parseJSONData, type SSEEvent } from '../../wire/sse.ts';
import { mapOpenAIFinishReason } from './map-openai-finish-reason.ts';
import { mapOpenAIStreamErrorType } from './openai-error.ts';
import { fromToolAlias } from '../tool-name-alias.ts';
import type { OpenAIChunk, OpenAIContext, OpenAIToolCallDelta } from './openai-types.ts';
import { fromOpenAIUsage } from './openai-usage.ts';

type Call = { id: string; name: string; args: string; googleSignature?: string };
type Deferred = { kind: 'text' | 'thinking'; text: string };

/** One stream's state: the builder, the tool calls by index, and what waits for the finish. */
type Stream = {
  context: OpenAIContext;
  builder: MessageBuilder;
  signature: string;
  calls: Map<number, Call>;
  /** The upstream's tool-call index → the key of its call in `calls`, the upstream id each call came with, the latest key. */
  slots: Map<number, number>;
  upstreamIds: Map<number, string>;
  lastKey: number | undefined;
  usedIds: Set<string>;
  /** OpenRouter's reasoning_details of this answer, and whether they went out yet (on a thinking block). */
  details: unknown[];
  detailsSent: boolean;
  /** The index of the call whose block is open and streams live. */
  live: number | null;
  toolsStarted: boolean;
  deferred: Deferred[];
  finishReason: string | null;
  refused: boolean;
  usage: Usage | undefined;
};

/**
 * One tool call streams live at a time: the first one whose name is known. Fragments of any other
 * index are buffered by index and sent whole (one input_json_delta each) when the finish arrives,
 * because a server may interleave indexes and a closed Anthropic block cannot be reopened. The live
 * block stays open until the finish, so late fragments for it still land in it. Text or reasoning
 * that comes after a tool call started is likewise held and sent after the tool blocks.
 */
export function createOpenAIStreamTransform(context: OpenAIContext, requestedModel: string, warn: Warn = () => {}): EventTransform {
  const s: Stream = {
    context,
    builder: createMessageBuilder({ model: requestedModel }),
    signature: encodeProxySignature({ provider: 'openai' }),
    calls: new Map(),
    slots: new Map(),
    upstreamIds: new Map(),
    lastKey: undefined,
    details: [],
    detailsSent: false,
    usedIds: new Set(context.historyToolUseIds),
    live: null,
    toolsStarted: false,
    deferred: [],
    finishReason: null,
    refused: false,
    usage: undefined,
  };
  return {
    transform(event: SSEEvent): StreamEvent[] {
      if (s.builder.finished) return [];
      if (event.data === '[DONE]') {
        if (s.finishReason === null) return s.builder.error('api_error', 'upstream stream ended ([DONE]) without a finish_reason');
        return finish(s);
      }
      const chunk = parseJSONData(event);
      if (chunk instanceof Error) return s.builder.error('api_error', `upstream sent invalid JSON in the stream: ${chunk.message}`);
      const checked = openAIChunkOf(chunk, warn);
      return checked === null ? [] : onChunk(s, checked);
    },
    flush(): StreamEvent[] {
      if (s.builder.finished) return [];
      if (s.finishReason === null) return s.builder.error('api_error', 'upstream stream ended before its finish_reason (truncated)');
      return finish(s);
    },
  };
}

function onChunk(s: Stream, c: OpenAIChunk): StreamEvent[] {
  if (c.error)
    return s.builder.error(mapOpenAIStreamErrorType(c.error), `upstream error mid-stream: ${c.error.message ?? JSON.stringify(c.error)}`);
  const reported = c.usage ?? c.x_groq?.usage;
  if (reported) s.usage = fromOpenAIUsage(reported);
  const out: StreamEvent[] = [];
  // Only the first choice is used (the proxy never asks for n > 1).
  const choice = c.choices?.find((ch) => (ch.index ?? 0) === 0);
  if (!choice) return out;
  const delta = choice.delta ?? {};
  if (Array.isArray(delta.reasoning_details)) s.details.push(...delta.reasoning_details);
  const reasoning = delta.reasoning_content ?? delta.reasoning;
  if (typeof reasoning === 'string' && reasoning !== '') thinking(s, reasoning, out);
  if (typeof delta.content === 'string' && delta.content !== '') text(s, delta.content, out);
  if (typeof delta.refusal === 'string' && delta.refusal !== '') {
    s.refused = true;
    text(s, delta.refusal, out);
  }
  delta.tool_calls?.forEach((d, i) => toolFragment(s, d, i, out));
  if (choice.finish_reason) {
    if (choice.finish_reason === 'error')
      return [...out, ...s.builder.error('api_error', 'upstream ended the stream with finish_reason "error"')];
    // Usage may follow in its own chunk (OpenAI include_usage): finish at [DONE] or EOF.
    s.finishReason = choice.finish_reason;
  }
  return out;
}

function thinking(s: Stream, value: string, out: StreamEvent[]): void {
  if (s.toolsStarted) return defer(s, 'thinking', value);
  out.push(...s.builder.thinking(value));
  s.builder.signature(s.signature);
}

function text(s: Stream, value: string, out: StreamEvent[]): void {
  if (s.toolsStarted) return defer(s, 'text', value);
  out.push(...s.builder.text(value));
}

function defer(s: Stream, kind: Deferred['kind'], value: string): void {
  const last = s.deferred.at(-1);
  if (last?.kind === kind) last.text += value;
  else s.deferred.push({ kind, text: value });
}

/**
 * Which call a fragment belongs to. Google's OpenAI endpoint sends no `index` (each delta with an id is a
 * call of its own: https://discuss.ai.google.dev/t/tool-calls-in-streaming-responses-lack-index/91034),
 * and some servers reuse index 0 for every call: a new id at a used index is a new call, never more
 * arguments for the old one (that would merge two calls into invalid JSON).
 */
function callKey(s: Stream, d: OpenAIToolCallDelta): number {
  const fresh = (): number => {
    const key = s.calls.size; // each new call takes the next key; toolFragment stores it at once
    if (d.id) s.upstreamIds.set(key, d.id);
    s.lastKey = key;
    return key;
  };
  if (d.index === undefined) {
    if (s.lastKey !== undefined && (!d.id || s.upstreamIds.get(s.lastKey) === d.id)) return s.lastKey;
    return fresh();
  }
  const key = s.slots.get(d.index);
  if (key !== undefined) {
    const known = s.upstreamIds.get(key);
    if (!d.id || known === undefined || known === d.id) {
      if (d.id) s.upstreamIds.set(key, d.id);
      s.lastKey = key;
      return key;
    }
  }
  const k = fresh();
  s.slots.set(d.index, k);
  return k;
}

function toolFragment(s: Stream, d: OpenAIToolCallDelta, _position: number, out: StreamEvent[]): void {
  const index = callKey(s, d);
  let call = s.calls.get(index);
  if (call === undefined) {
    call = { id: '', name: '', args: '' };
    s.calls.set(index, call);
  }
  if (d.id && !call.id) call.id = toolUseIdFor(d.id, s.usedIds);
  if (d.function?.name && !call.name) call.name = fromToolAlias(d.function.name, s.context.toolNames);
  const googleSignature = d.extra_content?.google?.thought_signature;
  if (googleSignature && !call.googleSignature) call.googleSignature = googleSignature;
  const piece = d.function?.arguments ?? '';
  s.toolsStarted = true;
  if (s.live === index) {
    out.push(...s.builder.toolInput(piece));
    return;
  }
  call.args += piece;
  if (s.live === null && call.name !== '') {
    // Goes live: open its block and send what was buffered so far.
    s.live = index;
    if (!call.id) call.id = newToolUseId();
    s.usedIds.add(call.id);
    out.push(...signatureCarrier(s, call));
    out.push(...s.builder.toolUse(call.id, call.name));
    out.push(...s.builder.toolInput(call.args));
  }
}

/** The provider name of the thinking blocks that carry a Gemini-over-OpenAI signature (openai-request.ts reads them). */
export const OPENAI_SIGNATURE_PROVIDER = 'openai-gemini';

/**
 * Gemini 3 behind an OpenAI endpoint needs its signatures back: Google's on the call they came with
 * (`extra_content.google.thought_signature`, https://ai.google.dev/gemini-api/docs/openai#thinking),
 * OpenRouter's `reasoning_details` on the turn (https://openrouter.ai/docs/use-cases/reasoning-tokens#preserving-reasoning-blocks).
 * They ride on an empty thinking block before the call, signed as the proxy's, which Claude Code echoes back.
 */
function signatureCarrier(s: Stream, call: Call): StreamEvent[] {
  const state: Record<string, string> = {};
  if (call.googleSignature) state.google = call.googleSignature;
  if (!s.detailsSent && s.details.length > 0) {
    state.details = JSON.stringify(s.details);
    s.detailsSent = true;
  }
  if (Object.keys(state).length === 0) return [];
  return [...s.builder.thinking(''), ...s.builder.signature(encodeProxySignature({ provider: OPENAI_SIGNATURE_PROVIDER, state }))];
}

/** The buffered tool calls whole, then the deferred text and reasoning, then the end. */
function finish(s: Stream): StreamEvent[] {
  const out: StreamEvent[] = [];
  for (const [index, call] of [...s.calls.entries()].sort((a, b) => a[0] - b[0])) {
    if (index === s.live) continue;
    if (!call.id || s.usedIds.has(call.id)) call.id = newToolUseId();
    s.usedIds.add(call.id);
    out.push(...signatureCarrier(s, call));
    out.push(...s.builder.toolUse(call.id, call.name || 'unknown_tool'));
    out.push(...s.builder.toolInput(call.args));
  }
  for (const d of s.deferred) {
    if (d.kind === 'text') out.push(...s.builder.text(d.text));
    else {
      out.push(...s.builder.thinking(d.text));
      s.builder.signature(s.signature);
    }
  }
  const stop = s.refused && s.calls.size === 0 ? 'refusal' : mapOpenAIFinishReason(s.finishReason, s.calls.size > 0);
  out.push(...s.builder.finish(stop, s.usage ?? fromOpenAIUsage(undefined)));
  return out;
}
