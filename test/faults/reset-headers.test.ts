// Issue 19, item 5: whatever a reset or retry header says (out of range, in nanoseconds, negative, NaN,
// garbage), on a 200 as on a 429, the proxy never answers `500 … Invalid time value`: a 200 reaches the
// client as it came, a 429 falls back, the switch records a valid retry_at at most a week away, and
// /status answers with limits whose times are valid. Every reset/retry header the proxy reads is sent
// at once, each case with one kind of bad value.

import { afterEach, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { fixture, startFakeUpstream, type Reply } from '../helpers/fake-upstream.ts';
import { startHarness } from '../helpers/harness.ts';
import { ASK } from '../helpers/loose-tiers.ts';
import { parseUnifiedLimits } from '../../proxy/status/rate-limits.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const WEEK_MS = 7 * 24 * 3600 * 1000;

/** Every header the proxy reads a time or a wait from: proxy/headers.ts, anthropic-error, openai-error, rate-limits. */
function resetHeaders(v: string): Record<string, string> {
  return {
    'retry-after': v,
    'retry-after-ms': v,
    'anthropic-ratelimit-unified-status': 'allowed_warning',
    'anthropic-ratelimit-unified-reset': v,
    'anthropic-ratelimit-unified-representative-claim': 'five_hour',
    'anthropic-ratelimit-unified-5h-utilization': '0.91',
    'anthropic-ratelimit-unified-5h-reset': v,
    'anthropic-ratelimit-unified-7d-utilization': '0.4',
    'anthropic-ratelimit-unified-7d-reset': v,
    ...Object.fromEntries(
      ['requests', 'tokens', 'input-tokens', 'output-tokens'].flatMap((b) => [
        [`anthropic-ratelimit-${b}-remaining`, '0'],
        [`anthropic-ratelimit-${b}-reset`, v],
      ]),
    ),
    'x-ratelimit-remaining-requests': '0',
    'x-ratelimit-reset-requests': v,
    'x-ratelimit-remaining-tokens': '0',
    'x-ratelimit-reset-tokens': v,
  };
}

const VALUES: [string, () => string][] = [
  ['far out of range (1e20 s)', () => '99999999999999999999'],
  ['in nanoseconds', () => String(BigInt(Date.now() + 3_600_000) * 1_000_000n)],
  ['negative', () => '-5'],
  ['NaN', () => 'NaN'],
  ['an exponent past Number', () => '1e400'],
  ['garbage', () => 'soon, probably 12'],
  ['a date in the year 9999', () => '9999-12-31T23:59:59Z'],
  ['the largest Date plus one', () => '+275760-09-13T00:00:00.001Z'],
  ['a duration in years', () => '99999999999h'],
];

const MESSAGE = {
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-6',
  content: [{ type: 'text', text: 'Hello' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 3, output_tokens: 1 },
};

describe('reset and retry headers out of range (issue 19 item 5)', () => {
  it.each(VALUES)('%s: a 200 passes, a 429 falls back, and every recorded time is valid and at most a week away', async (_name, value) => {
    const v = value();
    const headers = resetHeaders(v);
    let primaryReplies: Reply[] = [
      { kind: 'sse', text: fixture('anthropic-stream-text.sse'), headers },
      { kind: 'json', status: 200, body: MESSAGE, headers },
      {
        kind: 'json',
        status: 429,
        body: JSON.parse(fixture('anthropic-429.json')),
        headers: { ...headers, 'anthropic-ratelimit-unified-status': 'rejected' },
      },
    ];
    const primary = await startFakeUpstream(() => primaryReplies.shift() ?? { kind: 'reset' });
    const openai = await startFakeUpstream(() => ({ kind: 'json', status: 429, body: JSON.parse(fixture('openai-429.json')), headers }));
    const gemini = await startFakeUpstream(() => ({
      kind: 'json',
      status: 429,
      body: { error: { code: 429, message: 'Resource has been exhausted', status: 'RESOURCE_EXHAUSTED' } },
      headers,
    }));
    const backup = await startFakeUpstream(() => ({ kind: 'sse', text: fixture('anthropic-stream-text.sse') }));
    const h = await startHarness({
      tiers: [
        { name: 'claude', protocol: 'anthropic', base_url: primary.url },
        { name: 'oa', protocol: 'openai', base_url: openai.url, api_key: 'sk-oa', model: 'gpt-4.1' },
        { name: 'gem', protocol: 'gemini', base_url: gemini.url, api_key: 'g-key', model: 'gemini-2.5-flash' },
        { name: 'backup', protocol: 'anthropic', base_url: backup.url, api_key: 'sk-backup' },
      ],
      fallback: { max_wait: '0s' },
    });
    cleanup.push(
      () => primary.close(),
      () => openai.close(),
      () => gemini.close(),
      () => backup.close(),
      () => h.close(),
    );
    const client = new Anthropic({ apiKey: 'sk-ant-client', baseURL: h.url, maxRetries: 0 });

    const before = Date.now();
    // 200, streaming and whole: relayed as they came.
    const streamed = await client.messages.stream(ASK).finalMessage();
    expect(streamed.content[0]).toMatchObject({ type: 'text' });
    const whole = await fetch(`${h.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ASK),
    });
    expect(whole.status).toBe(200);
    expect(await whole.json()).toMatchObject({ content: [{ type: 'text', text: 'Hello' }] });

    // 429 from Anthropic, then from the OpenAI and Gemini tiers: each falls back, the backup answers.
    const fallen = await client.messages.stream(ASK).finalMessage();
    expect(fallen.content[0]).toMatchObject({ type: 'text' });
    expect(backup.requests).toHaveLength(1);
    expect(openai.requests).toHaveLength(1);
    expect(gemini.requests).toHaveLength(1);

    const switches = (await h.settledEvents()).filter((e) => e.kind === 'switch') as { retry_at?: string }[];
    expect(switches.length).toBeGreaterThanOrEqual(1);
    for (const s of switches) {
      const at = Date.parse(s.retry_at ?? '');
      expect(at).toBeGreaterThanOrEqual(before);
      expect(at).toBeLessThanOrEqual(Date.now() + WEEK_MS);
    }

    const status = await fetch(`${h.url}/status`);
    expect(status.status).toBe(200);
    const body = (await status.json()) as {
      tiers: { cooldown_until: string | null }[];
      rate_limits?: Record<string, Record<string, unknown>>;
    };
    for (const t of body.tiers.slice(0, 3)) {
      const until = Date.parse(t.cooldown_until ?? '');
      expect(until).toBeGreaterThan(before);
      expect(until).toBeLessThanOrEqual(Date.now() + WEEK_MS);
    }
    // The status line's windows: a time that is valid and at most a week away, or none.
    const limits = body.rate_limits?.claude;
    expect(limits).toBeDefined();
    for (const t of [
      limits!.resets_at,
      (limits!.five_hour as { resets_at?: string } | null)?.resets_at,
      (limits!.seven_day as { resets_at?: string } | null)?.resets_at,
    ]) {
      if (t === null || t === undefined) continue;
      expect(Date.parse(t as string)).toBeLessThanOrEqual(Date.now() + WEEK_MS);
    }
    primaryReplies = [];
  });
});

describe('the unified limits as recorded for the status line (issue 19 item 5)', () => {
  const now = Date.now();
  const window = (utilization: string, reset: string) => ({
    'anthropic-ratelimit-unified-status': 'allowed',
    'anthropic-ratelimit-unified-5h-utilization': utilization,
    'anthropic-ratelimit-unified-5h-reset': reset,
  });

  it('keeps a window whose reset is far off, clamped to a week, and drops one whose reset or utilization is garbage', () => {
    expect(parseUnifiedLimits(window('0.5', '99999999999999999999'), now)?.five_hour).toEqual({
      utilization: 0.5,
      resets_at: new Date(now + WEEK_MS).toISOString(),
    });
    expect(parseUnifiedLimits(window('0.5', String(Math.floor(now / 1000) + 3600)), now)?.five_hour?.resets_at).toBe(
      new Date(Math.floor(now / 1000) * 1000 + 3_600_000).toISOString(),
    );
    for (const [u, r] of [
      ['0.5', '-5'],
      ['0.5', 'NaN'],
      ['0.5', 'soon'],
      ['1e308', '1800000000'],
      ['-0.2', '1800000000'],
      ['NaN', '1800000000'],
    ]) {
      expect(parseUnifiedLimits(window(u, r), now)?.five_hour, `${u} ${r}`).toBeNull();
    }
  });
});
