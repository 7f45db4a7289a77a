// Issue 19, item 3: whatever else holds the proxy's sockets, Claude Code's requests find room. Dashboard
// event streams are capped (MAX_EVENT_STREAMS, the rest refused 503 with the connection closed) and end
// after STREAM_MAX_MS; sockets with no complete request are capped per address and in total, the oldest
// closed first (proxy/server/connections.ts); headers get HEADERS_TIMEOUT_MS, not the body's 60 s.
// Attackers and Claude Code share 127.0.0.1 here, as they would on a developer's machine.

import { afterEach, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { connect, type Socket } from 'node:net';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fixture, startFakeUpstream } from '../helpers/fake-upstream.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { ASK } from '../helpers/loose-tiers.ts';
import { rawExchange } from '../helpers/raw-socket.ts';
import { createLive, MAX_EVENT_STREAMS } from '../../proxy/dashboard/live.ts';
import { createRunEvents } from '../../proxy/run/events.ts';
import { UNFINISHED_PER_ADDRESS } from '../../proxy/server/connections.ts';
import { makeRepo } from '../../test-support/repo.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const ANSWER = 'The build passes: all 42 tests succeeded in 3.1s. No lint warnings were reported.';

type Held = { socket: Socket; data: string; closed: boolean };

/** Opens `n` connections that each write `text` and then hold on; keeps what comes back. */
async function hold(port: number, n: number, text: string, localAddress?: string): Promise<Held[]> {
  const opened = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<Held>((resolve) => {
          const held: Held = { socket: connect({ port, host: '127.0.0.1', localAddress }), data: '', closed: false };
          held.socket.setEncoding('latin1');
          held.socket.on('data', (d: string) => (held.data += d));
          held.socket.on('close', () => (held.closed = true));
          held.socket.on('error', () => {});
          held.socket.once('connect', () => {
            held.socket.write(text);
            resolve(held);
          });
          held.socket.once('error', () => resolve(held));
        }),
    ),
  );
  cleanup.push(() => opened.forEach((h) => h.socket.destroy()));
  return opened;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function proxy(extra: { request_timeout?: string } = {}): Promise<Harness> {
  const up = await startFakeUpstream(() => ({ kind: 'sse', text: fixture('anthropic-stream-text.sse') }));
  const h = await startHarness({ tiers: [{ name: 'claude', protocol: 'anthropic', base_url: up.url }], proxy: extra });
  cleanup.push(
    () => up.close(),
    () => h.close(),
  );
  return h;
}

describe('exhaustion (issue 19, item 3)', () => {
  it(
    'answers a Claude Code request within 2 s while 600 event streams and 520 half-open header sockets are held',
    { timeout: 60_000 },
    async () => {
      const h = await proxy();
      const host = `127.0.0.1:${h.port}`;
      const streams = await hold(h.port, 600, `GET /_dashboard/api/events HTTP/1.1\r\nHost: ${host}\r\nAccept: text/event-stream\r\n\r\n`);
      const halfOpen = await hold(h.port, 520, `POST /v1/messages HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\n`);
      await sleep(500);

      const client = new Anthropic({ apiKey: 'sk-ant-client', baseURL: h.url, maxRetries: 0, timeout: 2000 });
      const started = Date.now();
      const m = await client.messages.stream(ASK).finalMessage();
      expect(Date.now() - started).toBeLessThan(2000);
      expect(m.content[0]).toMatchObject({ type: 'text', text: ANSWER });

      // The streams beyond the cap were refused, not held.
      const live = streams.filter((s) => s.data.startsWith('HTTP/1.1 200'));
      const refused = streams.filter((s) => s.data.startsWith('HTTP/1.1 503'));
      expect(live.length).toBeLessThanOrEqual(MAX_EVENT_STREAMS);
      expect(live.length + refused.length).toBeGreaterThan(0);
      expect(refused.every((s) => s.data.includes('too many dashboard event streams'))).toBe(true);
      // Most half-open sockets were closed to make room; /health answers too.
      expect(halfOpen.filter((s) => s.closed).length).toBeGreaterThan(400);
      const health = await rawExchange(h.port, `GET /health HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, { waitMs: 2000 });
      expect(health.status).toBe(200);
    },
  );

  it(
    'caps unfinished sockets per client address: a peer on 127.0.0.2 loses its own oldest, the ones from 127.0.0.1 stay',
    { timeout: 30_000 },
    async () => {
      const h = await proxy();
      const head = `POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\n`;
      const mine = await hold(h.port, 10, head, '127.0.0.1');
      await sleep(100);
      const theirs = await hold(h.port, 100, head, '127.0.0.2');
      await sleep(500);
      expect(mine.filter((s) => s.closed)).toHaveLength(0);
      const closed = theirs.filter((s) => s.closed);
      expect(closed).toHaveLength(100 - UNFINISHED_PER_ADDRESS);
      expect(theirs.slice(0, 100 - UNFINISHED_PER_ADDRESS).every((s) => s.closed)).toBe(true); // the oldest went
    },
  );

  it(
    'answers a burst of 100 requests from one address whose sockets all connect before any sends: none is cut for the unfinished cap',
    { timeout: 60_000 },
    async () => {
      const h = await proxy();
      const body = JSON.stringify({ ...ASK, stream: true });
      const request =
        `POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\nContent-Type: application/json\r\nx-api-key: sk-ant-client\r\n` +
        `anthropic-version: 2023-06-01\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
      // All 100 connect first (each unfinished, over the per-address cap of UNFINISHED_PER_ADDRESS), then all send.
      const sockets = await Promise.all(
        Array.from(
          { length: 100 },
          () =>
            new Promise<Socket>((resolve) => {
              const s = connect(h.port, '127.0.0.1', () => resolve(s));
              s.on('error', () => {});
            }),
        ),
      );
      cleanup.push(() => sockets.forEach((s) => s.destroy()));
      await sleep(50); // the proxy has taken every connection in: 100 unfinished sockets from one address
      const answers = await Promise.all(
        sockets.map(
          (s) =>
            new Promise<string>((resolve) => {
              let data = '';
              s.on('data', (d) => (data += d));
              s.on('close', () => resolve(data));
              s.setTimeout(10_000, () => s.destroy()); // a cut socket the kernel keeps half-open ends here, failed
              s.write(request);
            }),
        ),
      );
      expect(UNFINISHED_PER_ADDRESS).toBeLessThan(100);
      expect(answers.filter((a) => !a.startsWith('HTTP/1.1 200')).map((a) => a.slice(0, 300))).toEqual([]);
    },
  );

  it('closes a socket whose headers are not complete within 10 s, long before the 60 s request_timeout', { timeout: 30_000 }, async () => {
    const h = await proxy();
    const r = await rawExchange(h.port, [`POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\n`], { waitMs: 15_000 });
    expect(r.closedByServer).toBe(true);
    expect(r.ms).toBeGreaterThan(9000);
    expect(r.ms).toBeLessThan(14_000);
    expect(r.status).toBe(408);
  });

  it('ends an event stream after its lifetime bound, and refuses streams past the cap with 503', async () => {
    const repo = await makeRepo();
    const live = createLive({
      repo,
      ledgerPath: `${repo}/.git/model-ledger`,
      snapshot: () => ({
        active: { tier: 'claude', since: '', reason: 'start', status: null, from: null },
        tiers: [],
        skipped: [],
        limits: [],
        in_flight: 0,
        repo,
      }),
      events: createRunEvents(() => {}),
      log: () => {},
      maxStreams: 2,
      streamMaxMs: 300,
    });
    const server: Server = createServer((_req, res) => void live.attach(res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanup.push(
      () => new Promise<void>((r) => server.close(() => r())),
      () => live.close(),
    );
    const port = (server.address() as AddressInfo).port;
    const get = `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`;
    const [a, b] = await hold(port, 2, get);
    await sleep(100);
    const third = await rawExchange(port, get, { waitMs: 1000 });
    expect(third.status).toBe(503);
    expect(third.closedByServer).toBe(true);
    await sleep(800);
    expect(a.data).toContain('200 OK');
    expect([a.closed, b.closed]).toEqual([true, true]);
    expect(live.clients).toBe(0);
  });
});
