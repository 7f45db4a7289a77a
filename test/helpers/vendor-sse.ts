// Answers the vendor fakes stream, built from a small script (what the model "says"), and readers for
// SSE the tests get back (test-support/sse.ts): no code of the proxy is used, so a fake cannot agree
// with the proxy by accident.

import { randomBytes, randomUUID } from 'node:crypto';

/** What a scripted model turn contains, in order: thinking, text, tool calls. */
export type Turn = { thinking?: string; text?: string; calls?: { name: string; input: Record<string, unknown>; id?: string }[] };

export const toolUseId = () => 'toolu_' + randomBytes(12).toString('base64url');

type AnthropicBlock =
  | { type: 'thinking'; thinking: string; signature?: string }
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown };

/**
 * An Anthropic Messages SSE answer. `signature` signs the thinking block (undefined: no signature at
 * all, as DeepSeek sometimes streams); tool calls get `id` or a fresh toolu_ id.
 */
export function anthropicSSE(
  turn: Turn,
  opts: { model: string; signature?: string; messageId?: string; inputTokens?: number },
): { sse: string; blocks: AnthropicBlock[] } {
  const blocks: AnthropicBlock[] = [];
  if (turn.thinking !== undefined)
    blocks.push({ type: 'thinking', thinking: turn.thinking, ...(opts.signature !== undefined ? { signature: opts.signature } : {}) });
  if (turn.text) blocks.push({ type: 'text', text: turn.text });
  for (const c of turn.calls ?? []) blocks.push({ type: 'tool_use', id: c.id ?? toolUseId(), name: c.name, input: c.input });
  const frames: string[] = [];
  const ev = (type: string, data: object) => frames.push(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  ev('message_start', {
    message: {
      id: opts.messageId ?? 'msg_' + randomBytes(12).toString('base64url'),
      type: 'message',
      role: 'assistant',
      model: opts.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: opts.inputTokens ?? 100, output_tokens: 1 },
    },
  });
  blocks.forEach((b, index) => {
    if (b.type === 'thinking') {
      ev('content_block_start', {
        index,
        content_block: { type: 'thinking', thinking: '', ...(b.signature !== undefined ? { signature: '' } : {}) },
      });
      ev('content_block_delta', { index, delta: { type: 'thinking_delta', thinking: b.thinking } });
      if (b.signature !== undefined) ev('content_block_delta', { index, delta: { type: 'signature_delta', signature: b.signature } });
    } else if (b.type === 'text') {
      ev('content_block_start', { index, content_block: { type: 'text', text: '' } });
      ev('content_block_delta', { index, delta: { type: 'text_delta', text: b.text } });
    } else {
      ev('content_block_start', { index, content_block: { type: 'tool_use', id: b.id, name: b.name, input: {} } });
      ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(b.input) } });
    }
    ev('content_block_stop', { index });
  });
  ev('message_delta', {
    delta: { stop_reason: turn.calls?.length ? 'tool_use' : 'end_turn', stop_sequence: null },
    usage: { output_tokens: 20 },
  });
  ev('message_stop', {});
  return { sse: frames.join(''), blocks };
}

/** A DeepSeek-style signature: opaque; a UUID in May 2026, base64 later (https://github.com/NousResearch/hermes-agent/pull/21048). */
export const deepSeekSignature = () => Buffer.from(randomUUID()).toString('base64');

export type GeminiCallOut = { name: string; args: Record<string, unknown>; id?: string; thoughtSignature?: string };

/** A Gemini streamGenerateContent?alt=sse answer: thought summary, text, then each call in its own chunk. */
export function geminiSSE(turn: { thought?: string; text?: string; calls?: GeminiCallOut[] }, model: string): string {
  const chunk = (parts: object[], finish?: string) =>
    `data: ${JSON.stringify({
      candidates: [{ content: { parts, role: 'model' }, index: 0, ...(finish ? { finishReason: finish } : {}) }],
      usageMetadata: { promptTokenCount: 120, candidatesTokenCount: 30, totalTokenCount: 150 },
      modelVersion: model,
      responseId: randomBytes(9).toString('base64url'),
    })}\r\n\r\n`;
  const chunks: string[] = [];
  if (turn.thought) chunks.push(chunk([{ text: turn.thought, thought: true }]));
  if (turn.text) chunks.push(chunk([{ text: turn.text }]));
  for (const c of turn.calls ?? []) {
    const part: Record<string, unknown> = { functionCall: { name: c.name, args: c.args, ...(c.id ? { id: c.id } : {}) } };
    if (c.thoughtSignature) part.thoughtSignature = c.thoughtSignature;
    chunks.push(chunk([part]));
  }
  chunks.push(chunk([{ text: '' }], 'STOP'));
  return chunks.join('');
}

export type OpenAIDelta = Record<string, unknown>;

/** An OpenAI Chat Completions stream from raw deltas (the vendor quirks live in the deltas). */
export function openAISSE(deltas: OpenAIDelta[], finish: string, model: string, extraChoiceFields: Record<string, unknown> = {}): string {
  const id = 'chatcmpl-' + randomBytes(8).toString('hex');
  const frame = (choice: object | null, usage?: object) =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 1767225600, model, choices: choice ? [choice] : [], ...(usage ? { usage } : {}) })}\n\n`;
  const frames = deltas.map((delta) => frame({ index: 0, delta, finish_reason: null, ...extraChoiceFields }));
  frames.push(frame({ index: 0, delta: {}, finish_reason: finish }));
  frames.push(frame(null, { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 }));
  return frames.join('') + 'data: [DONE]\n\n';
}
