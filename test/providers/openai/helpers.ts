// Test helpers for the OpenAI adapter: read fixtures, pipe SSE through a transform, accumulate the
// Anthropic events the way the SDK's MessageStream does, and check the stream's structural rules.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { ContentBlock, Message, StreamEvent } from '../../../proxy/wire/types.ts';
import type { EventTransform } from '../../../proxy/providers/provider.ts';
import { createSSEParser, type SSEEvent } from '../../../proxy/wire/sse.ts';

export function fixture(name: string): string {
  return readFileSync(fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url)), 'utf8');
}

export function sseEvents(text: string): SSEEvent[] {
  const parser = createSSEParser();
  return [...parser.push(text), ...parser.end()];
}

/** The JSON payloads of an OpenAI SSE fixture (without `[DONE]`). */
export function chunks(text: string): Record<string, unknown>[] {
  return sseEvents(text)
    .filter((e) => e.data !== '[DONE]')
    .map((e) => JSON.parse(e.data) as Record<string, unknown>);
}

export function run(transform: EventTransform, events: SSEEvent[]): StreamEvent[] {
  return [...events.flatMap((e) => transform.transform(e)), ...transform.flush()];
}

export type Accumulated = { message: Message | null; error: { type: string; message: string } | null; stopped: boolean };

/**
 * Applies events as MessageStream#accumulateMessage does, and fails on anything a client would
 * choke on: a block start whose index is not the next one, a delta or stop for a block that is not
 * the open one, a block left open, events after message_stop or error.
 */
export function accumulate(events: StreamEvent[]): Accumulated {
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
