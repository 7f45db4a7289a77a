// A fake webhook receiver for notify tests: node:http on 127.0.0.1, port 0, answering from a script of replies.

import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Received = { method: string; path: string; headers: IncomingHttpHeaders; body: string; at: number };
export type Reply = { status: number; headers?: Record<string, string>; body?: string; delayMs?: number };
export type FakeTarget = { url: (path?: string) => string; received: Received[]; close(): Promise<void> };

/** `reply(n, req)` decides the answer to the n-th request (0-based). */
export async function startFakeTarget(reply: (n: number, req: Received) => Reply = () => ({ status: 204 })): Promise<FakeTarget> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      const n = received.length;
      received.push(r);
      const out = reply(n, r);
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(out.status, out.headers);
        res.end(out.body ?? '');
      };
      if (out.delayMs) setTimeout(send, out.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path = '/hook') => `http://127.0.0.1:${port}${path}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
