// Anthropic events in tests: SSE framed by the proxy's parser, a transform run over them, and two
// accumulators of the message a client would see: the official SDK's MessageStream (as Claude Code
// reads a stream), and a strict one of the test's own that also fails on anything a client would choke on.

import { expect } from 'vitest';
import { MessageStream } from '@anthropic-ai/sdk/lib/MessageStream';
import type { Message as SdkMessage } from '@anthropic-ai/sdk/resources/messages';
import type { ContentBlock, Message, StreamEvent } from '../../proxy/wire/types.ts';
import type { AnswerStream, EventTransform } from '../../proxy/providers/provider.ts';
import { createSSEParser, type SSEEvent } from '../../proxy/wire/sse.ts';

/** Frames a text the way bytes arrive: in small pieces, so CRLF pairs get split across pushes. */
export function sseEvents(text: string, piece = 7): SSEEvent[] {
  const parser = createSSEParser();
  const out: SSEEvent[] = [];
  for (let i = 0; i < text.length; i += piece) out.push(...parser.push(text.slice(i, i + piece)));
  out.push(...parser.end());
  return out;
}

export function run(transform: EventTransform, events: SSEEvent[]): StreamEvent[] {
  return [...events.flatMap((e) => transform.transform(e)), ...transform.flush()];
}

/** Upstream bytes through an adapter's answer stream as the relay feeds it while holding back (in pieces). */
export function answerEvents(stream: AnswerStream, bytes: string | Iterable<Uint8Array>, piece = 37): StreamEvent[] {
  const events: unknown[] = [];
  const chunks =
    typeof bytes === 'string'
      ? Array.from({ length: Math.ceil(bytes.length / piece) }, (_, i) => Buffer.from(bytes.slice(i * piece, (i + 1) * piece)))
      : bytes;
  for (const chunk of chunks) events.push(...stream.held(Buffer.from(chunk)).events);
  events.push(...stream.held(null).events);
  return events as StreamEvent[];
}

/** Accumulates the events with @anthropic-ai/sdk's MessageStream, as Claude Code's client does. */
export async function sdkFinalMessage(events: readonly StreamEvent[]): Promise<SdkMessage> {
  const lines = events.map((e) => JSON.stringify(e) + '\n').join('');
  const stream = MessageStream.fromReadableStream(new Blob([lines]).stream());
  return stream.finalMessage();
}

export type Accumulated = { message: Message | null; error: { type: string; message: string } | null; stopped: boolean };

/**
 * Applies events as MessageStream#accumulateMessage does, and fails on anything a client would
 * choke on: a block start whose index is not the next one, a delta or stop for a block that is not
 * the open one, a block left open, events after message_stop or error.
 */
export function accumulate(events: readonly StreamEvent[]): Accumulated {
  let message: Message | null = null;
  let open: number | null = null;
  let error: Accumulated['error'] = null;
  let stopped = false;
  const json: string[] = [];
  for (const e of events) {
    expect(stopped || error !== null, `event ${e.type} after the end`).toBe(false);
    switch (e.type) {
      case 'message_start':
        expect(message).toBeNull();
        message = structuredClone(e.message);
        break;
      case 'content_block_start':
        expect(message).not.toBeNull();
        expect(open, 'a block starts while another is open').toBeNull();
        expect(e.index).toBe(message!.content.length);
        message!.content.push(structuredClone(e.content_block));
        json[e.index] = '';
        open = e.index;
        break;
      case 'content_block_delta': {
        expect(e.index).toBe(open);
        const block = message!.content[e.index] as ContentBlock;
        const d = e.delta;
        if (d.type === 'text_delta' && block.type === 'text') block.text += d.text;
        else if (d.type === 'thinking_delta' && block.type === 'thinking') block.thinking += d.thinking;
        else if (d.type === 'signature_delta' && block.type === 'thinking') block.signature = d.signature;
        else if (d.type === 'input_json_delta' && block.type === 'tool_use') json[e.index] += d.partial_json;
        else throw new Error(`delta ${d.type} does not fit block ${block.type}`);
        break;
      }
      case 'content_block_stop': {
        expect(e.index).toBe(open);
        const block = message!.content[e.index];
        if (block.type === 'tool_use' && json[e.index] !== '') block.input = JSON.parse(json[e.index]);
        open = null;
        break;
      }
      case 'message_delta':
        expect(open, 'message_delta while a block is open').toBeNull();
        message!.stop_reason = e.delta.stop_reason;
        message!.usage = { ...message!.usage, ...e.usage };
        break;
      case 'message_stop':
        stopped = true;
        break;
      case 'ping':
        break;
      case 'error':
        error = e.error;
        break;
    }
  }
  return { message, error, stopped };
}
