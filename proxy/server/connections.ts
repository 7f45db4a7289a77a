// The connection budget (docs/security.md, "Exhaustion"): Claude Code's requests always find room,
// whatever else holds sockets. A connection that has no complete request in progress (headers not all
// in, a body still arriving, or an idle keep-alive waiting for its next request) is "unfinished": those
// are capped per client address and in total, and when a cap is reached the *oldest* unfinished one is
// closed to make room, never the newcomer. A real client sends its headers and body within
// milliseconds of connecting, so it is never the oldest; a peer that holds sockets half-open only
// loses its own old ones. Claude Code and an attacker may share 127.0.0.1, so the reserve cannot be
// per address alone: it is the cap on unfinished sockets (and the event-stream cap in
// dashboard/live.ts) that keeps most of `proxy.max_connections` for requests being answered.

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** Unfinished connections at most, all addresses together. */
export const UNFINISHED_MAX = 128;
/** Unfinished connections at most from one client address. */
export const UNFINISHED_PER_ADDRESS = 64;

/**
 * An unfinished connection younger than this is not closed for the unfinished caps: a burst of real requests (100
 * streams at once from one address) has all its sockets unfinished for the milliseconds their headers and bodies
 * take to arrive, and closing the oldest at once cut real requests (36 of 100 in the bench). Past the caps, the
 * oldest unfinished ones are closed once they are this old (a sweep runs then); a peer that holds sockets half-open
 * holds them longer, and loses them. `max` still closes the oldest at once.
 */
export const UNFINISHED_GRACE_MS = 250;

export type ConnectionLimits = { max: number; unfinished?: number; unfinishedPerAddress?: number; graceMs?: number };

type Entry = { socket: Socket; address: string; since: number; at: number; active: number; req: IncomingMessage | null };

export type ConnectionBudget = { readonly open: number; readonly unfinished: number };

/** Takes over `server.maxConnections`: call once, before the server listens. */
export function guardConnections(server: Server, limits: ConnectionLimits): ConnectionBudget {
  const unfinishedMax = limits.unfinished ?? UNFINISHED_MAX;
  const perAddress = limits.unfinishedPerAddress ?? UNFINISHED_PER_ADDRESS;
  const entries = new Map<Socket, Entry>();
  let seq = 0;

  const isUnfinished = (e: Entry) => e.active === 0 || (e.req !== null && !e.req.complete);

  const graceMs = limits.graceMs ?? UNFINISHED_GRACE_MS;
  let sweepTimer: NodeJS.Timeout | null = null;

  /** The oldest unfinished connection that `match`es; with `grace`, only one unfinished for at least graceMs. */
  function oldest(match: (e: Entry) => boolean, grace = false): Entry | null {
    const before = Date.now() - graceMs;
    let best: Entry | null = null;
    for (const e of entries.values())
      if (isUnfinished(e) && match(e) && (!grace || e.at <= before) && (!best || e.since < best.since)) best = e;
    return best;
  }

  /** Closes the oldest unfinished connections old enough to go, until the caps hold; if some are too young, looks again later. */
  function sweep(): void {
    const byAddress = new Map<string, number>();
    let unfinished = 0;
    for (const e of entries.values()) {
      if (!isUnfinished(e)) continue;
      unfinished++;
      byAddress.set(e.address, (byAddress.get(e.address) ?? 0) + 1);
    }
    let over = false;
    for (const [address, n] of byAddress)
      for (let k = n; k > perAddress; k--) {
        if (!evict(oldest((e) => e.address === address, true))) {
          over = true;
          break;
        }
        byAddress.set(address, k - 1);
        unfinished--;
      }
    while (unfinished > unfinishedMax) {
      // The address that holds the most unfinished sockets gives one up.
      let top = '';
      for (const [a, n] of byAddress) if (n > (byAddress.get(top) ?? 0)) top = a;
      if (!evict(oldest((e) => e.address === top, true))) {
        over = true;
        break;
      }
      byAddress.set(top, (byAddress.get(top) ?? 1) - 1);
      unfinished--;
    }
    if (over && sweepTimer === null) {
      sweepTimer = setTimeout(() => {
        sweepTimer = null;
        sweep();
      }, graceMs);
      sweepTimer.unref();
    }
  }

  function evict(e: Entry | null): boolean {
    if (!e) return false;
    entries.delete(e.socket);
    e.socket.destroy();
    return true;
  }

  /** Makes room for one more connection; false when every open one is busy answering. */
  function makeRoom(): boolean {
    if (entries.size >= limits.max) return evict(oldest(() => true));
    return true;
  }

  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    if (!makeRoom()) return void socket.destroy();
    const entry: Entry = { socket, address, since: seq++, at: Date.now(), active: 0, req: null };
    entries.set(socket, entry);
    sweep(); // the unfinished caps, counting the newcomer: the oldest old-enough ones go
    socket.once('close', () => entries.delete(socket));
  });

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const entry = entries.get(req.socket);
    if (!entry) return;
    entry.active++;
    entry.req = req;
    res.once('close', () => {
      entry.active--;
      if (entry.active > 0) return;
      entry.req = null;
      entry.since = seq++; // waiting for its next request from now on
      entry.at = Date.now();
    });
  });

  return {
    get open() {
      return entries.size;
    },
    get unfinished() {
      let n = 0;
      for (const e of entries.values()) if (isUnfinished(e)) n++;
      return n;
    },
  };
}
