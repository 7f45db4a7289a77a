// Child-process entry for the loopback servers the benchmark measures against; prints {"port":N} on stdout.
//   fake       an upstream that reads the whole request, then writes the chosen stream frame by frame
//   pipe URL   the physical baseline for a proxy in Node: node:http piping req → URL → res, keep-alive agent
//   undici-pipe URL  the same pipe with undici's pool as the upstream client (the proxy's client): its memory
//   health     answers every request at once with 200 `ok`: the baseline of the event-loop stall row (ledger-bench.ts)

import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent as UndiciAgent, request as undiciRequest } from 'undici';
import { streams, type StreamName } from './payloads.ts';
import { mainArgs } from '../../proxy/main-module.mjs';

const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

/** Which stream a request gets: the provider's by its URL, else `x-bench-stream` (an Anthropic stream). */
export function streamFor(req: IncomingMessage): StreamName {
  const url = req.url ?? '';
  if (url.includes('/chat/completions')) return 'openai';
  if (url.includes(':streamGenerateContent')) return 'gemini';
  return req.headers['x-bench-stream'] === 'large' ? 'large' : 'small';
}

/**
 * How long the fake model thinks before its first event, for every stream but the 1.1 MB one. A real API takes
 * hundreds of milliseconds to its first byte; the proxy's work at a request boundary that runs beside the answer
 * (the work-tree snapshot, proxy/attribution/snapshots.ts: a few git processes) costs a user nothing unless it
 * outlasts that. With an answer at 0 ms the rows measured the snapshot's process spawns instead of the proxy's
 * path. The same think is in every baseline (direct, bare pipe), so the `added` figures subtract it; the 1.1 MB
 * stream's row is a throughput ratio of totals, which a constant would dilute, so it is written at once.
 */
export const THINK_MS = 50;

export function startFake(): ReturnType<typeof createServer> {
  const all = streams();
  const encoded = Object.fromEntries(Object.entries(all).map(([k, frames]) => [k, frames.map((f) => Buffer.from(f))])) as Record<
    StreamName,
    Buffer[]
  >;
  return createServer((req, res) => {
    req.resume(); // the whole request arrives before the answer starts, as with a real API
    req.on('end', () => {
      const name = streamFor(req);
      if (name === 'large') void write(res, encoded[name]);
      else setTimeout(() => void write(res, encoded[name]), THINK_MS);
    });
  });
}

async function write(res: ServerResponse, frames: Buffer[]): Promise<void> {
  res.writeHead(200, SSE_HEADERS);
  for (const f of frames) {
    if (res.destroyed) return;
    if (!res.write(f)) await new Promise((r) => res.once('drain', r));
  }
  res.end();
}

const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host']);

export function startPipe(upstream: string): ReturnType<typeof createServer> {
  const target = new URL(upstream);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  return createServer((req, res) => {
    const headers = { ...req.headers, host: target.host };
    const up = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent }, (ur) => {
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(ur.headers)) if (v !== undefined && !HOP.has(k)) out[k] = v;
      res.writeHead(ur.statusCode ?? 502, out);
      ur.pipe(res);
    });
    up.on('error', () => res.destroy());
    res.on('close', () => up.destroy());
    req.pipe(up);
  });
}

export function startUndiciPipe(upstream: string): ReturnType<typeof createServer> {
  const dispatcher = new UndiciAgent({ keepAliveTimeout: 30_000, connections: 64, pipelining: 1 });
  return createServer(async (req, res) => {
    try {
      const up = await undiciRequest(upstream + (req.url ?? '/'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-bench-stream': String(req.headers['x-bench-stream'] ?? '') },
        body: req,
        dispatcher,
      });
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP.has(k)) out[k] = v;
      res.writeHead(up.statusCode, out);
      for await (const chunk of up.body) if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
      res.end();
    } catch {
      res.destroy();
    }
  });
}

export function startHealth(): ReturnType<typeof createServer> {
  return createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
}

function main(args: string[]): void {
  const server =
    args[0] === 'pipe'
      ? startPipe(args[1])
      : args[0] === 'undici-pipe'
        ? startUndiciPipe(args[1])
        : args[0] === 'health'
          ? startHealth()
          : startFake();
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: (server.address() as AddressInfo).port }) + '\n'));
  process.on('SIGTERM', () => process.exit(0));
}

const args = mainArgs(import.meta.url);
if (args) main(args);
