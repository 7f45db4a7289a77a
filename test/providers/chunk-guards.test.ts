// Upstream chunks are checked before a converter reads them (issue 20, item 4): one of the wrong shape
// is skipped with a warning that reaches the log, the rest of the answer still converts, and the bytes
// of a passed-through Anthropic stream still pass as they came.

import { afterEach, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { fixture, startFakeUpstream } from '../helpers/fake-upstream.ts';
import { startHarness } from '../helpers/harness.ts';
import { sseJson } from '../../test-support/sse.ts';
import { createOpenAIStreamTransform } from '../../proxy/providers/openai/openai-stream.ts';
import { createGeminiStreamTransform } from '../../proxy/providers/gemini/gemini-stream.ts';
import { createConversationStore } from '../../proxy/providers/provider.ts';
import { createPassThroughStream } from '../../proxy/providers/anthropic/anthropic-stream.ts';
import { anthropicEventOf } from '../../proxy/providers/anthropic/anthropic-event.ts';
import { translatedStream } from '../../proxy/providers/translated.ts';
import { encodeSSE } from '../../proxy/wire/sse.ts';
import { accumulate } from '../helpers/events.ts';
import { UpstreamResponseError, type ProviderAdapter } from '../../proxy/providers/provider.ts';
import { openaiAdapter } from '../../proxy/providers/openai/openai-adapter.ts';
import { anthropicVendorAdapter } from '../../proxy/providers/anthropic/anthropic-vendor-adapter.ts';
import type { TierConfig } from '../../proxy/config.ts';

const data = (value: unknown) => ({ data: JSON.stringify(value) });

describe('OpenAI chunk guard', () => {
  it('skips a chunk whose choices or tool_calls are not lists, warns, and converts the rest', () => {
    const warnings: string[] = [];
    const t = createOpenAIStreamTransform({ model: 'gpt-4.1', toolNames: {} }, 'm', (w) => warnings.push(w));
    const events = [
      data({ choices: [{ index: 0, delta: { content: 'Hel' }, finish_reason: null }] }),
      data({ choices: 'not a list' }),
      data({ choices: [{ index: 0, delta: { tool_calls: { index: 0 } }, finish_reason: null }] }),
      data({ choices: [{ index: 0, delta: { content: 'lo' }, finish_reason: 'stop' }] }),
      { data: '[DONE]' },
    ].flatMap((e) => t.transform(e));
    const { message, error } = accumulate([...events, ...t.flush()]);
    expect(error).toBeNull();
    expect(message!.content).toEqual([{ type: 'text', text: 'Hello' }]);
    expect(warnings).toEqual([
      'skipped a stream chunk whose choices are not a list of objects',
      'skipped a stream chunk whose tool_calls are not a list of tool-call deltas',
    ]);
  });
});

describe('Gemini chunk guard', () => {
  it('skips a chunk whose parts or functionCall are of the wrong kind, warns, and converts the rest', () => {
    const warnings: string[] = [];
    const t = createGeminiStreamTransform({ store: createConversationStore(), names: {} }, 'm', (w) => warnings.push(w));
    const events = [
      data({ candidates: [{ content: { role: 'model', parts: [{ text: 'Hel' }] } }] }),
      data({ candidates: [{ content: { parts: 'lo' } }] }),
      data({ candidates: [{ content: { parts: [{ functionCall: 'Read' }] } }] }),
      data({
        candidates: [{ content: { role: 'model', parts: [{ text: 'lo' }] }, finishReason: 'STOP' }],
        usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 2 },
      }),
    ].flatMap((e) => t.transform(e));
    const { message, error } = accumulate([...events, ...t.flush()]);
    expect(error).toBeNull();
    expect(message!.content).toEqual([{ type: 'text', text: 'Hello' }]);
    expect(message!.usage).toMatchObject({ input_tokens: 3, output_tokens: 2 });
    expect(warnings).toEqual([
      'skipped a Gemini chunk whose parts are not a list of parts',
      'skipped a Gemini chunk whose parts are not a list of parts',
    ]);
  });

  it('hands the warnings to the relay with the piece they came from, the tier key redacted', () => {
    const stream = translatedStream(
      (warn) => ({ transform: () => (warn('skipped a chunk quoting sk-secret-key'), []), flush: () => [] }),
      ['sk-secret-key'],
    );
    expect(stream.held(Buffer.from('data: {}\n\n')).warnings).toEqual(['skipped a chunk quoting [redacted]']);
    expect(stream.held(Buffer.from('data: {}\n\n')).warnings).toEqual(['skipped a chunk quoting [redacted]']); // each warning once
  });
});

describe('Anthropic event guard', () => {
  it('passes the shapes of the streaming reference and refuses malformed ones with a reason', () => {
    const warnings: string[] = [];
    const warn = (w: string) => void warnings.push(w);
    expect(anthropicEventOf({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'x' } }, warn)).not.toBeNull();
    expect(anthropicEventOf({ type: 'error', error: { type: 'overloaded_error' } }, warn)).toEqual({
      type: 'error',
      error: { type: 'overloaded_error', message: 'upstream stream error' },
    });
    expect(anthropicEventOf({ type: 'some_future_event' }, warn)).toBeNull(); // unknown types are allowed to appear, and ignored
    expect(warnings).toEqual([]);
    expect(anthropicEventOf({ type: 'content_block_start', index: '0', content_block: { type: 'text' } }, warn)).toBeNull();
    expect(anthropicEventOf({ type: 'message_delta', delta: {}, usage: { output_tokens: 'many' } }, warn)).toBeNull();
    expect(anthropicEventOf({ type: 'error', error: 'overloaded' }, warn)).toBeNull();
    expect(anthropicEventOf(new Error('Unexpected token'), warn)).toBeNull();
    expect(warnings).toEqual([
      'skipped a content_block_start event without an index',
      'skipped a message_delta event whose usage.output_tokens is not a number',
      'skipped a error event without an error type',
      'skipped an event that is not JSON (Unexpected token)',
    ]);
  });

  it('still passes the bytes of a malformed event on pass-through, and the relay sees only well-formed events', () => {
    const stream = createPassThroughStream({ 'content-type': 'text/event-stream' });
    const chunk = Buffer.from(
      encodeSSE('content_block_start', { type: 'content_block_start', content_block: { type: 'text', text: '' } }) +
        encodeSSE('message_stop', { type: 'message_stop' }),
    );
    const relayed = stream.held(chunk);
    expect(relayed.out).toBe(chunk);
    expect(relayed.events).toEqual([{ type: 'message_stop' }]);
    expect(relayed.warnings).toEqual(['skipped a content_block_start event without an index']);
  });
});

describe('whole answers of the wrong shape', () => {
  it('are an upstream failure (that may fall back), not an exception, for OpenAI and an Anthropic-compatible vendor', () => {
    const tier = { name: 'x', protocol: 'openai', baseUrl: 'http://127.0.0.1:9', apiKey: 'k', model: 'gpt-4.1' } as unknown as TierConfig;
    const req = {
      body: { model: 'claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user' as const, content: 'hi' }] },
      raw: Buffer.from('{}'),
      path: '/v1/messages',
      headers: {},
    };
    const whole = (adapter: ProviderAdapter, t: TierConfig, json: unknown) => () =>
      adapter
        .prepare(req, { tier: t, model: 'm', stream: false, store: createConversationStore() })
        .answer.whole({ text: JSON.stringify(json), json, headers: {} });
    expect(whole(openaiAdapter, tier, { choices: 'none' })).toThrow(UpstreamResponseError);
    expect(whole(openaiAdapter, tier, { choices: [{ message: { tool_calls: 'Read' } }] })).toThrow(
      'upstream sent an answer whose tool_calls are not a list of tool calls',
    );
    const vendor = { ...tier, protocol: 'anthropic', vendor: 'deepseek' } as TierConfig;
    expect(whole(anthropicVendorAdapter, vendor, { type: 'message', content: 'hello', usage: {} })).toThrow(
      'x sent an answer whose content is not a list of blocks',
    );
  });
});

describe('a skipped chunk through the real proxy', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanup.length) await cleanup.pop()!();
  });

  it("reaches Claude Code's answer whole without it, and the proxy's log with the tier's name", async () => {
    const text = fixture('openai-stream-text.sse');
    // A chunk whose choices are not a list, in the middle of a recorded answer.
    const frames = text.split('\n\n');
    const broken = [...frames.slice(0, 2), 'data: {"choices":{"0":{"delta":{"content":"garbage"}}}}', ...frames.slice(2)].join('\n\n');
    const up = await startFakeUpstream(() => ({ kind: 'sse', text: broken }));
    const h = await startHarness({
      tiers: [{ name: 'gpt', protocol: 'openai', base_url: up.url, api_key: 'sk-gpt-key', model: 'gpt-4.1' }],
    });
    cleanup.push(
      () => up.close(),
      () => h.close(),
    );
    const client = new Anthropic({ apiKey: 'sk-ant-client', baseURL: h.url, maxRetries: 0 });
    const message = await client.messages
      .stream({ model: 'claude-sonnet-4-6', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] })
      .finalMessage();
    const expected = sseJson(text)
      .map((c) => (c as { choices?: { delta?: { content?: string | null } }[] }).choices?.[0]?.delta?.content ?? '')
      .join('');
    expect(message.content).toEqual([expect.objectContaining({ type: 'text', text: expected })]);
    expect(h.logs).toContain('gpt: skipped a stream chunk whose choices are not a list of objects');
  });
});
