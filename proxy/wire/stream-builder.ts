// Builds a well-formed Anthropic SSE event sequence from a translated upstream stream: one open block
// at a time, indexes 0,1,2…, message_start before any block and message_delta/message_stop at the end.

import type { ContentBlock, ErrorType, StopReason, StreamEvent, Usage } from './types.ts';
import { randomBytes } from 'node:crypto';

export type MessageBuilder = {
  /** Text for a text block (opens one unless a text block is open). Empty text opens nothing. */
  text(text: string): StreamEvent[];
  /** Reasoning text for a thinking block. */
  thinking(text: string): StreamEvent[];
  /** Sent just before the thinking block closes, as Claude Code rebuilds blocks from deltas. */
  signature(signature: string): StreamEvent[];
  /** Opens a tool_use block; its input follows as `toolInput` fragments. */
  toolUse(id: string, name: string): StreamEvent[];
  toolInput(partialJson: string): StreamEvent[];
  /** Closes what is open, then message_delta (with the usage totals) and message_stop. */
  finish(stopReason: StopReason, usage: Usage): StreamEvent[];
  /** An error event ends the stream (an upstream failure after the start). */
  error(type: ErrorType, message: string): StreamEvent[];
  /** True once any block was opened. */
  readonly hasContent: boolean;
  readonly finished: boolean;
};

export function newMessageId(): string {
  return 'msg_' + randomBytes(12).toString('base64url');
}

export function newToolUseId(): string {
  return 'toolu_' + randomBytes(12).toString('base64url');
}

/** Anthropic refuses a history tool_use id outside this pattern (400 when the conversation goes back). */
const TOOL_USE_ID = /^[a-zA-Z0-9_-]+$/;

/**
 * An upstream tool-call id as a tool_use id: kept when Anthropic would take it and it is not taken yet
 * (in this answer or earlier in the conversation: ids must be unique), else a new `toolu_` id. Kimi K2,
 * for one, names its calls `functions.<name>:<index>`, the same again every turn.
 */
export function toolUseIdFor(upstreamId: string | undefined, taken: ReadonlySet<string>): string {
  return upstreamId && TOOL_USE_ID.test(upstreamId) && !taken.has(upstreamId) ? upstreamId : newToolUseId();
}

export function createMessageBuilder(opts: { model: string; id?: string; inputTokens?: number }): MessageBuilder {
  let started = false;
  let finished = false;
  let index = -1;
  let open: ContentBlock['type'] | null = null;
  let pendingSignature: string | null = null;

  function start(out: StreamEvent[]): void {
    if (started) return;
    started = true;
    out.push({
      type: 'message_start',
      message: {
        id: opts.id ?? newMessageId(),
        type: 'message',
        role: 'assistant',
        model: opts.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: opts.inputTokens ?? 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      },
    });
  }

  function close(out: StreamEvent[]): void {
    if (open === null) return;
    if (open === 'thinking') {
      out.push({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: pendingSignature ?? '' } });
      pendingSignature = null;
    }
    out.push({ type: 'content_block_stop', index });
    open = null;
  }

  function openBlock(out: StreamEvent[], block: ContentBlock): void {
    start(out);
    close(out);
    index++;
    open = block.type;
    out.push({ type: 'content_block_start', index, content_block: block });
  }

  return {
    text(text) {
      const out: StreamEvent[] = [];
      if (finished || text === '') return out;
      if (open !== 'text') openBlock(out, { type: 'text', text: '' });
      out.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } });
      return out;
    },
    thinking(text) {
      const out: StreamEvent[] = [];
      if (finished) return out;
      if (open !== 'thinking') openBlock(out, { type: 'thinking', thinking: '', signature: '' });
      if (text !== '') out.push({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: text } });
      return out;
    },
    signature(signature) {
      const out: StreamEvent[] = [];
      if (finished) return out;
      if (open !== 'thinking') openBlock(out, { type: 'thinking', thinking: '', signature: '' });
      pendingSignature = signature;
      return out;
    },
    toolUse(id, name) {
      const out: StreamEvent[] = [];
      if (finished) return out;
      openBlock(out, { type: 'tool_use', id, name, input: {} });
      return out;
    },
    toolInput(partialJson) {
      const out: StreamEvent[] = [];
      if (finished || open !== 'tool_use' || partialJson === '') return out;
      out.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: partialJson } });
      return out;
    },
    finish(stopReason, usage) {
      const out: StreamEvent[] = [];
      if (finished) return out;
      start(out);
      close(out);
      finished = true;
      out.push({
        type: 'message_delta',
        delta: { stop_reason: stopReason, stop_sequence: null },
        usage: {
          input_tokens: usage.input_tokens,
          output_tokens: usage.output_tokens,
          cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
          cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
        },
      });
      out.push({ type: 'message_stop' });
      return out;
    },
    error(type, message) {
      if (finished) return [];
      finished = true;
      return [{ type: 'error', error: { type, message } }];
    },
    get hasContent() {
      return index >= 0;
    },
    get finished() {
      return finished;
    },
  };
}
