// Issue 19, item 4: `GET /v1/models` routed to a keyed tier returned the upstream's 401 verbatim
// ("Incorrect API key provided: sk-ds-SUPERSECRET-…") and a response header echoing the key. Every
// route's answer is redacted, bodies and headers, with the one function (proxy/redact.ts), also when
// the key is cut in two by the upstream's chunks.

import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFakeUpstream } from '../helpers/fake-upstream.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { rawRequest } from '../helpers/http.ts';
import { ASK } from '../helpers/loose-tiers.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const KEY = 'sk-ds-SUPERSECRET-abcdef123456';
// DeepSeek's (OpenAI-style) answer to a wrong key quotes it, as the capture shows.
const UNAUTHORIZED = {
  error: {
    message: `Authentication Fails, Incorrect API key provided: ${KEY}`,
    type: 'authentication_error',
    param: null,
    code: 'invalid_request_error',
  },
};

async function keyedTier(url: string): Promise<Harness> {
  const h = await startHarness({
    tiers: [{ name: 'deepseek', protocol: 'anthropic', base_url: url, api_key: KEY, model: 'deepseek-chat' }],
  });
  cleanup.push(() => h.close());
  return h;
}

describe('keys in pass-through answers (item 4)', () => {
  it('redacts the key from a 401 body and from a header echoing it, on GET /v1/models and on count_tokens', async () => {
    const up = await startFakeUpstream(() => ({
      kind: 'json',
      status: 401,
      body: UNAUTHORIZED,
      headers: { 'x-echo-key': `Bearer ${KEY}`, 'x-request-id': 'req_1' },
    }));
    cleanup.push(() => up.close());
    const h = await keyedTier(up.url);
    const models = await rawRequest(`${h.url}/v1/models`, { headers: { 'x-api-key': 'sk-ant-client' } });
    const count = await rawRequest(`${h.url}/v1/messages/count_tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'x', messages: ASK.messages }),
    });
    expect(up.requests).toHaveLength(2);
    expect(up.requests[0].headers['x-api-key']).toBe(KEY); // the tier's own key went to its own host
    for (const r of [models, count]) {
      expect(r.status).toBe(401);
      expect(r.body).toContain('Incorrect API key provided: [redacted]');
      expect(r.body).not.toContain('SUPERSECRET');
      expect(r.headers['x-echo-key']).toBe('Bearer [redacted]');
      expect(r.headers['x-request-id']).toBe('req_1');
      expect(JSON.stringify(r.headers)).not.toContain('SUPERSECRET');
    }
  });

  it('finds the key when the upstream cuts it across two chunks, and leaves other bytes (UTF-8 included) as they were', async () => {
    const before = `{"note":"café ✓ ${KEY.slice(0, 9)}`;
    const after = `${KEY.slice(9)} and again ${KEY}","data":[]}`;
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(Buffer.from(before, 'utf8').subarray(0, -3)); // the first chunk ends inside the key
      setTimeout(() => res.end(Buffer.concat([Buffer.from(before, 'utf8').subarray(-3), Buffer.from(after, 'utf8')])), 50);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
    const h = await keyedTier(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const r = await rawRequest(`${h.url}/v1/models`);
    expect(r.status).toBe(200);
    expect(r.body).toBe('{"note":"café ✓ [redacted] and again [redacted]","data":[]}');
  });
});
