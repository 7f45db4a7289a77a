// What the proxy does for the CLI and for a user reading its log: failure lines that name the tier, URL,
// errno or status and the action; every cooling tier tried in order; a /webhook switch that lifts the named
// tier's cooldown; POST /retry; Claude's subscription limits read from the unified headers.

import { afterEach, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { createServer } from 'node:net';
import { fixture, startFakeUpstream, type Handler } from '../helpers/fake-upstream.ts';
import { startHarness, type HarnessOptions } from '../helpers/harness.ts';
import { parseUnifiedLimits } from '../../proxy/status/rate-limits.ts';
import { workingDirectory, isInside } from '../../proxy/status/workdir-check.ts';
import { safeUrl } from '../../proxy/engine/failure-log.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const TEXT = fixture('anthropic-stream-text.sse');
const limited = { kind: 'json' as const, status: 429, body: JSON.parse(fixture('anthropic-429.json')) };
const req = { model: 'claude-opus-4-6', max_tokens: 64, messages: [{ role: 'user' as const, content: 'hi' }] };

async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function proxyWith(tiers: HarnessOptions['tiers'], extra: Partial<HarnessOptions> = {}) {
  const h = await startHarness({ tiers, fallback: { max_wait: '0s' }, ...extra });
  cleanup.push(() => h.close());
  return { h, client: new Anthropic({ apiKey: 'k', baseURL: h.url, maxRetries: 0 }) };
}

async function fake(handler: Handler) {
  const f = await startFakeUpstream(handler);
  cleanup.push(() => f.close());
  return f;
}

describe('failure log lines', () => {
  it('name the tier, the errno as Node reports it, the URL and the action', async () => {
    const port = await deadPort();
    const b = await fake(() => ({ kind: 'sse', text: TEXT }));
    const { h, client } = await proxyWith([
      { name: 'claude', protocol: 'anthropic', base_url: `http://127.0.0.1:${port}` },
      { name: 'deepseek', protocol: 'anthropic', base_url: b.url, api_key: 'sk-d', model: 'deepseek-v4-flash' },
    ]);
    await client.messages.stream(req).finalMessage();
    const line = h.logs.find((l) => l.startsWith('claude:'));
    expect(line).toMatch(
      new RegExp(
        `^claude: connect ECONNREFUSED 127\\.0\\.0\\.1:${port} \\(http://127\\.0\\.0\\.1:${port}/v1/messages\\): fallback, network cooldown until \\S+Z \\(no reset time given\\) \\(15m\\)$`,
      ),
    );
  });

  it('give a 404 from a tier a hint to check its base_url, naming a doubled /v1', async () => {
    const a = await fake(() => ({
      kind: 'json',
      status: 404,
      body: { type: 'error', error: { type: 'not_found_error', message: 'Not Found' } },
    }));
    const { h, client } = await proxyWith([{ name: 'claude', protocol: 'anthropic', base_url: `${a.url}/v1` }]);
    await expect(client.messages.create(req)).rejects.toThrow();
    expect(a.requests[0].url).toBe('/v1/v1/messages');
    expect(h.logs.find((l) => l.startsWith('claude:'))).toBe(
      `claude: 404 not_found_error (${a.url}/v1/v1/messages): returned to Claude Code; check claude's base_url in the config: a 404 from a tier usually means a wrong base_url (here a version segment appears twice, e.g. /v1/v1)`,
    );
  });

  it('never carry a query string or user info of the URL', () => {
    expect(safeUrl('https://user:pw@example.com/v1beta/models/x:streamGenerateContent?alt=sse&key=secret')).toBe(
      'https://example.com/v1beta/models/x:streamGenerateContent',
    );
  });
});

describe('cooldowns', () => {
  it('tries every tier in order when all of them cool down, not only the one expected back first', async () => {
    let aDown = true;
    // claude asks for an hour; deepseek gives no hint (the 15 min cooldown), so deepseek is "expected back first".
    const a = await fake(() => (aDown ? { ...limited, headers: { 'retry-after': '3600' } } : { kind: 'sse', text: TEXT }));
    const b = await fake(() => limited);
    const { h, client } = await proxyWith([
      { name: 'claude', protocol: 'anthropic', base_url: a.url },
      { name: 'deepseek', protocol: 'anthropic', base_url: b.url, api_key: 'sk-d', model: 'deepseek-v4-flash' },
    ]);
    await expect(client.messages.create(req)).rejects.toThrow();
    expect(h.proxy.state.cooldownUntil[0]).toBeGreaterThan(h.proxy.state.cooldownUntil[1]);
    aDown = false; // claude is back early; deepseek is still down
    const m = await client.messages.stream(req).finalMessage();
    expect(m.content[0]).toMatchObject({ type: 'text' });
    expect([a.requests.length, b.requests.length]).toEqual([2, 1]);
  });

  it('a /webhook switch naming tier 0 lifts its cooldown, so the next request goes to it', async () => {
    let aDown = true;
    const a = await fake(() => (aDown ? limited : { kind: 'sse', text: TEXT }));
    const b = await fake(() => ({ kind: 'sse', text: TEXT }));
    const { h, client } = await proxyWith([
      { name: 'claude', protocol: 'anthropic', base_url: a.url },
      { name: 'deepseek', protocol: 'anthropic', base_url: b.url, api_key: 'sk-d', model: 'deepseek-v4-flash' },
    ]);
    await client.messages.stream(req).finalMessage();
    expect(h.proxy.state.active).toBe(1);
    aDown = false;
    const r = await fetch(`${h.url}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude', event_type: 'switch' }),
    });
    expect(await r.json()).toEqual({ status: 'switched', active: 'claude' });
    await client.messages.stream(req).finalMessage();
    expect(a.requests).toHaveLength(2);
    expect(b.requests).toHaveLength(1);
    expect(h.proxy.state.active).toBe(0);
  });

  it("POST /retry lifts one tier's cooldown, or every one, and refuses an unknown tier", async () => {
    const a = await fake(() => limited);
    const b = await fake(() => ({ kind: 'sse', text: TEXT }));
    const { h, client } = await proxyWith([
      { name: 'claude', protocol: 'anthropic', base_url: a.url },
      { name: 'deepseek', protocol: 'anthropic', base_url: b.url, api_key: 'sk-d', model: 'deepseek-v4-flash' },
    ]);
    await client.messages.stream(req).finalMessage();
    const post = (body?: unknown) =>
      fetch(`${h.url}/retry`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? '' : JSON.stringify(body),
      });
    expect(await (await post({ tier: 'nope' })).json()).toMatchObject({
      error: { message: 'no tier named "nope" (tiers: claude, deepseek)' },
    });
    expect(await (await post()).json()).toEqual({ status: 'ok', ready: ['claude'], active: 'deepseek' });
    expect(h.proxy.state.cooldownUntil[0]).toBe(0);
    expect(await (await post({ tier: 'claude' })).json()).toEqual({ status: 'ok', ready: [], active: 'deepseek' });
  });
});

describe("Claude's subscription limits", () => {
  it('are read from the unified headers as Claude Code reads them: fractions and Unix-second resets', () => {
    const now = Date.UTC(2026, 11, 2, 12);
    const l = parseUnifiedLimits(
      {
        'anthropic-ratelimit-unified-status': 'allowed_warning',
        'anthropic-ratelimit-unified-5h-utilization': '0.87',
        'anthropic-ratelimit-unified-5h-reset': String(now / 1000 + 1800),
        'anthropic-ratelimit-unified-7d-utilization': '0.4',
        'anthropic-ratelimit-unified-7d-reset': String(now / 1000 + 86400),
        'anthropic-ratelimit-unified-representative-claim': 'five_hour',
      },
      now,
    );
    expect(l).toEqual({
      status: 'allowed_warning',
      five_hour: { utilization: 0.87, resets_at: '2026-12-02T12:30:00.000Z' },
      seven_day: { utilization: 0.4, resets_at: '2026-12-03T12:00:00.000Z' },
      representative_claim: 'five_hour',
      resets_at: null,
      seen_at: '2026-12-02T12:00:00.000Z',
    });
    expect(parseUnifiedLimits({ 'anthropic-ratelimit-requests-remaining': '10' })).toBeNull(); // an API key's answer
  });

  it('are recorded as answers arrive, and kept when a later answer carries none', async () => {
    const headers = {
      'anthropic-ratelimit-unified-status': 'allowed',
      'anthropic-ratelimit-unified-5h-utilization': '0.42',
      'anthropic-ratelimit-unified-5h-reset': String(Math.floor(Date.now() / 1000) + 3600),
    };
    const a = await fake((_, i) => ({ kind: 'sse', text: TEXT, headers: i === 0 ? headers : {} }));
    const { h, client } = await proxyWith([{ name: 'claude', protocol: 'anthropic', base_url: a.url }]);
    await client.messages.stream(req).finalMessage();
    await client.messages.stream(req).finalMessage();
    const s = (await (await fetch(`${h.url}/status`)).json()) as { rate_limits: Record<string, { five_hour: { utilization: number } }> };
    expect(s.rate_limits.claude.five_hour.utilization).toBe(0.42);
  });
});

describe('the working directory Claude Code names', () => {
  it('is read from the system prompt of current and earlier Claude Code versions', () => {
    expect(
      workingDirectory({ system: [{ type: 'text', text: 'x\nPrimary working directory: /home/u/app\nIs a git repository: true' }] }),
    ).toBe('/home/u/app');
    expect(workingDirectory({ system: '<env>\nWorking directory: /home/u/old\n</env>' })).toBe('/home/u/old');
    expect(workingDirectory({ system: 'no env here' })).toBeNull();
  });

  it('counts a subdirectory as inside the repository and a sibling with a common prefix as outside', () => {
    expect(isInside('/r/app', '/r/app/src', 'linux')).toBe(true);
    expect(isInside('/r/app', '/r/app', 'linux')).toBe(true);
    expect(isInside('/r/app', '/r/app2', 'linux')).toBe(false);
    expect(isInside('/r/App', '/r/app/x', 'darwin')).toBe(true);
  });
});
