// The holdback only decides when the held start of an answer is released: whatever the upstream
// sends later (before, during or after that moment) reaches the client whole and in order, on the
// pass-through and on both translated protocols. A silent upstream ends with an error event within
// idle_timeout, or falls back when nothing was released yet.

import { afterEach, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { fixture, startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { startHarness, type TierSpec } from '../helpers/harness.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const HOLDBACK_MS = 300;
const req = { model: 'claude-sonnet-4-6', max_tokens: 100, messages: [{ role: 'user' as const, content: 'hi' }] };

/** Gemini's first chunk of a thinking model: usage and an empty part, then nothing until it has text. */
const GEMINI_FIRST = `data: ${JSON.stringify({
  candidates: [{ content: { parts: [{ text: '' }], role: 'model' }, index: 0 }],
  usageMetadata: { promptTokenCount: 1520, totalTokenCount: 1520 },
  modelVersion: 'gemini-2.5-flash',
})}\n\n`;

type Case = { name: string; tier: (url: string) => TierSpec; text: string; answer: string };

const CASES: Case[] = [
  {
    name: 'pass-through (anthropic)',
    tier: (url) => ({ name: 'claude', protocol: 'anthropic', base_url: url }),
    // message_start, then the first content_block_start after the gap
    text: fixture('anthropic-stream-text.sse'),
    answer: 'The build passes: all 42 tests succeeded in 3.1s. No lint warnings were reported.',
  },
  {
    name: 'translated (openai)',
    tier: (url) => ({ name: 'oa', protocol: 'openai', base_url: url, api_key: 'k', model: 'gpt-4.1' }),
    // the role chunk (`content: ""`), then the content after the gap
    text: fixture('openai-stream-text.sse'),
    answer: 'The build passes: all 42 tests succeeded in 3.1s.',
  },
  {
    name: 'translated (gemini)',
    tier: (url) => ({ name: 'gem', protocol: 'gemini', base_url: url, api_key: 'k', model: 'gemini-2.5-flash' }),
    text: GEMINI_FIRST + fixture('gemini-stream-text.sse'),
    answer: 'The build passes: all 42 tests succeeded in 3.1s.',
  },
];

const GAPS = [
  ['no gap', 0],
  ['holdback − ε', HOLDBACK_MS - 60],
  ['holdback + ε', HOLDBACK_MS + 60],
  ['10 × holdback', HOLDBACK_MS * 10],
] as const;

async function proxyFor(tiers: TierSpec[], fallback: Record<string, string> = {}) {
  const h = await startHarness({ tiers, fallback: { holdback: `${HOLDBACK_MS}ms`, ...fallback } });
  cleanup.push(() => h.close());
  return { h, client: new Anthropic({ apiKey: 'x', baseURL: h.url, maxRetries: 0 }) };
}

async function fake(text: string, pauseAfter?: { frames: number; ms: number }): Promise<FakeUpstream> {
  const up = await startFakeUpstream(() => ({ kind: 'sse', text, pauseAfter }));
  cleanup.push(() => up.close());
  return up;
}

const textOf = (m: Anthropic.Message) => m.content.map((b) => (b.type === 'text' ? b.text : '')).join('');

describe.each(CASES)('a gap between the first event and the first content: $name', (c) => {
  it.each(GAPS)('%s: the SDK receives the complete message', async (_label, gap) => {
    const up = await fake(c.text, { frames: 1, ms: gap });
    const { h, client } = await proxyFor([c.tier(up.url)]);
    const m = await client.messages.stream(req).finalMessage();
    expect(textOf(m)).toBe(c.answer);
    expect(m.stop_reason).toBe('end_turn');
    const usage = (await h.settledEvents()).filter((e) => e.kind === 'usage');
    expect(usage).toHaveLength(1);
    expect(usage[0]).not.toHaveProperty('incomplete');
    expect(h.logs.some((l) => l.includes('(incomplete)'))).toBe(false);
  });

  it('a gap in the middle of the answer, long after the release, loses nothing either', async () => {
    const up = await fake(c.text, { frames: 2, ms: HOLDBACK_MS * 4 });
    const { client } = await proxyFor([c.tier(up.url)]);
    expect(textOf(await client.messages.stream(req).finalMessage())).toBe(c.answer);
  });
});

describe.each(CASES)('an upstream that falls silent after its first event: $name', (c) => {
  const first = c.text.split(/(?<=\n\n)/)[0];

  it('ends with an error event within idle_timeout once the start was released', async () => {
    const up = await startFakeUpstream(() => ({ kind: 'stall-after', text: first }));
    cleanup.push(() => up.close());
    const { h, client } = await proxyFor([c.tier(up.url)], { idle_timeout: '1s' });
    const started = Date.now();
    const error = await client.messages
      .stream(req)
      .finalMessage()
      .then(
        () => null,
        (e: unknown) => e,
      );
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(String((error as Error).message)).toMatch(/timeout_error/);
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(elapsed).toBeLessThan(3000);
    const usage = (await h.settledEvents()).filter((e) => e.kind === 'usage');
    expect(usage).toMatchObject([{ incomplete: true }]);
    expect(h.logs.some((l) => l.includes('(incomplete)'))).toBe(true);
  });

  it('falls back to the next tier when it goes silent before anything was released', async () => {
    const silent = await startFakeUpstream(() => ({ kind: 'stall-after', text: first }));
    const good = await fake(fixture('anthropic-stream-text.sse'));
    cleanup.push(() => silent.close());
    const { h, client } = await proxyFor(
      [c.tier(silent.url), { name: 'backup', protocol: 'anthropic', base_url: good.url, api_key: 'sk-backup' }],
      {
        idle_timeout: '150ms',
        holdback: '2s',
      },
    );
    const m = await client.messages.stream(req).finalMessage();
    expect(textOf(m)).toBe('The build passes: all 42 tests succeeded in 3.1s. No lint warnings were reported.');
    expect((await h.settledEvents()).filter((e) => e.kind === 'switch')).toMatchObject([{ to: 'backup' }]);
  });
});

describe('a stream that really ends early', () => {
  it('pass-through: a clean EOF without message_stop reaches the SDK as an error and the ledger as incomplete', async () => {
    const cut = fixture('anthropic-stream-text.sse')
      .split(/(?<=\n\n)/)
      .slice(0, 4)
      .join('');
    const up = await fake(cut, { frames: 1, ms: HOLDBACK_MS * 2 });
    const { h, client } = await proxyFor([{ name: 'claude', protocol: 'anthropic', base_url: up.url }]);
    const error = await client.messages
      .stream(req)
      .finalMessage()
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(String((error as Error).message)).toMatch(/before message_stop/);
    expect((await h.settledEvents()).filter((e) => e.kind === 'usage')).toMatchObject([{ tier: 'claude', incomplete: true }]);
    expect(h.logs.find((l) => l.startsWith('claude 200'))).toMatch(/\(incomplete\)$/);
  });

  it('a stream that sends headers and never a byte falls back after first_byte_timeout', async () => {
    const mute = await startFakeUpstream(() => ({ kind: 'stall-after', text: '' }));
    const good = await fake(fixture('anthropic-stream-text.sse'));
    cleanup.push(() => mute.close());
    const { h, client } = await proxyFor(
      [
        { name: 'claude', protocol: 'anthropic', base_url: mute.url },
        { name: 'backup', protocol: 'anthropic', base_url: good.url, api_key: 'sk-backup' },
      ],
      { first_byte_timeout: '400ms' },
    );
    expect(textOf(await client.messages.stream(req).finalMessage())).toMatch(/^The build passes/);
    expect((await h.settledEvents()).filter((e) => e.kind === 'switch')).toMatchObject([
      { from: 'claude', to: 'backup', reason: 'timeout' },
    ]);
  });
});
