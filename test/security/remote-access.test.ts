// Issue 12, item 5: `proxy.host: 0.0.0.0` with `proxy.token` is the README's remote mode, and a
// remote client names the proxy by a non-loopback address in its Host header. With a valid token
// the DNS-rebinding (Host) check has nothing to protect; without one, or from a web page, the
// proxy still refuses. Loopback mode keeps refusing a foreign Host.

import { afterEach, describe, expect, it } from 'vitest';
import { fixture, startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { startHarness, type Harness, type HarnessOptions } from '../helpers/harness.ts';
import { rawRequest } from '../helpers/http.ts';
import { ASK } from '../helpers/loose-tiers.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const TOKEN = 'remote-token-0123456789';

async function proxy(p: HarnessOptions['proxy']): Promise<Harness & { up: FakeUpstream }> {
  const up = await startFakeUpstream(() => ({ kind: 'sse', text: fixture('anthropic-stream-text.sse') }));
  const h = await startHarness({ tiers: [{ name: 'claude', protocol: 'anthropic', base_url: up.url }], proxy: p });
  cleanup.push(
    () => up.close(),
    () => h.close(),
  );
  return Object.assign(h, { up });
}

describe('remote mode (item 5)', () => {
  it('serves a token holder that reaches it through a non-loopback Host (192.168.1.20:port), /health and /v1/messages', async () => {
    const h = await proxy({ host: '0.0.0.0', token: TOKEN });
    const host = `192.168.1.20:${h.port}`;
    const health = await rawRequest(`${h.url}/health`, { headers: { host, 'x-fallback-token': TOKEN } });
    expect(health.status, health.body).toBe(200);
    const res = await rawRequest(`${h.url}/v1/messages`, {
      method: 'POST',
      headers: { host, 'x-fallback-token': TOKEN, 'content-type': 'application/json', 'x-api-key': 'sk-ant-client' },
      body: JSON.stringify({ ...ASK, stream: true }),
    });
    expect(res.status, res.body).toBe(200);
    expect(res.body).toContain('event: message_stop');
    expect(h.up.requests).toHaveLength(1);
    expect(h.up.requests[0].headers['x-fallback-token']).toBeUndefined();
  });

  it('still refuses a remote client without the token, with a wrong one, and a web page even with the token', async () => {
    const h = await proxy({ host: '0.0.0.0', token: TOKEN });
    const host = `192.168.1.20:${h.port}`;
    expect((await rawRequest(`${h.url}/health`, { headers: { host } })).status).toBe(403);
    expect((await rawRequest(`${h.url}/health`, { headers: { host, 'x-fallback-token': 'wrong' } })).status).toBe(403);
    const page = await rawRequest(`${h.url}/health`, { headers: { host, 'x-fallback-token': TOKEN, origin: 'https://evil.example' } });
    expect(page.status).toBe(403);
    expect(JSON.parse(page.body)).toMatchObject({ type: 'error', error: { type: 'permission_error' } });
  });

  it('in loopback mode without a token keeps refusing a foreign Host (DNS rebinding), whatever token header comes along', async () => {
    const h = await proxy({ host: '127.0.0.1' });
    const r = await rawRequest(`${h.url}/health`, { headers: { host: `192.168.1.20:${h.port}`, 'x-fallback-token': 'anything' } });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body).error.message).toMatch(/DNS rebinding/);
    expect((await rawRequest(`${h.url}/health`, { headers: { host: `localhost:${h.port}` } })).status).toBe(200);
  });
});
