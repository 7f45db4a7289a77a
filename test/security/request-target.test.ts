// Issue 12, items 1 and 2: the request target decides only the path under a tier's base URL, never
// the host it goes to, and never a path outside the base path. Driven over raw sockets, since no
// HTTP client sends `GET t://steal HTTP/1.1` or an unnormalised `/../` (Node's parser takes both).

import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { startScriptedUpstream, type ScriptedUpstream } from '../helpers/scripted-upstream.ts';
import { rawExchange, rawGet, type RawExchange } from '../helpers/raw-socket.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const KEY = 'sk-tier-secret-0123456789';

async function upstream(port?: number): Promise<ScriptedUpstream> {
  const up = await startScriptedUpstream(
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"data":[]}');
    },
    port === undefined ? {} : { port },
  );
  cleanup.push(() => up.close());
  return up;
}

async function keyedProxy(baseUrl: string): Promise<Harness> {
  const h = await startHarness({ tiers: [{ name: 'deepseek', protocol: 'anthropic', base_url: baseUrl, api_key: KEY }] });
  cleanup.push(() => h.close());
  return h;
}

const get = (h: Harness, target: string): Promise<RawExchange> =>
  rawExchange(h.port, rawGet(target, `127.0.0.1:${h.port}`), { waitMs: 3000 });

function expectRefused(r: RawExchange, target: string): void {
  expect(r.status, `${target} → ${r.raw.slice(0, 200)}`).toBe(400);
  const body = r.raw.slice(r.raw.indexOf('\r\n\r\n') + 4);
  expect(body, target).toMatch(/"type":"error","error":\{"type":"invalid_request_error"/);
}

describe('request targets (item 1)', () => {
  it('refuses with 400 every target that is not a path (absolute-form, a scheme glued to the base host, *), and nothing reaches any upstream', async () => {
    const tier = await upstream();
    const trap = await upstream();
    const h = await keyedProxy(tier.url);
    const targets = ['t://steal', 'munity://x', `http://127.0.0.1:${trap.port}/x`, `t://@127.0.0.1:${trap.port}/x`, '*'];
    for (const target of targets) expectRefused(await get(h, target), target);
    expect(tier.requests).toEqual([]);
    expect(trap.requests).toEqual([]);
    // The proxy keeps serving ordinary paths.
    expect((await get(h, '/v1/models')).status).toBe(200);
    expect(tier.requests.map((r) => r.url)).toEqual(['/v1/models']);
  });

  it("does not send the tier's key to localhost:80 when the base URL is http://localhos and the target is t://steal", async () => {
    // base_url + "t://steal" used to be http://localhost//steal: another server got the tier's x-api-key.
    // A trap listens where that request would land when the test may bind port 80 (as root in CI).
    const trap = await startScriptedUpstream((_r, res) => void res.end('trapped'), { port: 80 }).catch(() => null);
    if (trap) cleanup.push(() => trap.close());
    const h = await keyedProxy('http://localhos');
    const r = await get(h, 't://steal');
    expectRefused(r, 't://steal');
    if (trap) expect(trap.requests.map((q) => q.headers['x-api-key'])).toEqual([]);
  });

  it('keeps a target that starts with // on the tier (a path, never a protocol-relative URL)', async () => {
    const tier = await upstream();
    const trap = await upstream();
    const h = await keyedProxy(tier.url);
    const r = await get(h, `//127.0.0.1:${trap.port}/x`);
    expect(trap.requests).toEqual([]);
    // Either refused, or forwarded to the tier itself as a path.
    if (r.status !== 400) expect(tier.requests.map((q) => q.url)).toEqual([`//127.0.0.1:${trap.port}/x`]);
  });
});

describe('path traversal (item 2)', () => {
  it("refuses every target that would leave the tier's base path, however it is spelled, with 400", async () => {
    const tier = await upstream();
    const h = await keyedProxy(`${tier.url}/anthropic`);
    const targets = [
      '/%2e%2e/user/balance',
      '/../user/balance',
      '/v1/../../user/balance',
      '/%2E%2E/%2e%2e/user',
      '/.%2e/user/balance',
      '/v1/%2e%2e/%2e%2e/user/balance?x=1',
      // Encoded separators: a vendor's server may decode them before it resolves the path.
      '/v1/%2e%2e%2f%2e%2e%2fuser/balance',
      '/v1/..%5cuser',
    ];
    for (const target of targets) expectRefused(await get(h, target), target);
    expect(tier.requests.map((r) => r.url)).toEqual([]);
  });

  it('normalises dot segments that stay inside the base path and forwards the result under it', async () => {
    const tier = await upstream();
    const h = await keyedProxy(`${tier.url}/anthropic`);
    for (const target of ['/v1/files?x=1', '/v1/./files', '/v1/x/../files', '/v1/models/claude..opus']) {
      const r = await get(h, target);
      expect(r.status, target).toBe(200);
    }
    const urls = tier.requests.map((r) => r.url);
    expect(urls).toEqual(['/anthropic/v1/files?x=1', '/anthropic/v1/files', '/anthropic/v1/files', '/anthropic/v1/models/claude..opus']);
    for (const r of tier.requests) expect(r.headers['x-api-key']).toBe(KEY);
  });
});
