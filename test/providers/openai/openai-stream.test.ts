// The OpenAI → Anthropic stream transform, driven by the recorded-shape fixtures.

import { describe, expect, it } from 'vitest';
import { decodeProxySignature } from '../../../proxy/wire/proxy-signature.ts';
import type { StreamEvent } from '../../../proxy/wire/types.ts';
import { createOpenAIStreamTransform } from '../../../proxy/providers/openai/openai-stream.ts';
import { toOpenAIToolName } from '../../../proxy/providers/openai/openai-tool-names.ts';
import type { OpenAIContext } from '../../../proxy/providers/openai/openai-types.ts';
import { fixture } from '../../helpers/fake-upstream.ts';
import { accumulate, run, sdkFinalMessage, sseEvents } from '../../helpers/events.ts';
import { chunks } from './helpers.ts';

const ctx: OpenAIContext = { model: 'gpt-4.1', toolNames: {} };
const data = (value: unknown) => ({ data: JSON.stringify(value) });
const DONE = { data: '[DONE]' };

type FixtureChunk = {
  choices: {
    delta: {
      content?: string | null;
      reasoning_content?: string | null;
      tool_calls?: { index: number; id?: string; function: { name?: string; arguments?: string } }[];
    };
    finish_reason: string | null;
  }[];
  usage?: {
    prompt_tokens: number;
    completion_tokens: number;
    prompt_tokens_details?: { cached_tokens: number };
    prompt_cache_hit_tokens?: number;
    prompt_cache_miss_tokens?: number;
  } | null;
};

function fixtureChunks(name: string): FixtureChunk[] {
  return chunks(fixture(name)) as unknown as FixtureChunk[];
}

/** The official SDK's accumulator, fed the events as JSON lines. */

describe('createOpenAIStreamTransform on openai-stream-text.sse', () => {
  const source = fixtureChunks('openai-stream-text.sse');
  const events = run(createOpenAIStreamTransform(ctx, 'claude-sonnet-4-5'), sseEvents(fixture('openai-stream-text.sse')));
  const { message, error, stopped } = accumulate(events);

  it('yields one text block equal to the concatenated content deltas', () => {
    const expected = source.flatMap((c) => c.choices.map((ch) => ch.delta.content ?? '')).join('');
    expect(expected.length).toBeGreaterThan(0);
    expect(error).toBeNull();
    expect(stopped).toBe(true);
    expect(message!.content).toEqual([{ type: 'text', text: expected }]);
  });

  it('ends with end_turn and the usage chunk that came after finish_reason (cached tokens split out)', () => {
    const u = source.find((c) => c.usage)!.usage!;
    expect(message!.stop_reason).toBe('end_turn');
    expect(message!.usage).toMatchObject({
      input_tokens: u.prompt_tokens - u.prompt_tokens_details!.cached_tokens,
      cache_read_input_tokens: u.prompt_tokens_details!.cached_tokens,
      output_tokens: u.completion_tokens,
    });
    const delta = events.find((e) => e.type === 'message_delta');
    expect(delta).toMatchObject({ usage: { output_tokens: u.completion_tokens } });
  });

  it('reports the requested model and is accepted by the SDK MessageStream', async () => {
    const final = await sdkFinalMessage(events);
    expect(final.model).toBe('claude-sonnet-4-5');
    expect(final.content).toEqual(message!.content);
  });
});

describe('createOpenAIStreamTransform on openai-stream-tool-calls.sse', () => {
  const source = fixtureChunks('openai-stream-tool-calls.sse');
  const events = run(createOpenAIStreamTransform(ctx, 'claude-sonnet-4-5'), sseEvents(fixture('openai-stream-tool-calls.sse')));
  const { message, error } = accumulate(events);
  const fragments = source.flatMap((c) => c.choices.flatMap((ch) => ch.delta.tool_calls ?? []));
  const indexes = [...new Set(fragments.map((f) => f.index))];

  it('makes one tool_use block per index, with the upstream id and name, input = parsed arguments', () => {
    expect(error).toBeNull();
    expect(indexes.length).toBe(2);
    const expected = indexes.map((i) => {
      const own = fragments.filter((f) => f.index === i);
      return {
        type: 'tool_use',
        id: own.find((f) => f.id)!.id,
        name: own.find((f) => f.function.name)!.function.name,
        input: JSON.parse(own.map((f) => f.function.arguments ?? '').join('')),
      };
    });
    expect(message!.content).toEqual(expected);
  });

  it('sends input_json_delta fragments that concatenate to the exact arguments', () => {
    for (const i of indexes) {
      const args = fragments
        .filter((f) => f.index === i)
        .map((f) => f.function.arguments ?? '')
        .join('');
      const sent = events
        .filter((e): e is Extract<StreamEvent, { type: 'content_block_delta' }> => e.type === 'content_block_delta' && e.index === i)
        .map((e) => (e.delta.type === 'input_json_delta' ? e.delta.partial_json : ''))
        .join('');
      expect(sent).toBe(args);
    }
  });

  it('stops with tool_use and the fixture usage', async () => {
    const u = source.find((c) => c.usage)!.usage!;
    expect(message!.stop_reason).toBe('tool_use');
    expect(message!.usage).toMatchObject({
      input_tokens: u.prompt_tokens - u.prompt_tokens_details!.cached_tokens,
      cache_read_input_tokens: u.prompt_tokens_details!.cached_tokens,
      output_tokens: u.completion_tokens,
    });
    const final = await sdkFinalMessage(events);
    expect(final.content).toEqual(message!.content);
  });
});

describe('createOpenAIStreamTransform on deepseek-stream-reasoning.sse', () => {
  const source = fixtureChunks('deepseek-stream-reasoning.sse');
  const events = run(
    createOpenAIStreamTransform({ model: 'deepseek-v4-flash', toolNames: {} }, 'claude-sonnet-4-5'),
    sseEvents(fixture('deepseek-stream-reasoning.sse')),
  );
  const { message, error, stopped } = accumulate(events);

  it('puts reasoning_content in a thinking block with a proxy signature, then the text', () => {
    const reasoning = source.flatMap((c) => c.choices.map((ch) => ch.delta.reasoning_content ?? '')).join('');
    const text = source.flatMap((c) => c.choices.map((ch) => ch.delta.content ?? '')).join('');
    expect(error).toBeNull();
    expect(stopped).toBe(true);
    expect(message!.content).toHaveLength(2);
    const [thinking, answer] = message!.content;
    expect(thinking).toMatchObject({ type: 'thinking', thinking: reasoning });
    expect(decodeProxySignature((thinking as { signature: string }).signature)).toEqual({ provider: 'openai' });
    expect(answer).toEqual({ type: 'text', text });
  });

  it('takes usage from the finish chunk: cache miss as input, cache hit as cache read', () => {
    const u = source.find((c) => c.usage)!.usage!;
    expect(message!.stop_reason).toBe('end_turn');
    expect(message!.usage).toMatchObject({
      input_tokens: u.prompt_cache_miss_tokens,
      cache_read_input_tokens: u.prompt_cache_hit_tokens,
      output_tokens: u.completion_tokens,
    });
  });
});

describe('createOpenAIStreamTransform failure and edge cases', () => {
  it('turns a stream that ends without finish_reason into an error event, not end_turn', () => {
    const all = sseEvents(fixture('openai-stream-text.sse'));
    const cut = all.slice(0, 3); // role chunk and two content chunks
    const { error, stopped } = accumulate(run(createOpenAIStreamTransform(ctx, 'm'), cut));
    expect(stopped).toBe(false);
    expect(error?.type).toBe('api_error');
  });

  it('turns [DONE] without a finish_reason into an error event', () => {
    const events = [data({ choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: null }] }), DONE];
    const { error, stopped } = accumulate(run(createOpenAIStreamTransform(ctx, 'm'), events));
    expect(stopped).toBe(false);
    expect(error?.type).toBe('api_error');
  });

  it('turns a mid-stream {"error":…} (OpenRouter numeric code) into a mapped error event and stops', () => {
    const t = createOpenAIStreamTransform(ctx, 'm');
    const events = [
      data({ choices: [{ index: 0, delta: { content: 'partial' }, finish_reason: null }] }),
      data({ error: { code: 502, message: 'Provider returned error' } }),
      data({ choices: [{ index: 0, delta: { content: 'ignored' }, finish_reason: 'stop' }] }),
      DONE,
    ];
    const out = run(t, events);
    const { error, message } = accumulate(out);
    expect(error).toEqual({ type: 'api_error', message: expect.stringContaining('Provider returned error') });
    expect(out.at(-1)!.type).toBe('error');
    expect(message!.content).toEqual([{ type: 'text', text: 'partial' }]);
  });

  it('maps a mid-stream rate-limit error object to rate_limit_error', () => {
    const out = run(createOpenAIStreamTransform(ctx, 'm'), [
      data({ error: { message: 'slow down', type: 'tokens', code: 'rate_limit_exceeded' } }),
    ]);
    expect(out).toEqual([{ type: 'error', error: { type: 'rate_limit_error', message: expect.stringContaining('slow down') } }]);
  });

  it('buffers an earlier index that gets fragments after a later one started, keeping each input whole', () => {
    const tc = (index: number, args: string, id?: string, name?: string) =>
      data({
        choices: [
          {
            index: 0,
            delta: {
              tool_calls: [{ index, ...(id ? { id, type: 'function' } : {}), function: { ...(name ? { name } : {}), arguments: args } }],
            },
            finish_reason: null,
          },
        ],
      });
    const events = [
      tc(0, '{"a":', 'call_a', 'Read'),
      tc(1, '{"b":', 'call_b', 'Bash'),
      tc(0, '1}'),
      tc(1, '2}'),
      data({ choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] }),
      DONE,
    ];
    const { message, error } = accumulate(run(createOpenAIStreamTransform(ctx, 'm'), events));
    expect(error).toBeNull();
    expect(message!.content).toEqual([
      { type: 'tool_use', id: 'call_a', name: 'Read', input: { a: 1 } },
      { type: 'tool_use', id: 'call_b', name: 'Bash', input: { b: 2 } },
    ]);
    expect(message!.stop_reason).toBe('tool_use');
  });

  it('maps a long tool name back to the original Claude Code name', () => {
    const original = 'mcp__a-very-long-server-name-for-testing__and_an_even_longer_tool_name_that_overflows';
    const alias = toOpenAIToolName(original);
    const events = [
      data({
        choices: [
          {
            index: 0,
            delta: { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: alias, arguments: '{}' } }] },
            finish_reason: null,
          },
        ],
      }),
      data({ choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] }),
      DONE,
    ];
    const { message } = accumulate(run(createOpenAIStreamTransform({ model: 'x', toolNames: { [alias]: original } }, 'm'), events));
    expect(message!.content).toEqual([{ type: 'tool_use', id: 'call_1', name: original, input: {} }]);
  });

  it('maps length to max_tokens, content_filter and refusal deltas to refusal', () => {
    const finishWith = (reason: string) => [data({ choices: [{ index: 0, delta: { content: 'x' }, finish_reason: reason }] }), DONE];
    expect(accumulate(run(createOpenAIStreamTransform(ctx, 'm'), finishWith('length'))).message!.stop_reason).toBe('max_tokens');
    expect(accumulate(run(createOpenAIStreamTransform(ctx, 'm'), finishWith('content_filter'))).message!.stop_reason).toBe('refusal');
    const refusal = [
      data({ choices: [{ index: 0, delta: { refusal: 'I cannot help with that.' }, finish_reason: null }] }),
      data({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }),
      DONE,
    ];
    const r = accumulate(run(createOpenAIStreamTransform(ctx, 'm'), refusal)).message!;
    expect(r.stop_reason).toBe('refusal');
    expect(r.content).toEqual([{ type: 'text', text: 'I cannot help with that.' }]);
  });

  it('finishes cleanly at EOF after finish_reason even without [DONE] or usage', () => {
    const events = [data({ choices: [{ index: 0, delta: { content: 'ok' }, finish_reason: 'stop' }] })];
    const { message, error, stopped } = accumulate(run(createOpenAIStreamTransform(ctx, 'm'), events));
    expect(error).toBeNull();
    expect(stopped).toBe(true);
    expect(message!.stop_reason).toBe('end_turn');
  });
});

describe('createOpenAIStreamTransform usage sources', () => {
  it('reads Groq usage from x_groq on the last chunk', () => {
    const events = [
      data({ choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: null }] }),
      data({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], x_groq: { usage: { prompt_tokens: 12, completion_tokens: 3 } } }),
      DONE,
    ];
    const { message } = accumulate(run(createOpenAIStreamTransform(ctx, 'm'), events));
    expect(message!.usage).toMatchObject({ input_tokens: 12, output_tokens: 3, cache_read_input_tokens: 0 });
  });
});
