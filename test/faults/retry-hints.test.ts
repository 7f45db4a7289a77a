// Issue 12, item 9: whatever retry hint an upstream sends (a retry-after of 99999999999999 s, a
// nanosecond unified-reset, a date in the year 9999, Gemini's retryDelay, OpenAI's reset durations),
// the tier cools down for at most 7 days: the switch is recorded with a valid retry_at, /status
// answers, and the all-tiers-failed answer carries a retry-after of at most 7 days.

import { afterEach, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { fixture, startFakeUpstream, type Reply } from '../helpers/fake-upstream.ts';
import { startHarness, type TierSpec } from '../helpers/harness.ts';
import { ASK } from '../helpers/loose-tiers.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const WEEK_MS = 7 * 24 * 3600 * 1000;
const anthropic429 = (headers: Record<string, string>): Reply => ({
  kind: 'json',
  status: 429,
  body: JSON.parse(fixture('anthropic-429.json')),
  headers,
});
const gemini429 = (): Reply => {
  const body = JSON.parse(fixture('gemini-429.json')) as { error: { details: { '@type': string; retryDelay?: string }[] } };
  for (const d of body.error.details) if (d['@type'].endsWith('RetryInfo')) d.retryDelay = '99999999999999s';
  return { kind: 'json', status: 429, body };
};
const openai429 = (): Reply => ({
  kind: 'json',
  status: 429,
  body: { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } },
  headers: { 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '99999999999h' },
});

type Case = { name: string; tier: (url: string) => TierSpec; reply: Reply };
const CASES: Case[] = [
  {
    name: 'anthropic retry-after: 99999999999999',
    tier: (u) => ({ name: 'claude', protocol: 'anthropic', base_url: u }),
    reply: anthropic429({ 'retry-after': '99999999999999' }),
  },
  {
    name: 'anthropic retry-after-ms: 1e300',
    tier: (u) => ({ name: 'claude', protocol: 'anthropic', base_url: u }),
    reply: anthropic429({ 'retry-after-ms': '1e300' }),
  },
  {
    name: 'anthropic-ratelimit-unified-reset in nanoseconds',
    tier: (u) => ({ name: 'claude', protocol: 'anthropic', base_url: u }),
    reply: anthropic429({ 'anthropic-ratelimit-unified-reset': String(BigInt(Date.now() + 3_600_000) * 1_000_000n) }),
  },
  {
    name: 'retry-after as a date in the year 9999',
    tier: (u) => ({ name: 'claude', protocol: 'anthropic', base_url: u }),
    reply: anthropic429({ 'retry-after': 'Fri, 31 Dec 9999 23:59:59 GMT' }),
  },
  {
    name: 'Gemini RetryInfo.retryDelay 99999999999999s',
    tier: (u) => ({ name: 'gem', protocol: 'gemini', base_url: u, api_key: 'k', model: 'gemini-2.5-flash' }),
    reply: gemini429(),
  },
  {
    name: 'OpenAI x-ratelimit-reset-requests 99999999999h',
    tier: (u) => ({ name: 'oa', protocol: 'openai', base_url: u, api_key: 'k', model: 'gpt-4.1' }),
    reply: openai429(),
  },
];

describe('absurd retry hints (item 9)', () => {
  it.each(CASES)('$name: cools down at most 7 days, records the switch with a valid retry_at, and /status answers', async (c) => {
    const first = await startFakeUpstream(() => c.reply);
    const backup = await startFakeUpstream(() => ({ kind: 'sse', text: fixture('anthropic-stream-text.sse') }));
    const h = await startHarness({
      tiers: [c.tier(first.url), { name: 'backup', protocol: 'anthropic', base_url: backup.url, api_key: 'sk-backup' }],
      fallback: { max_wait: '0s' },
    });
    cleanup.push(
      () => first.close(),
      () => backup.close(),
      () => h.close(),
    );

    const before = Date.now();
    const m = await new Anthropic({ apiKey: 'sk-ant-client', baseURL: h.url, maxRetries: 0 }).messages.stream(ASK).finalMessage();
    expect(m.content[0]).toMatchObject({ type: 'text' });
    const switches = (await h.settledEvents()).filter((e) => e.kind === 'switch') as { retry_at?: string }[];
    expect(switches).toHaveLength(1);
    const retryAt = Date.parse(switches[0].retry_at ?? '');
    expect(retryAt).toBeGreaterThan(before);
    expect(retryAt).toBeLessThanOrEqual(Date.now() + WEEK_MS);

    const status = await fetch(`${h.url}/status`);
    expect(status.status).toBe(200);
    const body = (await status.json()) as { tiers: { cooldown_until: string | null }[] };
    const until = Date.parse(body.tiers[0].cooldown_until ?? '');
    expect(until).toBeGreaterThan(before);
    expect(until).toBeLessThanOrEqual(Date.now() + WEEK_MS);
  });

  it('answers with a retry-after of at most 7 days when the only tier sends an absurd hint', async () => {
    const only = await startFakeUpstream(() => anthropic429({ 'retry-after': '99999999999999' }));
    const h = await startHarness({ tiers: [{ name: 'claude', protocol: 'anthropic', base_url: only.url }], fallback: { max_wait: '0s' } });
    cleanup.push(
      () => only.close(),
      () => h.close(),
    );
    const res = await fetch(`${h.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ASK),
    });
    expect(res.status).toBe(429);
    const seconds = Number(res.headers.get('retry-after'));
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(WEEK_MS / 1000);
    expect((await fetch(`${h.url}/status`)).status).toBe(200);
  });
});
