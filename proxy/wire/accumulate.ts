// Anthropic stream events → the one Message they describe, the way the Anthropic SDK's MessageStream
// accumulates them. A translated non-streaming answer is made by running the provider's stream converter
// and accumulating its events here, so each provider has one mapping to get right and to test.

import type { ContentBlock, ErrorBody, Message, StreamEvent } from './types.ts';
import { tooDeepAt } from './json-depth.ts';

/** The message, or the `error` event that ended the stream instead. */
export type Accumulated = { message: Message; error: null } | { message: null; error: ErrorBody['error'] };

export function accumulateMessage(events: readonly StreamEvent[], model: string): Accumulated {
  let message: Message = {
    id: '',
    type: 'message',
    role: 'assistant',
    model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 0, output_tokens: 0 },
  };
  const json: string[] = [];
  for (const e of events) {
    switch (e.type) {
      case 'message_start':
        message = { ...e.message, content: [] };
        break;
      case 'content_block_start':
        message.content.push({ ...e.content_block } as ContentBlock);
        json[e.index] = '';
        break;
      case 'content_block_delta': {
        const block = message.content[e.index];
        const d = e.delta;
        if (d.type === 'text_delta' && block.type === 'text') block.text += d.text;
        else if (d.type === 'thinking_delta' && block.type === 'thinking') block.thinking += d.thinking;
        else if (d.type === 'signature_delta' && block.type === 'thinking') block.signature = d.signature;
        else if (d.type === 'input_json_delta') json[e.index] += d.partial_json;
        break;
      }
      case 'content_block_stop': {
        const block = message.content[e.index];
        if (block.type === 'tool_use') block.input = toolInput(json[e.index] ?? '');
        break;
      }
      case 'message_delta':
        message.stop_reason = e.delta.stop_reason;
        message.stop_sequence = e.delta.stop_sequence;
        message.usage = { ...message.usage, ...e.usage };
        break;
      case 'error':
        return { message: null, error: e.error };
      case 'message_stop':
      case 'ping':
        break;
    }
  }
  return { message, error: null };
}

/**
 * A tool's input from its JSON text; text that is not a JSON object, or nests deeper than anything may
 * walk (json-depth.ts), is kept under `_raw` rather than lost.
 */
function toolInput(text: string): unknown {
  if (text.trim() === '') return {};
  if (tooDeepAt(text) >= 0) return { _raw: text };
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? value : { _raw: text };
  } catch {
    return { _raw: text };
  }
}
