// A hostile upstream on 127.0.0.1 whose every answer is a function of the test: it may declare a
// content-length and cut the body, send headers and go silent, stream forever, answer a 200 whose
// body is an error. Requests are recorded (with their headers) like the fake upstream does.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { RecordedRequest } from './fake-upstream.ts';

export type Script = (req: RecordedRequest, res: ServerResponse, index: number) => void | Promise<void>;

export type ScriptedUpstream = {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Resolves when the response to request `index` was closed (by either side). */
  closed(index: number): Promise<void>;
  openSockets(): number;
  close(): Promise<void>;
};

export async function startScriptedUpstream(script: Script, opts: { port?: number } = {}): Promise<ScriptedUpstream> {
  const requests: RecordedRequest[] = [];
  const closed = new Map<number, Promise<void>>();
  const sockets = new Set<Socket>();
  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const index = requests.length;
    closed.set(index, new Promise((resolve) => res.on('close', () => resolve())));
    const chunks: Buffer[] = [];
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: Buffer.alloc(0),
      json: null,
    };
    requests.push(recorded);
    try {
      for await (const c of req) chunks.push(c as Buffer);
    } catch {
      return;
    }
    recorded.body = Buffer.concat(chunks);
    try {
      recorded.json = JSON.parse(recorded.body.toString('utf8'));
    } catch {
      recorded.json = null;
    }
    await script(recorded, res, index);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    closed: (i) => closed.get(i) ?? Promise.resolve(),
    openSockets: () => sockets.size,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
