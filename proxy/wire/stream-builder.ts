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

type BuilderOptions = { model: string; id?: string; inputTokens?: number };

/** What the builder has sent so far: whether the message started or ended, and the open block. */
type BuilderState = {
  opts: BuilderOptions;
  started: boolean;
  finished: boolean;
  index: number;
  open: ContentBlock['type'] | null;
  pendingSignature: string | null;
};

export function createMessageBuilder(opts: BuilderOptions): MessageBuilder {
  const s: BuilderState = { opts, started: false, finished: false, index: -1, open: null, pendingSignature: null };
  /** The events `step` adds, none once the message has ended. */
  const emit = (step: (out: StreamEvent[]) => void): StreamEvent[] => {
    const out: StreamEvent[] = [];
    if (!s.finished) step(out);
    return out;
  };
  const thinkingBlock = (out: StreamEvent[]) => {
    if (s.open !== 'thinking') openBlock(s, out, { type: 'thinking', thinking: '', signature: '' });
  };
  return {
    text: (text) =>
      emit((out) => {
        if (text === '') return;
        if (s.open !== 'text') openBlock(s, out, { type: 'text', text: '' });
        out.push({ type: 'content_block_delta', index: s.index, delta: { type: 'text_delta', text } });
      }),
    thinking: (text) =>
      emit((out) => {
        thinkingBlock(out);
        if (text !== '') out.push({ type: 'content_block_delta', index: s.index, delta: { type: 'thinking_delta', thinking: text } });
      }),
    signature: (signature) =>
      emit((out) => {
        thinkingBlock(out);
        s.pendingSignature = signature;
      }),
    toolUse: (id, name) => emit((out) => openBlock(s, out, { type: 'tool_use', id, name, input: {} })),
    toolInput: (partialJson) =>
      emit((out) => {
        if (s.open === 'tool_use' && partialJson !== '')
          out.push({ type: 'content_block_delta', index: s.index, delta: { type: 'input_json_delta', partial_json: partialJson } });
      }),
    finish: (stopReason, usage) => emit((out) => finishMessage(s, out, stopReason, usage)),
    error: (type, message) =>
      emit((out) => {
        s.finished = true;
        out.push({ type: 'error', error: { type, message } });
      }),
    get hasContent() {
      return s.index >= 0;
    },
    get finished() {
      return s.finished;
    },
  };
}

function start(s: BuilderState, out: StreamEvent[]): void {
  if (s.started) return;
  s.started = true;
  out.push({
    type: 'message_start',
    message: {
      id: s.opts.id ?? newMessageId(),
      type: 'message',
      role: 'assistant',
      model: s.opts.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: s.opts.inputTokens ?? 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    },
  });
}

function close(s: BuilderState, out: StreamEvent[]): void {
  if (s.open === null) return;
  if (s.open === 'thinking') {
    out.push({ type: 'content_block_delta', index: s.index, delta: { type: 'signature_delta', signature: s.pendingSignature ?? '' } });
    s.pendingSignature = null;
  }
  out.push({ type: 'content_block_stop', index: s.index });
  s.open = null;
}

function openBlock(s: BuilderState, out: StreamEvent[], block: ContentBlock): void {
  start(s, out);
  close(s, out);
  s.index++;
  s.open = block.type;
  out.push({ type: 'content_block_start', index: s.index, content_block: block });
}

function finishMessage(s: BuilderState, out: StreamEvent[], stopReason: StopReason, usage: Usage): void {
  start(s, out);
  close(s, out);
  s.finished = true;
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
}
