// Gemini SSE fixtures through createSSEParser and createGeminiStreamTransform, accumulated by the SDK.

import { describe, expect, it } from 'vitest';
import { decodeProxySignature } from '../../../proxy/wire/proxy-signature.ts';
import type { StreamEvent } from '../../../proxy/wire/types.ts';
import { createGeminiStreamTransform } from '../../../proxy/providers/gemini/gemini-stream.ts';
import { thoughtSignatureKey } from '../../../proxy/providers/gemini/gemini-thought-signature.ts';
import { createConversationStore } from '../../../proxy/providers/provider.ts';
import { fixture } from '../../helpers/fake-upstream.ts';
import { run, sdkFinalMessage, sseEvents } from '../../helpers/events.ts';
import { fixtureChunks } from './helpers.ts';

function context() {
  return { store: createConversationStore(), names: {} };
}

function expectSequentialIndexes(events: StreamEvent[]): void {
  const starts = events.filter((e) => e.type === 'content_block_start').map((e) => (e as { index: number }).index);
  expect(starts).toEqual(starts.map((_, i) => i));
  // Blocks never interleave: every delta and stop belongs to the most recently started block.
  let open = -1;
  for (const e of events) {
    if (e.type === 'content_block_start') {
      expect(open).toBe(-1);
      open = e.index;
    } else if (e.type === 'content_block_delta') expect(e.index).toBe(open);
    else if (e.type === 'content_block_stop') {
      expect(e.index).toBe(open);
      open = -1;
    }
  }
  expect(open).toBe(-1);
}

describe('createGeminiStreamTransform on gemini-stream-text.sse (CRLF framed)', () => {
  const text = fixture('gemini-stream-text.sse');
  const chunks = fixtureChunks(text);
  const last = chunks[chunks.length - 1].usageMetadata!;

  it('yields one text block equal to the concatenated fixture texts, end_turn, and usage from the last usageMetadata', async () => {
    expect(text).toContain('\r\n\r\n');
    const events = run(createGeminiStreamTransform(context(), 'claude-sonnet-4-5'), sseEvents(text));
    expectSequentialIndexes(events);
    const message = await sdkFinalMessage(events);
    const expectedText = chunks.flatMap((c) => c.candidates![0].content!.parts!.map((p) => p.text)).join('');
    expect(message.content).toEqual([{ type: 'text', text: expectedText }]);
    expect(message.model).toBe('claude-sonnet-4-5');
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.input_tokens).toBe(last.promptTokenCount! - (last.cachedContentTokenCount ?? 0));
    expect(message.usage.output_tokens).toBe(last.candidatesTokenCount! + last.thoughtsTokenCount!);
    expect(message.usage.cache_read_input_tokens).toBe(last.cachedContentTokenCount ?? 0);
    expect(events[events.length - 1]).toEqual({ type: 'message_stop' });
  });

  it('turns a stream cut before its finishReason into an api_error event, not a clean end', () => {
    const events = run(createGeminiStreamTransform(context(), 'm'), sseEvents(text).slice(0, -1));
    const tail = events[events.length - 1];
    expect(tail.type).toBe('error');
    expect(tail).toMatchObject({ error: { type: 'api_error' } });
    expect(events.some((e) => e.type === 'message_stop' || e.type === 'message_delta')).toBe(false);
  });

  it('answers an empty stream with an error event', () => {
    expect(run(createGeminiStreamTransform(context(), 'm'), [])).toEqual([
      { type: 'error', error: { type: 'api_error', message: expect.stringContaining('finishReason') } },
    ]);
  });
});

describe('createGeminiStreamTransform on gemini-stream-function-call.sse', () => {
  const text = fixture('gemini-stream-function-call.sse');
  const chunks = fixtureChunks(text);
  const parts = chunks.flatMap((c) => c.candidates![0].content!.parts!);
  const calls = parts.filter((p) => p.functionCall);
  const signed = calls.find((p) => p.thoughtSignature)!;
  const last = chunks[chunks.length - 1].usageMetadata!;

  it('maps thought, text and each whole functionCall to blocks with ids, args and tool_use', async () => {
    const events = run(createGeminiStreamTransform(context(), 'claude-sonnet-4-5'), sseEvents(text));
    expectSequentialIndexes(events);
    const message = await sdkFinalMessage(events);
    expect(message.stop_reason).toBe('tool_use');

    const thoughts = parts
      .filter((p) => p.thought)
      .map((p) => p.text)
      .join('');
    const texts = parts
      .filter((p) => p.text !== undefined && !p.thought)
      .map((p) => p.text)
      .join('');
    const thinking = message.content.filter((b) => b.type === 'thinking');
    expect(thinking.map((b) => b.thinking).join('')).toBe(thoughts);
    expect(
      message.content
        .filter((b) => b.type === 'text')
        .map((b) => b.text)
        .join(''),
    ).toBe(texts);

    const tools = message.content.filter((b) => b.type === 'tool_use');
    expect(tools.map((b) => ({ id: b.id, name: b.name, input: b.input }))).toEqual(
      calls.map((p) => ({ id: p.functionCall!.id, name: p.functionCall!.name, input: p.functionCall!.args })),
    );
    expect(message.usage.input_tokens).toBe(last.promptTokenCount! - (last.cachedContentTokenCount ?? 0));
    expect(message.usage.output_tokens).toBe(last.candidatesTokenCount! + last.thoughtsTokenCount!);
  });

  it('sends each tool input as exactly one input_json_delta', () => {
    const events = run(createGeminiStreamTransform(context(), 'm'), sseEvents(text));
    const deltas = events.filter((e) => e.type === 'content_block_delta' && e.delta.type === 'input_json_delta');
    expect(deltas.map((e) => JSON.parse((e as { delta: { partial_json: string } }).delta.partial_json))).toEqual(
      calls.map((p) => p.functionCall!.args),
    );
  });

  it('keeps the thoughtSignature in the store and in a proxy-signed thinking block before the signed call', async () => {
    const ctx = context();
    const message = await sdkFinalMessage(run(createGeminiStreamTransform(ctx, 'm'), sseEvents(text)));
    const id = signed.functionCall!.id!;
    expect(ctx.store.get(thoughtSignatureKey(id))).toBe(signed.thoughtSignature);
    const unsignedIds = calls.filter((p) => !p.thoughtSignature).map((p) => p.functionCall!.id!);
    for (const other of unsignedIds) expect(ctx.store.get(thoughtSignatureKey(other))).toBeUndefined();

    const carrying = message.content.findIndex(
      (b) => b.type === 'thinking' && decodeProxySignature(b.signature)?.state?.[id] !== undefined,
    );
    expect(carrying).toBeGreaterThanOrEqual(0);
    const block = message.content[carrying] as { signature: string };
    expect(decodeProxySignature(block.signature)).toEqual({ provider: 'gemini', state: { [id]: signed.thoughtSignature } });
    expect(message.content[carrying + 1]).toMatchObject({ type: 'tool_use', id });
    // Every thinking block the proxy made is marked as ours, so it can never reach Anthropic as genuine.
    for (const b of message.content) if (b.type === 'thinking') expect(decodeProxySignature(b.signature)?.provider).toBe('gemini');
  });

  it('mints toolu_ ids for calls Gemini sent without an id', async () => {
    const noIds = text.replace(/"id":"fc_[a-z0-9]+",/g, '');
    expect(noIds).not.toContain('fc_');
    const message = await sdkFinalMessage(run(createGeminiStreamTransform(context(), 'm'), sseEvents(noIds)));
    const ids = message.content.filter((b) => b.type === 'tool_use').map((b) => b.id);
    expect(ids).toHaveLength(calls.length);
    for (const id of ids) expect(id).toMatch(/^toolu_[A-Za-z0-9_-]+$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('maps a function name that Gemini got in its encoded form back to the Anthropic tool name', async () => {
    const renamed = text.replace('"name":"Bash"', '"name":"mcp__x_abc12345"');
    const ctx = { store: createConversationStore(), names: { mcp__x_abc12345: 'mcp__x/y' } };
    const message = await sdkFinalMessage(run(createGeminiStreamTransform(ctx, 'm'), sseEvents(renamed)));
    expect(message.content.filter((b) => b.type === 'tool_use').map((b) => b.name)).toEqual(['Read', 'mcp__x/y']);
  });
});

describe('createGeminiStreamTransform: finish reasons and in-stream errors', () => {
  const data = (v: unknown) => ({ data: JSON.stringify(v) });
  const textChunk = (finishReason?: string) =>
    data({
      candidates: [{ content: { role: 'model', parts: [{ text: 'Hi' }] }, ...(finishReason ? { finishReason } : {}) }],
      usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 1 },
    });
  const stopOf = (events: StreamEvent[]) =>
    events.find((e) => e.type === 'message_delta') as { delta: { stop_reason: string } } | undefined;

  it.each([
    ['MAX_TOKENS', 'max_tokens'],
    ['SAFETY', 'refusal'],
    ['RECITATION', 'refusal'],
    ['PROHIBITED_CONTENT', 'refusal'],
    ['BLOCKLIST', 'refusal'],
    ['SPII', 'refusal'],
    ['IMAGE_SAFETY', 'refusal'],
  ])('finishReason %s becomes stop_reason %s', (reason, stop) => {
    const events = run(createGeminiStreamTransform(context(), 'm'), [textChunk(reason)]);
    expect(stopOf(events)?.delta.stop_reason).toBe(stop);
  });

  it.each(['MALFORMED_FUNCTION_CALL', 'UNEXPECTED_TOOL_CALL', 'TOO_MANY_TOOL_CALLS', 'OTHER'])(
    'finishReason %s becomes an api_error event',
    (reason) => {
      const events = run(createGeminiStreamTransform(context(), 'm'), [textChunk(), textChunk(reason)]);
      expect(events[events.length - 1]).toEqual({ type: 'error', error: { type: 'api_error', message: expect.stringContaining(reason) } });
      expect(stopOf(events)).toBeUndefined();
    },
  );

  it('a blocked prompt (promptFeedback.blockReason, no candidates) is a refusal', () => {
    const events = run(createGeminiStreamTransform(context(), 'm'), [
      data({ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, usageMetadata: { promptTokenCount: 5 } }),
    ]);
    expect(stopOf(events)?.delta.stop_reason).toBe('refusal');
    expect(events[events.length - 1]).toEqual({ type: 'message_stop' });
  });

  it('an in-stream {"error":…} chunk becomes an error event of the mapped type and ends the stream', () => {
    const t = createGeminiStreamTransform(context(), 'm');
    const events = run(t, [
      textChunk(),
      data({ error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } }),
      textChunk('STOP'),
    ]);
    const errors = events.filter((e) => e.type === 'error');
    expect(errors).toEqual([{ type: 'error', error: { type: 'overloaded_error', message: expect.stringContaining('overloaded') } }]);
    expect(events[events.length - 1].type).toBe('error');
  });

  it('a chunk that is not JSON becomes an api_error event', () => {
    const events = run(createGeminiStreamTransform(context(), 'm'), [{ data: '{"candidates":[' }]);
    expect(events).toEqual([{ type: 'error', error: { type: 'api_error', message: expect.any(String) } }]);
  });

  it('takes a usage total that arrives after the finishReason chunk', () => {
    const events = run(createGeminiStreamTransform(context(), 'm'), [
      textChunk('STOP'),
      data({ usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 7, thoughtsTokenCount: 3, cachedContentTokenCount: 4 } }),
    ]);
    const delta = events.find((e) => e.type === 'message_delta') as { usage: Record<string, number> };
    expect(delta.usage).toMatchObject({ input_tokens: 6, output_tokens: 10, cache_read_input_tokens: 4 });
  });
});
