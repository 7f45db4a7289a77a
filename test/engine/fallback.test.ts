// The fallback rules of docs/fallback.md, end to end: which failures move a conversation to the next tier,
// how long a tier cools down, and how the proxy comes back by itself.

import { afterEach, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { fixture, startFakeUpstream, type Handler } from '../helpers/fake-upstream.ts';
import { startHarness, type Harness, type HarnessOptions } from '../helpers/harness.ts';
import type { SwitchEvent } from '../../proxy/git/ledger.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const TEXT = fixture('anthropic-stream-text.sse');
const TOOL = fixture('anthropic-stream-tool-use.sse');
const rateLimited = (retryAfter?: string) => ({
  kind: 'json' as const,
  status: 429,
  body: JSON.parse(fixture('anthropic-429.json')),
  headers: (retryAfter === undefined ? {} : { 'retry-after': retryAfter }) as Record<string, string>,
});

async function twoTiers(primary: Handler, secondary: Handler = () => ({ kind: 'sse', text: TOOL }), extra: Partial<HarnessOptions> = {}) {
  const a = await startFakeUpstream(primary);
  const b = await startFakeUpstream(secondary);
  const h = await startHarness({
    tiers: [
      { name: 'claude', protocol: 'anthropic', base_url: a.url },
      { name: 'deepseek', protocol: 'anthropic', base_url: b.url, api_key: 'sk-deepseek-secret', model: 'deepseek-v4-flash' },
    ],
    ...extra,
  });
  cleanup.push(
    () => a.close(),
    () => b.close(),
    () => h.close(),
  );
  return { a, b, h, client: new Anthropic({ apiKey: 'sk-ant-client', baseURL: h.url, maxRetries: 0 }) };
}

const req = { model: 'claude-sonnet-4-6', max_tokens: 1024, messages: [{ role: 'user' as const, content: 'Read the README' }] };
const switches = (h: Harness) => h.events().filter((e): e is SwitchEvent => e.kind === 'switch');

describe('fallback on a limit', () => {
  it('moves a streaming conversation to tier 1 on a 429 and back after the cooldown, each step in the ledger', async () => {
    const { a, b, h, client } = await twoTiers((_, i) => (i === 0 ? rateLimited('3600') : { kind: 'sse', text: TEXT }), undefined, {
      fallback: { max_wait: '0s' },
    });

    const first = await client.messages.stream(req).finalMessage();
    expect(first.content.find((c) => c.type === 'tool_use')).toMatchObject({ name: 'Read' });
    // Tier 1 got its own key and mapped model, never the client's credentials.
    expect(b.requests[0].headers['x-api-key']).toBe('sk-deepseek-secret');
    expect((b.requests[0].json as { model: string }).model).toBe('deepseek-v4-flash');
    expect(JSON.stringify(b.requests[0].headers)).not.toContain('sk-ant-client');
    expect(switches(h)).toMatchObject([{ from: 'claude', to: 'deepseek', reason: 'rate_limit', status: 429 }]);
    expect(Date.parse(switches(h)[0].retry_at!)).toBeGreaterThan(Date.now());

    // Sticky: while claude cools down, requests go straight to deepseek.
    await client.messages.stream(req).finalMessage();
    expect(a.requests).toHaveLength(1);
    expect(b.requests).toHaveLength(2);

    // The hour passes on the proxy's clock: the next request tries claude again.
    h.clock.advance(3600_000);
    const back = await client.messages.stream(req).finalMessage();
    expect(back.content[0]).toMatchObject({
      type: 'text',
      text: 'The build passes: all 42 tests succeeded in 3.1s. No lint warnings were reported.',
    });
    expect(a.requests).toHaveLength(2);
    expect(switches(h).map((s) => [s.from, s.to, s.reason])).toEqual([
      ['claude', 'deepseek', 'rate_limit'],
      ['deepseek', 'claude', 'recovered'],
    ]);
    expect((await h.settledEvents()).filter((e) => e.kind === 'usage').map((e) => (e as { tier: string }).tier)).toEqual([
      'deepseek',
      'deepseek',
      'claude',
    ]);
  });

  it.each([
    ['529 overloaded', { kind: 'json', status: 529, body: JSON.parse(fixture('anthropic-529.json')) }, 'overloaded'],
    [
      '500 api_error',
      { kind: 'json', status: 500, body: { type: 'error', error: { type: 'api_error', message: 'Internal' } } },
      'server_error',
    ],
    ['503 from a gateway, not JSON', { kind: 'raw', status: 503, text: '<html>Service Unavailable</html>' }, 'overloaded'],
    ['402 billing', { kind: 'json', status: 402, body: { type: 'error', error: { type: 'billing_error', message: 'pay' } } }, 'billing'],
    [
      '400 spend limit',
      {
        kind: 'json',
        status: 400,
        body: {
          type: 'error',
          error: {
            type: 'invalid_request_error',
            message: 'You have reached your specified API usage limits. You will regain access on 2026-12-01 at 00:00 UTC.',
          },
        },
      },
      'billing',
    ],
    [
      '429 monthly cap',
      {
        kind: 'json',
        status: 429,
        body: {
          type: 'error',
          error: { type: 'rate_limit_error', message: 'cap', details: { error_code: 'enforced_spend_limit_reached' } },
        },
      },
      'billing',
    ],
  ] as const)('falls back on %s', async (_name, reply, reason) => {
    const { h, client } = await twoTiers(() => reply as never);
    const m = await client.messages.stream(req).finalMessage();
    expect(m.stop_reason).toBe('tool_use');
    expect(switches(h)).toMatchObject([{ from: 'claude', to: 'deepseek', reason }]);
  });

  it('waits out a retry-after up to max_wait on the same tier without switching', async () => {
    const { a, b, h, client } = await twoTiers((_, i) => (i === 0 ? rateLimited('1') : { kind: 'sse', text: TEXT }));
    const started = Date.now();
    const m = await client.messages.stream(req).finalMessage();
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(m.content[0]).toMatchObject({ type: 'text' });
    expect(a.requests).toHaveLength(2);
    expect(b.requests).toHaveLength(0);
    expect(switches(h)).toHaveLength(0);
  });

  it('honours the reset time of anthropic-ratelimit headers as the cooldown end', async () => {
    const reset = new Date(Date.now() + 3 * 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const headers = {
      'retry-after': '10800',
      'anthropic-ratelimit-input-tokens-remaining': '0',
      'anthropic-ratelimit-input-tokens-reset': reset,
    };
    const { h, client } = await twoTiers(() => ({ ...rateLimited(), headers }));
    await client.messages.stream(req).finalMessage();
    const status = (await (await fetch(`${h.url}/status`)).json()) as {
      active: string;
      tiers: { name: string; cooldown_until: string | null }[];
    };
    expect(status.active).toBe('deepseek');
    const until = Date.parse(status.tiers[0].cooldown_until!);
    expect(Math.abs(until - Date.parse(reset))).toBeLessThan(2000);
  });

  it('does not fall back on a 401 with the client credentials: the client sees it as it is', async () => {
    const { b, client } = await twoTiers(() => ({
      kind: 'json',
      status: 401,
      body: { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } },
    }));
    await expect(client.messages.stream(req).finalMessage()).rejects.toMatchObject({ status: 401 });
    expect(b.requests).toHaveLength(0);
  });
});

describe('failures before the first byte', () => {
  it('falls back invisibly on an error event that comes before any content', async () => {
    const early =
      'event: message_start\ndata: ' +
      TEXT.split('\n')[1].slice(6) +
      '\n\nevent: ping\ndata: {"type":"ping"}\n\nevent: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n';
    const { h } = await twoTiers(
      () => ({ kind: 'sse', text: early }),
      () => ({ kind: 'sse', text: TEXT }),
    );
    const res = await fetch(`${h.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...req, stream: true }),
    });
    expect(await res.text()).toBe(TEXT);
    expect(switches(h)).toMatchObject([{ reason: 'overloaded' }]);
  });

  it('passes an error event after content through and ends the stream, without switching', async () => {
    const { b, h, client } = await twoTiers(() => ({ kind: 'sse', text: fixture('anthropic-error-midstream.sse') }));
    await expect(client.messages.stream(req).finalMessage()).rejects.toThrow(/Overloaded/);
    expect(b.requests).toHaveLength(0);
    expect(switches(h)).toHaveLength(0);
  });

  it('falls back when no headers come within first_byte_timeout', async () => {
    const { h, client } = await twoTiers(() => ({ kind: 'hang' }), undefined, { fallback: { first_byte_timeout: '300ms' } });
    const m = await client.messages.stream(req).finalMessage();
    expect(m.stop_reason).toBe('tool_use');
    expect(switches(h)).toMatchObject([{ reason: 'timeout' }]);
  });

  it('falls back on a connection reset before headers and on a refused connection', async () => {
    const { h, client } = await twoTiers(() => ({ kind: 'reset' }));
    await client.messages.stream(req).finalMessage();
    expect(switches(h)).toMatchObject([{ reason: 'network' }]);

    const b = await startFakeUpstream(() => ({ kind: 'sse', text: TEXT }));
    const h2 = await startHarness({
      tiers: [
        { name: 'claude', protocol: 'anthropic', base_url: 'http://127.0.0.1:1' },
        { name: 'backup', protocol: 'anthropic', base_url: b.url, api_key: 'k' },
      ],
    });
    cleanup.push(
      () => b.close(),
      () => h2.close(),
    );
    const m = await new Anthropic({ apiKey: 'x', baseURL: h2.url, maxRetries: 0 }).messages.stream(req).finalMessage();
    expect(m.content[0]).toMatchObject({ type: 'text' });
  });

  it('ends a stream that dies after content with an error event', async () => {
    const partial = TEXT.split('\n\n').slice(0, 4).join('\n\n') + '\n\n';
    const { h, client } = await twoTiers(() => ({ kind: 'reset-after', text: partial }));
    await expect(client.messages.stream(req).finalMessage()).rejects.toThrow(/upstream/i);
    expect(switches(h)).toHaveLength(0);
  });
});

describe('when every tier fails', () => {
  it("returns the last upstream's status in Anthropic's shape with retry-after and x-should-retry: false", async () => {
    const { a, b, h } = await twoTiers(
      () => rateLimited('600'),
      () => ({ kind: 'json', status: 529, body: JSON.parse(fixture('anthropic-529.json')) }),
    );
    const res = await fetch(`${h.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(req),
    });
    expect(res.status).toBe(529);
    expect(res.headers.get('x-should-retry')).toBe('false');
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(500);
    expect(retryAfter).toBeLessThanOrEqual(600);
    const body = (await res.json()) as { type: string; error: { type: string; message: string } };
    expect(body).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
    expect(a.requests.length + b.requests.length).toBe(2);
    expect(switches(h)).toHaveLength(0);
  });
});

describe('concurrency and aborts', () => {
  it('makes exactly one switch line when 50 concurrent requests hit the same 429', async () => {
    const { b, h, client } = await twoTiers(() => rateLimited('900'));
    const all = await Promise.all(Array.from({ length: 50 }, () => client.messages.stream(req).finalMessage()));
    expect(all.every((m) => m.stop_reason === 'tool_use')).toBe(true);
    expect(b.requests).toHaveLength(50);
    expect(switches(h)).toHaveLength(1);
  });

  it('aborts the upstream request at once when the client disconnects', async () => {
    const { a, h } = await twoTiers(() => ({ kind: 'stall-after', text: TEXT.split('\n\n').slice(0, 3).join('\n\n') + '\n\n' }));
    const ctrl = new AbortController();
    const res = await fetch(`${h.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...req, stream: true }),
      signal: ctrl.signal,
    });
    const reader = res.body!.getReader();
    await reader.read();
    const closed = a.closed(0);
    const t = Date.now();
    ctrl.abort();
    await closed;
    expect(Date.now() - t).toBeLessThan(500);
  });
});
