// The strict fake Anthropic itself: it must refuse each history the real API refuses (so a test
// that passes against it proves something) and take the ones the real API takes.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import {
  ISSUED_SIGNATURES,
  THINKING_FIXTURE,
  TEXT_FIXTURE,
  startStrictAnthropic,
  type StrictAnthropic,
} from '../helpers/strict-anthropic.ts';

let strict: StrictAnthropic;
beforeAll(async () => {
  strict = await startStrictAnthropic();
});
afterAll(() => strict.close());

const [[SIGNATURE, THOUGHT]] = [...ISSUED_SIGNATURES];
const THINKING = { type: 'enabled', budget_tokens: 31999 };
const prompt = { role: 'user', content: [{ type: 'text', text: 'List the files' }] };
const call = (id = 'toolu_01A') => ({ type: 'tool_use', id, name: 'Bash', input: { command: 'ls' } });
const result = (id = 'toolu_01A') => ({ role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: 'a.txt' }] });
const genuine = { type: 'thinking', thinking: THOUGHT, signature: SIGNATURE };

async function post(messages: unknown[], extra: Record<string, unknown> = {}) {
  const res = await fetch(`${strict.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 32000, stream: true, messages, ...extra }),
  });
  return { status: res.status, text: await res.text() };
}

async function rejection(messages: unknown[], extra: Record<string, unknown> = {}): Promise<string> {
  const { status, text } = await post(messages, extra);
  expect(status).toBe(400);
  const body = JSON.parse(text) as { type: string; error: { type: string; message: string } };
  expect(body).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  return body.error.message;
}

describe('the strict fake Anthropic accepts what the real API accepts', () => {
  it('issues the signature of the thinking fixture and takes it back with its exact thinking text', () => {
    expect(SIGNATURE).toBe('ZmFrZS1zaWduYXR1cmUtZm9yLXRlc3RzLW9ubHktbm90LXZhbGlkLWF0LWFudGhyb3BpYw==');
    expect(THOUGHT).toMatch(/^The user asks whether the config loader.*so the answer is no\.$/);
  });

  it('streams the thinking fixture for a thinking tool loop opened by a genuine thinking block', async () => {
    const res = await post([prompt, { role: 'assistant', content: [genuine, call()] }, result()], { thinking: THINKING });
    expect(res).toEqual({ status: 200, text: THINKING_FIXTURE });
  });

  it('takes a later step of that loop without thinking, and merges consecutive messages of one role', async () => {
    const history = [
      prompt,
      { role: 'assistant', content: [genuine, call('toolu_01A')] },
      result('toolu_01A'),
      { role: 'assistant', content: [call('toolu_01B')] },
      result('toolu_01B'),
    ];
    expect((await post(history, { thinking: THINKING })).status).toBe(200);
    // Split the tool_use turn and the tool_result turn in two messages each: Anthropic merges them.
    const split = [
      prompt,
      { role: 'user', content: 'and quickly' },
      { role: 'assistant', content: [{ type: 'text', text: 'Listing.' }] },
      { role: 'assistant', content: [call()] },
      result(),
    ];
    expect(await post(split)).toEqual({ status: 200, text: TEXT_FIXTURE });
  });

  it('answers 429 with retry-after while limited', async () => {
    strict.limited = true;
    const res = await fetch(`${strict.url}/v1/messages`, { method: 'POST', body: '{}' });
    strict.limited = false;
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
  });
});

describe('the strict fake Anthropic refuses what the real API refuses', () => {
  it('a thinking block with a signature it did not issue (a proxy-made one)', async () => {
    const foreign = { type: 'thinking', thinking: 'Gemini thought', signature: 'fallback-proxy.v1.eyJwcm92aWRlciI6ImdlbWluaSJ9' };
    expect(
      await rejection([
        prompt,
        { role: 'assistant', content: [foreign, { type: 'text', text: 'Done.' }] },
        { role: 'user', content: 'next' },
      ]),
    ).toBe('messages.1.content.0: Invalid `signature` in `thinking` block');
  });

  it('an issued signature on a thinking text that was changed', async () => {
    const changed = { ...genuine, thinking: THOUGHT + ' (edited)' };
    expect(
      await rejection([
        prompt,
        { role: 'assistant', content: [changed, { type: 'text', text: 'Done.' }] },
        { role: 'user', content: 'next' },
      ]),
    ).toMatch(/Invalid `signature`/);
  });

  it('a redacted_thinking block it never issued', async () => {
    const redacted = { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix/LafPsn4a' };
    expect(
      await rejection([
        prompt,
        { role: 'assistant', content: [redacted, { type: 'text', text: 'Done.' }] },
        { role: 'user', content: 'next' },
      ]),
    ).toBe('messages.1.content.0: Invalid `data` in `redacted_thinking` block');
  });

  it('with thinking on, a tool loop whose opening assistant turn does not start with thinking', async () => {
    const message = await rejection([prompt, { role: 'assistant', content: [{ type: 'text', text: 'Listing.' }, call()] }, result()], {
      thinking: THINKING,
    });
    expect(message).toMatch(
      /^messages\.1\.content\.0\.type: Expected `thinking` or `redacted_thinking`, but found `text`\. When `thinking` is enabled, a final `assistant` message must start with a thinking block/,
    );
    // The same history without thinking is fine.
    expect((await post([prompt, { role: 'assistant', content: [{ type: 'text', text: 'Listing.' }, call()] }, result()])).status).toBe(200);
  });

  it('a tool_use without a tool_result in the next user message', async () => {
    expect(await rejection([prompt, { role: 'assistant', content: [call('toolu_01A'), call('toolu_01B')] }, result('toolu_01A')])).toBe(
      'messages.2: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_01B. Each `tool_use` block must have a corresponding `tool_result` block in the next message.',
    );
  });

  it('a tool_use id outside ^[a-zA-Z0-9_-]+$, and a repeated tool_use id', async () => {
    expect(await rejection([prompt, { role: 'assistant', content: [call('functions.Bash:0')] }, result('functions.Bash:0')])).toBe(
      "messages.1.content.0.tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'",
    );
    const twice = [prompt, { role: 'assistant', content: [call()] }, result(), { role: 'assistant', content: [call()] }, result()];
    expect(await rejection(twice)).toBe('messages.3.content.0: `tool_use` ids must be unique');
  });

  it('an empty or whitespace-only text block, also inside a tool_result', async () => {
    expect(await rejection([prompt, { role: 'assistant', content: [{ type: 'text', text: '' }, call()] }, result()])).toBe(
      'messages: text content blocks must be non-empty',
    );
    expect(await rejection([prompt, { role: 'assistant', content: [{ type: 'text', text: '\n\n' }, call()] }, result()])).toBe(
      'messages: text content blocks must contain non-whitespace text',
    );
    const emptyResult = {
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 'toolu_01A', content: [{ type: 'text', text: '' }] }],
    };
    expect(await rejection([prompt, { role: 'assistant', content: [call()] }, emptyResult])).toBe(
      'messages: text content blocks must be non-empty',
    );
  });

  it('thinking-clearing context edits without thinking', async () => {
    expect(await rejection([prompt], { context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] } })).toMatch(
      /requires `thinking`/,
    );
  });

  it("reaches the official SDK as Anthropic's 400 invalid_request_error", async () => {
    const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: strict.url, maxRetries: 0 });
    const bad = [prompt, { role: 'assistant', content: [call()] }, result()] as Anthropic.MessageParam[];
    await expect(
      client.messages
        .stream({ model: 'claude-sonnet-4-6', max_tokens: 32000, thinking: { type: 'enabled', budget_tokens: 31999 }, messages: bad })
        .finalMessage(),
    ).rejects.toMatchObject({
      status: 400,
      error: { type: 'error', error: { type: 'invalid_request_error' } },
    });
  });
});
