// Issue 12, item 4: slow or idle peers cannot hold the proxy's connections. A request's headers and
// body must be complete within `proxy.request_timeout` of its start (default 60 s); a refused request
// closes its connection instead of waiting for a body nobody reads; `proxy.max_connections` caps
// open connections. Long *answers* are not limited by any of it.

import { afterEach, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { fixture, startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { startHarness, type Harness, type HarnessOptions } from '../helpers/harness.ts';
import { openIdleSockets, rawExchange } from '../helpers/raw-socket.ts';
import { ASK } from '../helpers/loose-tiers.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const TEXT = fixture('anthropic-stream-text.sse');

async function proxy(p: HarnessOptions['proxy'], chunkDelayMs = 0): Promise<Harness & { up: FakeUpstream }> {
  const up = await startFakeUpstream(() => ({ kind: 'sse', text: TEXT, chunkDelayMs }));
  const h = await startHarness({ tiers: [{ name: 'claude', protocol: 'anthropic', base_url: up.url }], proxy: p });
  cleanup.push(
    () => up.close(),
    () => h.close(),
  );
  return Object.assign(h, { up });
}

const BODY = JSON.stringify({ ...ASK, stream: true });
const head = (h: Harness, length: number, extra = '') =>
  `POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n${extra}\r\n`;
/** The body one byte per part. */
const bytes = (text: string, n = text.length) => text.slice(0, n).split('');

describe('slow peers (item 4)', () => {
  it('answers 408 and closes a connection whose body is not complete within proxy.request_timeout of its start', async () => {
    const h = await proxy({ request_timeout: '1s' });
    const r = await rawExchange(h.port, [head(h, BODY.length), ...bytes(BODY, 60)], { gapMs: 100, waitMs: 4000 });
    expect(r.closedByServer).toBe(true);
    expect(r.ms).toBeLessThan(3500);
    expect(r.status).toBe(408);
    expect(h.up.requests).toHaveLength(0);
  });

  it('closes a connection whose headers trickle in (slowloris) once proxy.request_timeout is over', async () => {
    const h = await proxy({ request_timeout: '1s' });
    const trickle = Array.from({ length: 30 }, (_, i) => `X-Slow-${i}: a\r\n`);
    const r = await rawExchange(h.port, [`POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\n`, ...trickle], {
      gapMs: 150,
      waitMs: 4000,
    });
    expect(r.closedByServer).toBe(true);
    expect(r.ms).toBeLessThan(3500);
    expect(h.up.requests).toHaveLength(0);
  });

  it('serves a body that is slow but complete in time', async () => {
    const h = await proxy({ request_timeout: '3s' });
    const parts = [head(h, BODY.length), BODY.slice(0, 20), BODY.slice(20, 40), BODY.slice(40)];
    const r = await rawExchange(h.port, parts, { gapMs: 200, waitMs: 3000 });
    expect(r.status).toBe(200);
    expect(r.raw).toContain('event: message_stop');
  });

  it('closes the connection right after refusing a request (403 without the token, 413 over max_body) instead of waiting for its body', async () => {
    const h = await proxy({ token: 'let-me-in', max_body: '1kb' });
    // The client declares a large body and trickles it; the proxy must not wait for the rest.
    const forbidden = await rawExchange(h.port, [head(h, 100_000), ...bytes('{"model":"x"'.repeat(10), 25)], { gapMs: 100, waitMs: 3000 });
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.connection).toBe('close');
    expect(forbidden.closedByServer).toBe(true);
    expect(forbidden.ms).toBeLessThan(1500);

    const tooLarge = await rawExchange(
      h.port,
      [head(h, 100_000, 'X-Fallback-Token: let-me-in\r\n'), ...bytes('{"model":"x"'.repeat(10), 25)],
      { gapMs: 100, waitMs: 3000 },
    );
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.closedByServer).toBe(true);
    expect(tooLarge.ms).toBeLessThan(1500);
    expect(h.up.requests).toHaveLength(0);
  });

  it('caps open connections at proxy.max_connections and serves again once idle ones timed out', async () => {
    const h = await proxy({ max_connections: 10, request_timeout: '1s' });
    const idle = await openIdleSockets(h.port, 15);
    cleanup.push(() => idle.forEach((s) => s.socket.destroy()));
    const times = idle.map((s) => s.closedAt);
    // Past the cap, connections are closed at once.
    const early = await Promise.all(times.map((t) => Promise.race([t, new Promise<number>((r) => setTimeout(() => r(Infinity), 500))])));
    expect(early.filter((t) => t < 500).length).toBeGreaterThanOrEqual(5);
    // The idle ones within the cap send nothing: they go once request_timeout is over.
    const all = await Promise.all(times.map((t) => Promise.race([t, new Promise<number>((r) => setTimeout(() => r(Infinity), 4000))])));
    expect(all.every((t) => t < 4000)).toBe(true);
    const res = await fetch(`${h.url}/health`);
    expect(res.status).toBe(200);
  });

  it('leaves long answers alone: a 3 s stream arrives whole with proxy.request_timeout 1s', async () => {
    const h = await proxy({ request_timeout: '1s' }, 350);
    const started = Date.now();
    const m = await new Anthropic({ apiKey: 'sk-ant-client', baseURL: h.url, maxRetries: 0 }).messages.stream(ASK).finalMessage();
    expect(Date.now() - started).toBeGreaterThan(1500);
    expect(m.content[0]).toMatchObject({
      type: 'text',
      text: 'The build passes: all 42 tests succeeded in 3.1s. No lint warnings were reported.',
    });
    expect(m.stop_reason).toBe('end_turn');
  });
});
