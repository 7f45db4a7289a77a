// A non-streaming Gemini generateContent answer → Anthropic Message, through the same converter as
// the stream (one mapping to test), then accumulated the way the Anthropic SDK does (wire/accumulate.ts).

import type { Message } from '../../wire/types.ts';
import { messageFromEvents } from '../translated.ts';
import type { GeminiContext } from './gemini-request.ts';
import { createGeminiEventConverter } from './gemini-stream.ts';

/** Bodies wrapped in `[…]` (several chunks) are taken chunk by chunk. Throws UpstreamResponseError. */
export function fromGeminiResponse(json: unknown, context: GeminiContext, requestedModel: string): Message {
  const converter = createGeminiEventConverter(context, requestedModel);
  const chunks = Array.isArray(json) ? json : [json];
  const events = [...chunks.flatMap((c) => converter.push(c)), ...converter.flush()];
  return messageFromEvents(events, requestedModel);
}
