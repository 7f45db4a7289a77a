// OpenAI-protocol tiers against fakes with each vendor's rules and stream quirks: tool-call deltas
// without an index or reusing one, o-series parameters, DeepSeek's reasoning on tool-call turns,
// Mistral's strict body, and Gemini's signatures through Google's and OpenRouter's OpenAI endpoints.

import { afterEach, describe, expect, it } from 'vitest';
import type Anthropic from '@anthropic-ai/sdk';
import { startStrictAnthropic } from '../helpers/strict-anthropic.ts';
import { startFakeOpenAI, type ChatBody, type FakeOpenAIOptions } from '../helpers/fake-openai-compatible.ts';
import { startVendorHarness } from '../helpers/vendor-harness.ts';
import { conversation, outcome } from './conversation.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const KEY = 'sk-openai-compatible-key';
const twoCalls = [
  { name: 'Read', args: { file_path: '/repo/package.json' } },
  { name: 'Bash', args: { command: 'ls -la', description: 'List files' } },
];

async function setup(model: string, path: string, opts: Omit<FakeOpenAIOptions, 'key'>) {
  const claude = await startStrictAnthropic({ limited: true, retryAfter: '30' });
  const fake = await startFakeOpenAI({ ...opts, key: KEY });
  const h = await startVendorHarness([
    { name: 'claude', protocol: 'anthropic', base_url: claude.url },
    { name: 'compat', protocol: 'openai', base_url: fake.url + path, api_key: KEY, model },
  ]);
  cleanup.push(
    () => claude.close(),
    () => fake.close(),
    () => h.close(),
  );
  return { claude, fake, h };
}

const calls = (m: unknown) =>
  ((m as Anthropic.Message).content ?? [])
    .filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use')
    .map((b) => ({ name: b.name, input: b.input }));
const loop = (first: FakeOpenAIOptions['reply']) => (b: ChatBody, i: number) => (i === 0 ? first(b, i) : { text: 'done' });

describe('streamed tool calls', () => {
  it("starts a new call for each indexless tool-call delta with an id (Google's OpenAI endpoint), not one call of invalid JSON", async () => {
    const { h } = await setup('gemini-2.5-flash', '/v1beta/openai', { flavor: 'google', reply: loop(() => ({ calls: twoCalls })) });
    const t = await outcome(conversation(h.url).turn());
    expect(calls(t)).toEqual(twoCalls.map((c) => ({ name: c.name, input: c.args })));
    expect((t as Anthropic.Message).stop_reason).toBe('tool_use');
  });

  it('starts a new call when a delta brings a new id at an index already used', async () => {
    const { h } = await setup('gpt-4.1', '/v1', { flavor: 'openai', indexes: 'zero', reply: loop(() => ({ calls: twoCalls })) });
    const t = await outcome(conversation(h.url).turn());
    expect(calls(t)).toEqual(twoCalls.map((c) => ({ name: c.name, input: c.args })));
  });
});

describe('request parameters each vendor refuses', () => {
  it('sends no parallel_tool_calls to an o-series model, even when the client disables parallel tool use', async () => {
    const { fake, h } = await setup('o3', '/v1', { flavor: 'openai', reply: () => ({ text: 'ok' }) });
    const t = await outcome(
      conversation(h.url, [{ role: 'user', content: 'hi' }]).turn({ tool_choice: { type: 'auto', disable_parallel_tool_use: true } }),
    );
    expect(t).toMatchObject({ content: [{ type: 'text', text: 'ok' }] });
    expect((fake.requests[0].json as ChatBody).parallel_tool_calls).toBeUndefined();
  });

  it('sends no stream_options to Mistral, which answers 422 extra_forbidden to it', async () => {
    const { fake, h } = await setup('mistral-large-latest', '/v1', { flavor: 'mistral', reply: () => ({ text: 'ok' }) });
    const t = await outcome(conversation(h.url, [{ role: 'user', content: 'hi' }]).turn());
    expect(t).toMatchObject({ content: [{ type: 'text', text: 'ok' }] });
    expect(fake.verdicts).toEqual([{ status: 200 }]);
  });

  it('passes reasoning_content back on tool-call turns to deepseek-reasoner (the V4 thinking alias, not the old R1)', async () => {
    const { fake, h } = await setup('deepseek-reasoner', '', { flavor: 'deepseek', reply: loop(() => ({ calls: [twoCalls[0]] })) });
    const c = conversation(h.url);
    await c.turn();
    c.answerTools();
    const t = await outcome(c.turn());
    expect(t).toMatchObject({ content: expect.arrayContaining([{ type: 'text', text: 'done' }]) });
    expect(fake.verdicts).toEqual([{ status: 200 }, { status: 200 }]);
  });
});

describe('Gemini over the OpenAI protocol', () => {
  it("round-trips Google's extra_content.google.thought_signature on the call it came with", async () => {
    const { fake, h } = await setup('gemini-3-flash-preview', '/v1beta/openai', {
      flavor: 'google',
      reply: loop(() => ({ calls: twoCalls })),
    });
    const c = conversation(h.url);
    await c.turn();
    c.answerTools();
    const t = await outcome(c.turn());
    expect(t).toMatchObject({ content: [{ type: 'text', text: 'done' }] });
    expect(fake.verdicts).toEqual([{ status: 200 }, { status: 200 }]);
  });

  it("round-trips OpenRouter's reasoning_details for a Gemini model", async () => {
    const { fake, h } = await setup('google/gemini-3-flash-preview', '/api/v1', {
      flavor: 'openrouter',
      reply: loop(() => ({ calls: [twoCalls[0]] })),
    });
    const c = conversation(h.url);
    await c.turn();
    c.answerTools();
    const t = await outcome(c.turn());
    expect(t).toMatchObject({ content: [{ type: 'text', text: 'done' }] });
    expect(fake.verdicts).toEqual([{ status: 200 }, { status: 200 }]);
  });
});
