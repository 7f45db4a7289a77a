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

export type ConnectionLimits = { max: number; unfinished?: number; unfinishedPerAddress?: number };

type Entry = { socket: Socket; address: string; since: number; active: number; req: IncomingMessage | null };

export type ConnectionBudget = { readonly open: number; readonly unfinished: number };

/** Takes over `server.maxConnections`: call once, before the server listens. */
export function guardConnections(server: Server, limits: ConnectionLimits): ConnectionBudget {
  const unfinishedMax = limits.unfinished ?? UNFINISHED_MAX;
  const perAddress = limits.unfinishedPerAddress ?? UNFINISHED_PER_ADDRESS;
  const entries = new Map<Socket, Entry>();
  let seq = 0;

  const isUnfinished = (e: Entry) => e.active === 0 || (e.req !== null && !e.req.complete);

  function oldest(match: (e: Entry) => boolean): Entry | null {
    let best: Entry | null = null;
    for (const e of entries.values()) if (isUnfinished(e) && match(e) && (!best || e.since < best.since)) best = e;
    return best;
  }

  function evict(e: Entry | null): boolean {
    if (!e) return false;
    entries.delete(e.socket);
    e.socket.destroy();
    return true;
  }

  /** Makes room for one more connection from `address`; false when every open one is busy answering. */
  function makeRoom(address: string): boolean {
    const byAddress = new Map<string, number>();
    let unfinished = 0;
    for (const e of entries.values()) {
      if (!isUnfinished(e)) continue;
      unfinished++;
      byAddress.set(e.address, (byAddress.get(e.address) ?? 0) + 1);
    }
    if ((byAddress.get(address) ?? 0) >= perAddress && evict(oldest((e) => e.address === address))) unfinished--;
    if (unfinished >= unfinishedMax) {
      // The address that holds the most unfinished sockets gives one up.
      let top = address;
      for (const [a, n] of byAddress) if (n > (byAddress.get(top) ?? 0)) top = a;
      evict(oldest((e) => e.address === top));
    }
    if (entries.size >= limits.max) return evict(oldest(() => true));
    return true;
  }

  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    if (!makeRoom(address)) return void socket.destroy();
    const entry: Entry = { socket, address, since: seq++, active: 0, req: null };
    entries.set(socket, entry);
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
