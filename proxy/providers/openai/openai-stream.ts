// OpenAI Chat Completions SSE chunks → Anthropic stream events, via the shared message builder.
// Reasoning → thinking block (proxy signature), content → text, tool-call fragments → tool_use blocks.

import { createMessageBuilder, newToolUseId, toolUseIdFor } from '../../wire/stream-builder.ts';
import { encodeProxySignature } from '../../wire/proxy-signature.ts';
import type { StreamEvent, Usage } from '../../wire/types.ts';
import type { EventTransform } from '../provider.ts';
import { parseJSONData, type SSEEvent } from '../../wire/sse.ts';
import { mapOpenAIFinishReason } from './map-openai-finish-reason.ts';
import { mapOpenAIStreamErrorType } from './openai-error.ts';
import { fromToolAlias } from '../tool-name-alias.ts';
import type { OpenAIChunk, OpenAIContext, OpenAIToolCallDelta } from './openai-types.ts';
import { fromOpenAIUsage } from './openai-usage.ts';

type Call = { id: string; name: string; args: string };
type Deferred = { kind: 'text' | 'thinking'; text: string };

/**
 * One tool call streams live at a time: the first one whose name is known. Fragments of any other
 * index are buffered by index and sent whole (one input_json_delta each) when the finish arrives,
 * because a server may interleave indexes and a closed Anthropic block cannot be reopened. The live
 * block stays open until the finish, so late fragments for it still land in it. Text or reasoning
 * that comes after a tool call started is likewise held and sent after the tool blocks.
 */
export function createOpenAIStreamTransform(context: OpenAIContext, requestedModel: string): EventTransform {
  const builder = createMessageBuilder({ model: requestedModel });
  const signature = encodeProxySignature({ provider: 'openai' });
  const calls = new Map<number, Call>();
  const usedIds = new Set<string>(context.historyToolUseIds);
  let live: number | null = null;
  let toolsStarted = false;
  const deferred: Deferred[] = [];
  let finishReason: string | null = null;
  let refused = false;
  let usage: Usage | undefined;

  function thinking(text: string, out: StreamEvent[]): void {
    if (toolsStarted) return defer('thinking', text);
    out.push(...builder.thinking(text));
    builder.signature(signature);
  }

  function text(value: string, out: StreamEvent[]): void {
    if (toolsStarted) return defer('text', value);
    out.push(...builder.text(value));
  }

  function defer(kind: Deferred['kind'], value: string): void {
    const last = deferred.at(-1);
    if (last?.kind === kind) last.text += value;
    else deferred.push({ kind, text: value });
  }

  function toolFragment(d: OpenAIToolCallDelta, position: number, out: StreamEvent[]): void {
    const index = d.index ?? position;
    let call = calls.get(index);
    if (call === undefined) {
      call = { id: '', name: '', args: '' };
      calls.set(index, call);
    }
    if (d.id && !call.id) call.id = toolUseIdFor(d.id, usedIds);
    if (d.function?.name && !call.name) call.name = fromToolAlias(d.function.name, context.toolNames);
    const piece = d.function?.arguments ?? '';
    toolsStarted = true;
    if (live === index) {
      out.push(...builder.toolInput(piece));
      return;
    }
    call.args += piece;
    if (live === null && call.name !== '') {
      // Goes live: open its block and send what was buffered so far.
      live = index;
      if (!call.id) call.id = newToolUseId();
      usedIds.add(call.id);
      out.push(...builder.toolUse(call.id, call.name));
      out.push(...builder.toolInput(call.args));
    }
  }

  function finish(): StreamEvent[] {
    const out: StreamEvent[] = [];
    for (const [index, call] of [...calls.entries()].sort((a, b) => a[0] - b[0])) {
      if (index === live) continue;
      if (!call.id || usedIds.has(call.id)) call.id = newToolUseId();
      usedIds.add(call.id);
      out.push(...builder.toolUse(call.id, call.name || 'unknown_tool'));
      out.push(...builder.toolInput(call.args));
    }
    for (const d of deferred) {
      if (d.kind === 'text') out.push(...builder.text(d.text));
      else {
        out.push(...builder.thinking(d.text));
        builder.signature(signature);
      }
    }
    const stop = refused && calls.size === 0 ? 'refusal' : mapOpenAIFinishReason(finishReason, calls.size > 0);
    out.push(...builder.finish(stop, usage ?? fromOpenAIUsage(undefined)));
    return out;
  }

  return {
    transform(event: SSEEvent): StreamEvent[] {
      if (builder.finished) return [];
      if (event.data === '[DONE]') {
        if (finishReason === null) return builder.error('api_error', 'upstream stream ended ([DONE]) without a finish_reason');
        return finish();
      }
      const chunk = parseJSONData(event);
      if (chunk instanceof Error) return builder.error('api_error', `upstream sent invalid JSON in the stream: ${chunk.message}`);
      if (!chunk || typeof chunk !== 'object') return [];
      const c = chunk as OpenAIChunk;
      if (c.error) return builder.error(mapOpenAIStreamErrorType(c.error), `upstream error mid-stream: ${c.error.message ?? JSON.stringify(c.error)}`);
      const reported = c.usage ?? c.x_groq?.usage;
      if (reported) usage = fromOpenAIUsage(reported);
      const out: StreamEvent[] = [];
      // Only the first choice is used (the proxy never asks for n > 1).
      const choice = c.choices?.find((ch) => (ch.index ?? 0) === 0);
      if (!choice) return out;
      const delta = choice.delta ?? {};
      const reasoning = delta.reasoning_content ?? delta.reasoning;
      if (typeof reasoning === 'string' && reasoning !== '') thinking(reasoning, out);
      if (typeof delta.content === 'string' && delta.content !== '') text(delta.content, out);
      if (typeof delta.refusal === 'string' && delta.refusal !== '') {
        refused = true;
        text(delta.refusal, out);
      }
      delta.tool_calls?.forEach((d, i) => toolFragment(d, i, out));
      if (choice.finish_reason) {
        if (choice.finish_reason === 'error') return [...out, ...builder.error('api_error', 'upstream ended the stream with finish_reason "error"')];
        // Usage may follow in its own chunk (OpenAI include_usage): finish at [DONE] or EOF.
        finishReason = choice.finish_reason;
      }
      return out;
    },
    flush(): StreamEvent[] {
      if (builder.finished) return [];
      if (finishReason === null) return builder.error('api_error', 'upstream stream ended before its finish_reason (truncated)');
      return finish();
    },
  };
}
