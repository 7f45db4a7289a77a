// Test helpers for the Gemini adapter: fixture reading, SSE framing, and the official SDK's
// MessageStream as the accumulator that turns Anthropic events into the message Claude Code sees.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageStream } from '@anthropic-ai/sdk/lib/MessageStream';
import type { Message } from '@anthropic-ai/sdk/resources/messages';
import type { StreamEvent } from '../../../proxy/wire/types.ts';
import type { EventTransform } from '../../../proxy/providers/provider.ts';
import { createSSEParser, type SSEEvent } from '../../../proxy/wire/sse.ts';

export function fixture(name: string): string {
  return readFileSync(fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url)), 'utf8');
}

/** Frames a fixture the way bytes arrive: in small pieces, so CRLF pairs get split across pushes. */
export function sseEvents(text: string, piece = 7): SSEEvent[] {
  const parser = createSSEParser();
  const out: SSEEvent[] = [];
  for (let i = 0; i < text.length; i += piece) out.push(...parser.push(text.slice(i, i + piece)));
  out.push(...parser.end());
  return out;
}

/** The `data:` payloads of a Gemini fixture, parsed: the source of every expectation. */
export function fixtureChunks(text: string): GeminiChunk[] {
  return sseEvents(text).map((e) => JSON.parse(e.data) as GeminiChunk);
}

export type GeminiChunk = {
  candidates?: {
    content?: { parts?: { text?: string; thought?: boolean; thoughtSignature?: string; functionCall?: { id?: string; name: string; args?: unknown } }[] };
    finishReason?: string;
  }[];
  usageMetadata?: { promptTokenCount?: number; candidatesTokenCount?: number; thoughtsTokenCount?: number; cachedContentTokenCount?: number };
};

export function run(transform: EventTransform, events: SSEEvent[]): StreamEvent[] {
  return [...events.flatMap((e) => transform.transform(e)), ...transform.flush()];
}

/** Accumulates the events with @anthropic-ai/sdk's MessageStream, as Claude Code's client does. */
export async function sdkFinalMessage(events: StreamEvent[]): Promise<Message> {
  const lines = events.map((e) => JSON.stringify(e) + '\n').join('');
  const stream = MessageStream.fromReadableStream(new Blob([lines]).stream());
  return stream.finalMessage();
}
