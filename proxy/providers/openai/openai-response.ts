// A non-streaming OpenAI Chat Completions response → an Anthropic Message.

import { encodeProxySignature } from '../../wire/proxy-signature.ts';
import { newMessageId, toolUseIdFor } from '../../wire/stream-builder.ts';
import type { ContentBlock, Message } from '../../wire/types.ts';
import { UpstreamResponseError } from '../provider.ts';
import { mapOpenAIFinishReason } from './map-openai-finish-reason.ts';
import { mapOpenAIStreamErrorType } from './openai-error.ts';
import { fromOpenAIToolName } from './openai-tool-names.ts';
import type { OpenAIChatResponse, OpenAIContext } from './openai-types.ts';
import { fromOpenAIUsage } from './openai-usage.ts';

export function fromOpenAIResponse(json: unknown, context: OpenAIContext, requestedModel: string): Message {
  const res = (json && typeof json === 'object' ? json : {}) as OpenAIChatResponse;
  if (res.error) {
    throw new UpstreamResponseError({ status: 200, type: mapOpenAIStreamErrorType(res.error), message: `upstream error: ${res.error.message ?? JSON.stringify(res.error)}` });
  }
  const choice = res.choices?.find((c) => (c.index ?? 0) === 0);
  if (!choice?.message) throw new UpstreamResponseError({ status: 200, type: 'api_error', message: 'upstream response has no choices' });
  if (choice.finish_reason === 'error') throw new UpstreamResponseError({ status: 200, type: 'api_error', message: 'upstream finished with finish_reason "error"' });

  const m = choice.message;
  const content: ContentBlock[] = [];
  const reasoning = m.reasoning_content ?? m.reasoning;
  if (typeof reasoning === 'string' && reasoning !== '') {
    content.push({ type: 'thinking', thinking: reasoning, signature: encodeProxySignature({ provider: 'openai' }) });
  }
  if (typeof m.content === 'string' && m.content !== '') content.push({ type: 'text', text: m.content });
  if (typeof m.refusal === 'string' && m.refusal !== '') content.push({ type: 'text', text: m.refusal });
  const calls = m.tool_calls ?? [];
  const taken = new Set(context.historyToolUseIds);
  for (const call of calls) {
    const id = toolUseIdFor(call.id, taken);
    taken.add(id);
    content.push({
      type: 'tool_use',
      id,
      name: fromOpenAIToolName(call.function?.name ?? 'unknown_tool', context.toolNames),
      input: parseArguments(call.function?.arguments),
    });
  }
  const refused = typeof m.refusal === 'string' && m.refusal !== '' && calls.length === 0;
  return {
    id: newMessageId(),
    type: 'message',
    role: 'assistant',
    model: requestedModel,
    content,
    stop_reason: refused ? 'refusal' : mapOpenAIFinishReason(choice.finish_reason, calls.length > 0),
    stop_sequence: null,
    usage: fromOpenAIUsage(res.usage),
  };
}

/** Tool arguments are a JSON string; an unparseable one is kept under `_raw` rather than lost. */
function parseArguments(args: string | undefined): unknown {
  if (args === undefined || args.trim() === '') return {};
  try {
    const value = JSON.parse(args) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? value : { _raw: args };
  } catch {
    return { _raw: args };
  }
}
