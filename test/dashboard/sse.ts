// A small server-sent-events reader for the tests: keeps every event of one stream in order and lets a
// test wait for the next one that matches. Framing: test-support/sse.ts (not the proxy's parser).

import { readSse } from '../../test-support/sse.ts';

export type SseEvent = { event: string; data: unknown };

export type SseStream = {
  events: SseEvent[];
  /** The next event named `name` (after the previous one of that name returned) for which `match` holds. */
  next(name: string, match?: (data: any) => boolean, timeoutMs?: number): Promise<any>;
  /** Resolves when the server ended the stream. */
  ended: Promise<void>;
  close(): void;
};

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const abort = new AbortController();
  const res = await fetch(url, { headers, signal: abort.signal });
  if (res.status !== 200 || !res.body) throw new Error(`event stream ${url}: HTTP ${res.status} ${await res.text()}`);
  const events: SseEvent[] = [];
  const cursors = new Map<string, number>();
  const body = res.body;
  const ended = (async () => {
    try {
      for await (const e of readSse(body)) events.push({ event: e.event, data: JSON.parse(e.data) });
    } catch {
      // aborted by close()
    }
  })();
  return {
    events,
    ended,
    async next(name, match = () => true, timeoutMs = 5000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        for (let i = cursors.get(name) ?? 0; i < events.length; i++) {
          const e = events[i];
          if (e.event === name && match(e.data)) {
            cursors.set(name, i + 1);
            return e.data;
          }
        }
        if (Date.now() > until) throw new Error(`no "${name}" event within ${timeoutMs} ms; got: ${events.map((e) => e.event).join(', ')}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: () => abort.abort(),
  };
}
