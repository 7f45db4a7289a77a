// The proxy's own routes and its answers to bad input, in Anthropic's error shape.

import { afterEach, describe, expect, it } from 'vitest';
import { fixture, startFakeUpstream } from '../helpers/fake-upstream.ts';
import { startHarness, type Harness, type HarnessOptions } from '../helpers/harness.ts';
import { rawRequest } from '../helpers/http.ts';
import { execa } from 'execa';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function proxy(extra: Partial<HarnessOptions> = {}): Promise<Harness & { upstream: Awaited<ReturnType<typeof startFakeUpstream>> }> {
  const upstream = await startFakeUpstream((r) =>
    r.url.startsWith('/v1/messages/count_tokens')
      ? { kind: 'json', status: 200, body: { input_tokens: 1234 } }
      : { kind: 'sse', text: fixture('anthropic-stream-text.sse') },
  );
  const h = await startHarness({ tiers: [{ name: 'claude', protocol: 'anthropic', base_url: upstream.url }], ...extra });
  cleanup.push(
    () => upstream.close(),
    () => h.close(),
  );
  return Object.assign(h, { upstream });
}

const post = (url: string, body: string | Buffer, headers: Record<string, string> = {}) =>
  rawRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('routes', () => {
  it('answers /health with the active tier and /status with tiers, health and counters', async () => {
    const h = await proxy();
    expect(await (await fetch(`${h.url}/health`)).json()).toEqual({ status: 'ok', active: 'claude' });
    const status = (await (await fetch(`${h.url}/status`)).json()) as {
      active: string;
      tiers: { name: string; healthy: boolean; requests: number }[];
    };
    expect(status.active).toBe('claude');
    expect(status.tiers).toMatchObject([{ name: 'claude', healthy: true, requests: 0 }]);
  });

  it("takes the seed's curl to /webhook and writes an external event to the ledger", async () => {
    const h = await proxy();
    const { stdout: out } = await execa('curl', [
      '-s',
      '-X',
      'POST',
      `${h.url}/webhook`,
      '-H',
      'Content-Type: application/json',
      '-d',
      '{"model":"test-model","event_type":"fallback"}',
    ]);
    expect(JSON.parse(out)).toMatchObject({ status: 'recorded', active: 'claude' });
    const external = h.events().filter((e) => e.kind === 'external');
    expect(external).toMatchObject([{ kind: 'external', model: 'test-model', event_type: 'fallback' }]);
    // It does not change which model answers (hooks go by start/switch/stop lines).
    expect(await (await fetch(`${h.url}/health`)).json()).toMatchObject({ active: 'claude' });
  });

  it('turns a /webhook fallback naming one of its tiers into a real switch', async () => {
    const backup = await startFakeUpstream(() => ({ kind: 'sse', text: fixture('anthropic-stream-text.sse') }));
    cleanup.push(() => backup.close());
    const h = await proxy({
      tiers: [
        { name: 'claude', protocol: 'anthropic', base_url: 'http://127.0.0.1:1' },
        { name: 'backup', protocol: 'anthropic', base_url: backup.url, api_key: 'k' },
      ],
    });
    const res = await post(`${h.url}/webhook`, '{"model":"backup","event_type":"fallback"}');
    expect(JSON.parse(res.body)).toMatchObject({ status: 'switched', active: 'backup' });
    expect(h.events().filter((e) => e.kind === 'switch')).toMatchObject([{ from: 'claude', to: 'backup', reason: 'external' }]);
  });

  it('answers count_tokens from the active anthropic tier', async () => {
    const h = await proxy();
    const res = await post(
      `${h.url}/v1/messages/count_tokens?beta=true`,
      JSON.stringify({ model: 'claude-sonnet-4-6', messages: [{ role: 'user', content: 'hi' }] }),
    );
    expect(JSON.parse(res.body)).toEqual({ input_tokens: 1234 });
    expect(h.upstream.requests[0].url).toBe('/v1/messages/count_tokens?beta=true');
  });
});

describe('bad input', () => {
  it('refuses a body that is not JSON with a 400 invalid_request_error', async () => {
    const h = await proxy();
    const res = await post(`${h.url}/v1/messages`, '{"model": ');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(JSON.parse(res.body).error.message).toMatch(/not valid JSON/);
    const missing = await post(`${h.url}/v1/messages`, '{"model":"x","max_tokens":5}');
    expect(JSON.parse(missing.body).error.message).toMatch(/messages/);
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('refuses a body over proxy.max_body with a 413 request_too_large, and keeps serving', async () => {
    const h = await proxy({ proxy: { max_body: '1kb' } });
    const big = JSON.stringify({ model: 'x', max_tokens: 5, messages: [{ role: 'user', content: 'x'.repeat(5000) }] });
    const res = await post(`${h.url}/v1/messages`, big);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ type: 'error', error: { type: 'request_too_large' } });
    expect((await fetch(`${h.url}/health`)).status).toBe(200);
  });

  it('passes unknown paths through to the anthropic tier', async () => {
    const h = await proxy();
    await rawRequest(`${h.url}/v1/files?x=1`);
    expect(h.upstream.requests[0].url).toBe('/v1/files?x=1');
  });
});

describe('access', () => {
  it('refuses requests from a web page (a foreign Origin) and a foreign Host (DNS rebinding)', async () => {
    const h = await proxy();
    const fromPage = await rawRequest(`${h.url}/v1/messages`, { method: 'POST', headers: { origin: 'https://evil.example' }, body: '{}' });
    expect(fromPage.status).toBe(403);
    expect(JSON.parse(fromPage.body)).toMatchObject({ error: { type: 'permission_error' } });
    const rebound = await rawRequest(`${h.url}/health`, { headers: { host: `attacker.example:${h.port}` } });
    expect(rebound.status).toBe(403);
    // Any Origin, a page on another loopback port included, is a web page (issue 19, item 2).
    const local = await rawRequest(`${h.url}/health`, { headers: { origin: `http://localhost:${h.port}` } });
    expect(local.status).toBe(403);
    expect((await rawRequest(`${h.url}/health`)).status).toBe(200);
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('requires x-fallback-token when proxy.token is set', async () => {
    const h = await proxy({ proxy: { token: 'let-me-in' } });
    expect((await rawRequest(`${h.url}/health`)).status).toBe(403);
    expect((await rawRequest(`${h.url}/health`, { headers: { 'x-fallback-token': 'wrong' } })).status).toBe(403);
    expect((await rawRequest(`${h.url}/health`, { headers: { 'x-fallback-token': 'let-me-in' } })).status).toBe(200);
    await post(`${h.url}/v1/messages`, JSON.stringify({ model: 'm', max_tokens: 5, stream: true, messages: [] }), {
      'x-fallback-token': 'let-me-in',
    });
    expect(h.upstream.requests[0].headers['x-fallback-token']).toBeUndefined();
  });
});
