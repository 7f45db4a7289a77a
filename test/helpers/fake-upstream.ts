// A scriptable upstream on 127.0.0.1: each request gets the next scripted reply (SSE replayed from a
// fixture, JSON, a hang, a reset), and every request is recorded for the test to inspect.

import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { splitFrames } from '../../test-support/fixtures.ts';

export { fixture } from '../../test-support/fixtures.ts';

export type RecordedRequest = { method: string; url: string; headers: IncomingHttpHeaders; body: Buffer; json: unknown };

export type Reply =
  | {
      kind: 'sse';
      text: string;
      status?: number;
      headers?: Record<string, string>;
      chunkDelayMs?: number;
      splitEvents?: boolean;
      /** After the first `frames` frames, a silence of `ms` (a prefill, or a model reasoning before it writes). */
      pauseAfter?: { frames: number; ms: number };
    }
  | { kind: 'json'; status: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'raw'; status: number; text: string; headers?: Record<string, string> }
  | { kind: 'hang' }
  | { kind: 'reset' }
  /** Sends `text` as an SSE stream, then destroys the socket without ending it. */
  | { kind: 'reset-after'; text: string }
  /** Sends `text`, then stays silent with the connection open. */
  | { kind: 'stall-after'; text: string };

export type Handler = (req: RecordedRequest, index: number) => Reply | Promise<Reply>;

export type FakeUpstream = {
  url: string;
  requests: RecordedRequest[];
  /** Sockets the fake currently has open (to see an aborted request's connection close). */
  openSockets(): number;
  /** Resolves when the response to request `index` was closed by the other side. */
  closed(index: number): Promise<void>;
  close(): Promise<void>;
};

export async function startFakeUpstream(handler: Handler): Promise<FakeUpstream> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const closedWaiters = new Map<number, Promise<void>>();
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    let json: unknown = null;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      json = null;
    }
    const index = requests.length;
    const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, json };
    requests.push(recorded);
    closedWaiters.set(index, new Promise((resolve) => res.on('close', () => resolve())));
    const reply = await handler(recorded, index);
    await send(res, reply);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    openSockets: () => sockets.size,
    closed: (i) => closedWaiters.get(i) ?? Promise.resolve(),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

async function send(res: ServerResponse, reply: Reply): Promise<void> {
  switch (reply.kind) {
    case 'json': {
      const body = JSON.stringify(reply.body);
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(body);
      return;
    }
    case 'raw':
      res.writeHead(reply.status, reply.headers ?? {});
      res.end(reply.text);
      return;
    case 'sse': {
      res.writeHead(reply.status ?? 200, { ...SSE_HEADERS, ...reply.headers });
      const parts = reply.splitEvents === false ? [reply.text] : splitFrames(reply.text);
      for (const [i, part] of parts.entries()) {
        if (res.destroyed) return;
        res.write(part);
        if (reply.chunkDelayMs) await new Promise((r) => setTimeout(r, reply.chunkDelayMs));
        if (reply.pauseAfter?.frames === i + 1) await new Promise((r) => setTimeout(r, reply.pauseAfter!.ms));
      }
      res.end();
      return;
    }
    case 'hang':
      return;
    case 'reset':
      res.socket?.destroy();
      return;
    case 'reset-after':
      res.writeHead(200, SSE_HEADERS);
      res.write(reply.text);
      await new Promise((r) => setTimeout(r, 20));
      res.socket?.destroy();
      return;
    case 'stall-after':
      res.writeHead(200, SSE_HEADERS);
      res.write(reply.text);
      return;
  }
}
