// A non-streaming Gemini generateContent answer → Anthropic Message, through the same converter as
// the stream (one mapping to test), then accumulated the way the Anthropic SDK does.

import type { ContentBlock, Message, StreamEvent } from '../../wire/types.ts';
import { UpstreamResponseError } from '../provider.ts';
import type { GeminiContext } from './gemini-request.ts';
import { createGeminiEventConverter } from './gemini-stream.ts';

/** Bodies wrapped in `[…]` (several chunks) are taken chunk by chunk. Throws UpstreamResponseError. */
export function fromGeminiResponse(json: unknown, context: GeminiContext, requestedModel: string): Message {
  const converter = createGeminiEventConverter(context, requestedModel);
  const chunks = Array.isArray(json) ? json : [json];
  const events = [...chunks.flatMap((c) => converter.push(c)), ...converter.flush()];
  return accumulate(events, requestedModel);
}

function accumulate(events: StreamEvent[], model: string): Message {
  let message: Message = { id: '', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 } };
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
        if (block.type === 'tool_use') block.input = json[e.index] ? (JSON.parse(json[e.index]) as unknown) : {};
        break;
      }
      case 'message_delta':
        message.stop_reason = e.delta.stop_reason;
        message.stop_sequence = e.delta.stop_sequence;
        message.usage = { ...message.usage, ...e.usage };
        break;
      case 'error':
        throw new UpstreamResponseError({ status: 200, type: e.error.type, message: e.error.message });
      case 'message_stop':
      case 'ping':
        break;
    }
  }
  return message;
}
