// HTTP probes of the benchmark's servers: a free loopback port, one GET that tells a refused connection apart,
// and a poll every 10 ms whose longest gap between answers shows how long a server's event loop was blocked.

import { request, Agent } from 'node:http';
import { createServer } from 'node:net';
import { within } from './processes.ts';

export const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });
}

/** Keep-alive, so that a poll costs no connection; destroy() it when done. */
export const agent = new Agent({ keepAlive: true, maxSockets: 4 });

/** One GET; resolves with the status (0 when the connection is refused), rejects on other errors. */
export function get(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const r = request(url, { agent, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
      res.on('error', fail);
    });
    r.on('timeout', () => r.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    r.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNREFUSED' ? done({ status: 0, body: '' }) : fail(err)));
    r.end();
  });
}

/** Polls `url` every `everyMs` (one request at a time); stop() gives the longest gap between answers, the open one included. */
export function pollGaps(url: string, everyMs = 10): { stop(): Promise<{ longest: number; polls: number }> } {
  let running = true;
  let last = performance.now();
  let longest = 0;
  let polls = 0;
  const loop = (async () => {
    while (running) {
      const sent = performance.now();
      try {
        await get(url, 120_000);
      } catch {
        // counted as a gap like any late answer
      }
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
      polls++;
      const wait = everyMs - (now - sent);
      if (wait > 0) await sleep(wait);
    }
  })();
  return {
    async stop() {
      const end = performance.now();
      running = false;
      longest = Math.max(longest, end - last);
      const result = { longest, polls };
      await within(loop, 5000, 'poll').catch(() => {});
      return result;
    },
  };
}
