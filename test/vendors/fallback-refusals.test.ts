// A fallback tier's refusal is a reason to try the next tier, not to end the session; a request too
// large for a tier's window skips it; when no tier can take it, Claude Code gets Anthropic's own
// too-long error, which it answers by compacting.

import { afterEach, describe, expect, it } from 'vitest';
import { startStrictAnthropic } from '../helpers/strict-anthropic.ts';
import { startStrictGemini } from '../helpers/strict-gemini.ts';
import { startFakeDeepSeek } from '../helpers/fake-deepseek-anthropic.ts';
import { startFakeOpenAI } from '../helpers/fake-openai-compatible.ts';
import { rawRequest } from '../helpers/http.ts';
import { startVendorHarness, type VendorTier } from '../helpers/vendor-harness.ts';
import { conversation, outcome, textOf } from './conversation.ts';
import { GIF } from '../helpers/images.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const GEMINI_KEY = 'AIza-test';
const DS_KEY = 'sk-ds';

describe('a lower tier refusing the request', () => {
  it('logs its status and message and moves on to the next tier, which answers', async () => {
    const claude = await startStrictAnthropic({ limited: true, retryAfter: '30' });
    // Gemini 3 Pro refuses a level it does not take; any 4xx that is not a rate limit counts.
    const gemini = await startStrictGemini({ key: GEMINI_KEY, reply: () => ({ text: 'never' }) });
    const deepseek = await startFakeDeepSeek({ key: DS_KEY, reply: () => ({ text: 'DeepSeek answers.' }) });
    const h = await startVendorHarness([
      { name: 'claude', protocol: 'anthropic', base_url: claude.url },
      // A gif Gemini cannot read, forced through with image_types (a misconfiguration the next tier survives).
      {
        name: 'gemini',
        protocol: 'gemini',
        base_url: gemini.url,
        api_key: GEMINI_KEY,
        model: 'gemini-2.5-flash',
        image_types: ['image/gif'],
      },
      { name: 'deepseek', protocol: 'anthropic', base_url: deepseek.url, api_key: DS_KEY, model: 'deepseek-v4-flash' },
    ]);
    cleanup.push(
      () => claude.close(),
      () => gemini.close(),
      () => deepseek.close(),
      () => h.close(),
    );
    const c = conversation(h.url, [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'what is this' },
          { type: 'image', source: { type: 'base64', media_type: 'image/gif', data: GIF } },
        ],
      },
    ]);
    const t = await outcome(c.turn());
    expect(textOf(t), JSON.stringify(t)).toBe('DeepSeek answers.');
    expect(gemini.verdicts).toEqual([{ status: 400, message: 'Unsupported MIME type: image/gif' }]);
    expect(h.logs.join('\n')).toMatch(/gemini 400 .*Unsupported MIME type: image\/gif/);
  });

  it('returns the first informative refusal when every tier refused, not the last one', async () => {
    const claude = await startStrictAnthropic({ limited: true, retryAfter: '30' });
    const gemini = await startStrictGemini({ key: GEMINI_KEY, reply: () => ({ text: 'never' }) });
    const deepseek = await startFakeDeepSeek({ key: 'another-key', reply: () => ({ text: 'never' }) });
    const h = await startVendorHarness([
      { name: 'claude', protocol: 'anthropic', base_url: claude.url },
      {
        name: 'gemini',
        protocol: 'gemini',
        base_url: gemini.url,
        api_key: GEMINI_KEY,
        model: 'gemini-2.5-flash',
        image_types: ['image/gif'],
      },
      { name: 'deepseek', protocol: 'anthropic', base_url: deepseek.url, api_key: DS_KEY, model: 'deepseek-v4-flash' },
    ]);
    cleanup.push(
      () => claude.close(),
      () => gemini.close(),
      () => deepseek.close(),
      () => h.close(),
    );
    const c = conversation(h.url, [
      { role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/gif', data: GIF } }] },
    ]);
    const t = await outcome(c.turn());
    expect(deepseek.verdicts).toEqual([{ status: 401, message: 'Authentication Fails' }]);
    expect(t).toMatchObject({ error: 400, message: expect.stringContaining('Unsupported MIME type: image/gif') });
  });
});

describe('context windows', () => {
  // About 60,000 tokens by the proxy's estimate (4 characters a token).
  const big = 'x'.repeat(240_000);
  const tiers = (localUrl: string, more: VendorTier[] = []): VendorTier[] => [
    { name: 'local', protocol: 'openai', base_url: localUrl + '/v1', api_key: 'sk-local', model: 'my-llama', context_window: 32_768 },
    ...more,
  ];

  it('skips a tier whose window the request does not fit (logged) and lets the next one answer', async () => {
    const claude = await startStrictAnthropic({ limited: true, retryAfter: '30' });
    const local = await startFakeOpenAI({ flavor: 'vllm', key: 'sk-local', contextWindow: 32_768, reply: () => ({ text: 'never' }) });
    const deepseek = await startFakeDeepSeek({ key: DS_KEY, reply: () => ({ text: 'DeepSeek has a million tokens.' }) });
    const h = await startVendorHarness([
      { name: 'claude', protocol: 'anthropic', base_url: claude.url },
      ...tiers(local.url, [
        { name: 'deepseek', protocol: 'anthropic', base_url: deepseek.url, api_key: DS_KEY, model: 'deepseek-v4-flash' },
      ]),
    ]);
    cleanup.push(
      () => claude.close(),
      () => local.close(),
      () => deepseek.close(),
      () => h.close(),
    );
    const t = await outcome(conversation(h.url, [{ role: 'user', content: big }]).turn());
    expect(textOf(t), JSON.stringify(t)).toBe('DeepSeek has a million tokens.');
    expect(local.requests).toHaveLength(0);
    expect(h.logs.join('\n')).toMatch(/local: skipped: the request is about \d+ tokens, over its window of 32768/);
  });

  it("answers in Anthropic's exact too-long shape when no tier's window fits", async () => {
    const claude = await startStrictAnthropic({ limited: true, retryAfter: '30' });
    const local = await startFakeOpenAI({ flavor: 'vllm', key: 'sk-local', contextWindow: 32_768, reply: () => ({ text: 'never' }) });
    const h = await startVendorHarness([{ name: 'claude', protocol: 'anthropic', base_url: claude.url }, ...tiers(local.url)]);
    cleanup.push(
      () => claude.close(),
      () => local.close(),
      () => h.close(),
    );
    const r = await rawRequest(`${h.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-client', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 1000, stream: true, messages: [{ role: 'user', content: big }] }),
    });
    expect(r.status).toBe(400);
    expect(local.requests).toHaveLength(0);
    const body = JSON.parse(r.body) as { type: string; error: { type: string; message: string } };
    expect(Object.keys(body).sort()).toEqual(['error', 'type']);
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(/^prompt is too long: \d+ tokens > 32768 maximum$/);
  });
});
