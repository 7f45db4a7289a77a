// What held up at the framing level and must stay so (issue 12): request smuggling attempts over one
// raw connection never reach an upstream as a second request, bodies over proxy.max_body are refused
// however they are framed, and a body that is not JSON is a 400 — the proxy keeps serving after each.

import { afterEach, describe, expect, it } from 'vitest';
import { fixture, startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { rawExchange, statuses } from '../helpers/raw-socket.ts';
import { ASK } from '../helpers/loose-tiers.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function proxy(extra: Record<string, unknown> = {}): Promise<Harness & { up: FakeUpstream }> {
  const up = await startFakeUpstream((r) =>
    r.url.startsWith('/v1/messages') && r.method === 'POST'
      ? { kind: 'sse', text: fixture('anthropic-stream-text.sse') }
      : { kind: 'json', status: 200, body: { data: [] } },
  );
  const h = await startHarness({ tiers: [{ name: 'claude', protocol: 'anthropic', base_url: up.url }], proxy: extra });
  cleanup.push(
    () => up.close(),
    () => h.close(),
  );
  return Object.assign(h, { up });
}

const SMUGGLED = (h: Harness) => `GET /smuggled HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\n\r\n`;

describe('request smuggling (held up)', () => {
  it('never lets a second request hidden in a body reach the upstream, however the framing is made ambiguous', async () => {
    const h = await proxy();
    const host = `127.0.0.1:${h.port}`;
    const attempts = [
      // CL.TE: both headers.
      `POST /v1/files HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED(h)}`,
      // Two different Content-Lengths.
      `POST /v1/files HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 0\r\nContent-Length: 60\r\n\r\n${SMUGGLED(h)}`,
      // An obfuscated Transfer-Encoding.
      `POST /v1/files HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding: xchunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n${SMUGGLED(h)}`,
      `POST /v1/files HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n${SMUGGLED(h)}`,
      // A bare LF in the chunk framing.
      `POST /v1/files HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n${SMUGGLED(h)}`,
    ];
    for (const text of attempts) await rawExchange(h.port, text, { waitMs: 1000 });
    expect(h.up.requests.map((r) => r.url)).not.toContain('/smuggled');
    expect((await fetch(`${h.url}/health`)).status).toBe(200);
  });

  it('forwards a request whose chunked body contains request text as that body only, and serves the pipelined next request itself', async () => {
    const h = await proxy();
    const host = `127.0.0.1:${h.port}`;
    const inner = SMUGGLED(h);
    const chunk = `${inner.length.toString(16)}\r\n${inner}\r\n0\r\n\r\n`;
    // A POST body must be declared JSON (issue 19, item 2); the framing is what this test is about.
    const text = `POST /v1/files HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${chunk}GET /health HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;
    const r = await rawExchange(h.port, text, { waitMs: 2000 });
    expect(statuses(r.raw)).toEqual([200, 200]);
    expect(h.up.requests.map((q) => q.url)).toEqual(['/v1/files']);
    expect(h.up.requests[0].body.toString()).toBe(inner);
  });
});

describe('body limits and bad bodies (held up)', () => {
  it('refuses a chunked body that grows past proxy.max_body with 413, sending nothing upstream', async () => {
    const h = await proxy({ max_body: '4kb' });
    const piece = 'x'.repeat(1024);
    const chunks = Array.from({ length: 8 }, () => `${piece.length.toString(16)}\r\n${piece}\r\n`).join('');
    const r = await rawExchange(
      h.port,
      `POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${chunks}0\r\n\r\n`,
      { waitMs: 2000 },
    );
    expect(r.status).toBe(413);
    expect(r.raw).toMatch(/"type":"request_too_large"/);
    expect(h.up.requests).toHaveLength(0);
    expect((await fetch(`${h.url}/health`)).status).toBe(200);
  });

  it('answers bodies that are not JSON objects with 400 and passes nothing on', async () => {
    const h = await proxy();
    for (const body of ['{"model":', 'null', '[]', '"text"', '\u0000\u0001', JSON.stringify(ASK).slice(0, -1)]) {
      const res = await fetch(`${h.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(res.status, body).toBe(400);
      expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    }
    expect(h.up.requests).toHaveLength(0);
  });
});
