// The measuring client: undici with keep-alive; time to the first body byte and to the end of the body.

import { Agent, request, type Dispatcher } from 'undici';
import type { ClientRequest } from './payloads.ts';

export type Timing = { ttfb: number; total: number; bytes: number; status: number; text?: string };

export function createClient(): Dispatcher {
  return new Agent({ keepAliveTimeout: 60_000, keepAliveMaxTimeout: 600_000, connections: 256, pipelining: 1 });
}

/** One POST of `req` to `base`; `keep` keeps the body text (to check what arrived). */
export async function timed(
  dispatcher: Dispatcher,
  base: string,
  req: ClientRequest,
  opts: { stream?: string; keep?: boolean } = {},
): Promise<Timing> {
  const headers = opts.stream ? { ...req.headers, 'x-bench-stream': opts.stream } : req.headers;
  const t0 = performance.now();
  const res = await request(base + req.path, { method: 'POST', headers, body: req.body, dispatcher });
  let ttfb = NaN;
  let bytes = 0;
  const parts: Buffer[] = [];
  for await (const chunk of res.body) {
    if (bytes === 0) ttfb = performance.now() - t0;
    bytes += (chunk as Buffer).length;
    if (opts.keep) parts.push(chunk as Buffer);
  }
  const total = performance.now() - t0;
  return { ttfb, total, bytes, status: res.statusCode, text: opts.keep ? Buffer.concat(parts).toString('utf8') : undefined };
}
