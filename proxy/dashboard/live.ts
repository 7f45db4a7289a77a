// The dashboard's server-sent events: `now` (the proxy's state, sent when one of the Run's events or a cooldown
// end changes it), `ledger` (each line appended to the ledger, by this proxy or by the review CLI) and `git` (HEAD
// or a tag moved). Watches and timers run only while a page is connected. At most MAX_EVENT_STREAMS
// streams are open at once (the rest get 503, so pages cannot hold the proxy's connections), and each
// ends after STREAM_MAX_MS (the page's EventSource reconnects a second later, so an abandoned one goes).

import type { ServerResponse } from 'node:http';
import { basename } from 'node:path';
import { git } from '../git/git.ts';
import { createLedgerTail, type LedgerTail } from './ledger-tail.ts';
import { watchRepo, type RepoWatch } from './repo-watch.ts';
import type { RunEvents } from '../run/events.ts';
import { nextChange, type NowView } from './now.ts';

/** Event streams open at once, all pages together (docs/security.md). */
export const MAX_EVENT_STREAMS = 32;
/** How long one event stream lasts before the server ends it (the page reconnects after `retry: 1000`). */
export const STREAM_MAX_MS = 5 * 60_000;

export type LiveOptions = {
  repo: string;
  ledgerPath: string;
  /** The state to send as `now` (a view of the Run's snapshot). */
  snapshot: () => NowView;
  /** The Run's events: each may change `now`. */
  events: RunEvents;
  heartbeatMs?: number;
  /** Test seams for the bounds above. */
  maxStreams?: number;
  streamMaxMs?: number;
  log: (line: string) => void;
};

export type Live = {
  /** The ledger as read so far (created on first use, let go a while after the last page left). */
  tail(): LedgerTail;
  /** Makes `res` an event stream that gets every event from now on. */
  attach(res: ServerResponse): Promise<void>;
  broadcast(event: string, data: unknown): void;
  readonly clients: number;
  close(): void;
};

/** A signature of HEAD and every ref under refs/tags and refs/heads: what the history shows depends on nothing else. */
async function refsSignature(repo: string): Promise<string> {
  const [head, refs] = await Promise.all([
    git(repo, ['rev-parse', '-q', '--verify', 'HEAD'], { reject: false }),
    git(repo, ['for-each-ref', '--format=%(objectname) %(refname)', 'refs/heads', 'refs/tags'], { reject: false }),
  ]);
  return `${head.stdout.trim()}\n${refs.stdout}`;
}

export function createLive(opts: LiveOptions): Live {
  const clients = new Set<ServerResponse>();
  let tail: LedgerTail | null = null;
  let releaseTimer: NodeJS.Timeout | null = null;
  let watcher: RepoWatch | null = null;
  let unsubscribe: (() => void) | null = null;
  let pending: NodeJS.Timeout | null = null; // a push soon (a burst of events is one push)
  let wake: NodeJS.Timeout | null = null; // a push at the next cooldown end
  let heartbeat: NodeJS.Timeout | null = null;
  let lastNow = '';
  let refs: string | null = null;
  let refsTimer: NodeJS.Timeout | null = null;
  let dirs: Promise<{ gitDir: string; commonDir: string }> | null = null;
  let closed = false;

  const getTail = () => (tail ??= createLedgerTail(opts.ledgerPath));

  function send(res: ServerResponse, event: string, data: string): void {
    if (res.destroyed || res.writableEnded) return;
    // A page that stopped reading does not make the proxy buffer without end.
    if (res.writableLength > 1 << 20) return void res.destroy();
    res.write(`event: ${event}\ndata: ${data}\n\n`);
  }

  function broadcast(event: string, data: unknown): void {
    const text = JSON.stringify(data);
    for (const res of clients) send(res, event, text);
  }

  function pushNow(force = false): void {
    if (clients.size === 0) return;
    const view = opts.snapshot();
    const now = Date.now();
    const next = nextChange(view, now);
    if (wake) clearTimeout(wake);
    wake = next === null ? null : setTimeout(() => pushNow(), Math.min(next - now + 10, 2 ** 31 - 1));
    wake?.unref();
    const text = JSON.stringify(view);
    if (!force && text === lastNow) return;
    lastNow = text;
    const payload = `{"server_time":${JSON.stringify(new Date().toISOString())},"now":${text}}`;
    for (const res of clients) send(res, 'now', payload);
  }

  async function onLedger(): Promise<void> {
    try {
      const added = await getTail().read();
      for (const e of added) broadcast('ledger', e);
      if (added.length > 0) pushNow();
    } catch (err) {
      opts.log(`dashboard: reading the ledger failed: ${(err as Error).message}`);
    }
  }

  function onRefs(): void {
    if (refsTimer) return;
    // A commit moves a ref, writes the reflog and maybe a tag: one look after they settle.
    refsTimer = setTimeout(async () => {
      refsTimer = null;
      const sig = await refsSignature(opts.repo).catch(() => null);
      if (sig === null || sig === refs) return;
      const first = refs === null;
      refs = sig;
      if (!first) broadcast('git', { head: sig.slice(0, sig.indexOf('\n')) || null });
    }, 100);
    refsTimer.unref();
  }

  async function start(): Promise<void> {
    if (releaseTimer) clearTimeout(releaseTimer);
    releaseTimer = null;
    if (unsubscribe) return;
    unsubscribe = opts.events.on(() => {
      if (pending) return;
      pending = setTimeout(() => {
        pending = null;
        pushNow();
      }, 20);
      pending.unref();
    });
    heartbeat = setInterval(() => {
      for (const res of clients) if (!res.destroyed) res.write(': ping\n\n');
    }, opts.heartbeatMs ?? 15_000);
    heartbeat.unref();
    dirs ??= git(opts.repo, ['rev-parse', '--absolute-git-dir', '--path-format=absolute', '--git-common-dir']).then((r) => {
      const [gitDir, commonDir] = r.stdout.trim().split('\n');
      return { gitDir, commonDir };
    });
    const { gitDir, commonDir } = await dirs;
    if (closed || clients.size === 0 || watcher) return;
    const ledgerName = basename(opts.ledgerPath);
    watcher = watchRepo({ gitDir, commonDir, ledgerName, onLedger: () => void onLedger(), onRefs });
    refs = await refsSignature(opts.repo).catch(() => null);
    await onLedger(); // what was appended before the watch began
  }

  function stop(): void {
    unsubscribe?.();
    unsubscribe = null;
    for (const t of [pending, wake]) if (t) clearTimeout(t);
    if (heartbeat) clearInterval(heartbeat);
    pending = wake = heartbeat = null;
    watcher?.close();
    watcher = null;
    refs = null;
    lastNow = '';
    // The parsed ledger is kept a while (a reload comes back at once), then let go.
    releaseTimer = setTimeout(() => {
      tail = null;
    }, 30_000);
    releaseTimer.unref();
  }

  return {
    tail: getTail,
    get clients() {
      return clients.size;
    },
    broadcast,
    async attach(res) {
      if (closed) {
        // The proxy is stopping: no new stream (the page reconnects to the next proxy).
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '1' });
        return void res.end('the proxy is stopping\n');
      }
      const max = opts.maxStreams ?? MAX_EVENT_STREAMS;
      if (clients.size >= max) {
        // Refused with the connection closed: a page that opens streams without end holds no socket.
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '30', connection: 'close' });
        return void res.end(`too many dashboard event streams (at most ${max} at once); close other dashboard tabs\n`);
      }
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      res.write('retry: 1000\n\n');
      clients.add(res);
      const expiry = setTimeout(() => {
        res.end();
        res.socket?.destroySoon();
      }, opts.streamMaxMs ?? STREAM_MAX_MS);
      expiry.unref();
      res.on('close', () => {
        clearTimeout(expiry);
        clients.delete(res);
        if (clients.size === 0) stop();
      });
      await getTail().read();
      await start().catch((err: Error) => opts.log(`dashboard: watching ${opts.repo} failed: ${err.message}`));
      if (clients.has(res)) pushNow(true); // to every page: a state the others have not seen yet goes out once
    },
    close() {
      closed = true;
      for (const res of clients) {
        res.end();
        res.socket?.destroySoon();
      }
      clients.clear();
      stop();
      if (releaseTimer) clearTimeout(releaseTimer);
    },
  };
}
