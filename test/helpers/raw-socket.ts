// A client on a bare TCP socket, for what no HTTP client will send: request targets that are not a
// path, bodies trickled a byte at a time, pipelined and ambiguous framing, connections that never
// send anything. It reports what came back and whether (and when) the server closed the connection.

import { connect, type Socket } from 'node:net';

export type RawExchange = {
  /** Everything the server sent, as text. */
  raw: string;
  /** Status of the first response, or null when none came. */
  status: number | null;
  /** Header block of the first response (lower-case names). */
  headers: Record<string, string>;
  /** The server closed the connection (FIN or reset) before `waitMs` ran out. */
  closedByServer: boolean;
  /** Milliseconds from connect to that close (or to giving up). */
  ms: number;
};

export type RawOptions = {
  /** Pause between the parts written (a slow client). */
  gapMs?: number;
  /** How long to wait for the server to close after the last part; then the client gives up. */
  waitMs?: number;
  /** Stop writing parts once a response has started (a client that reads the refusal). */
  stopOnResponse?: boolean;
};

/** Writes `parts` to 127.0.0.1:`port` one after another and collects what comes back. */
export function rawExchange(port: number, parts: string | (string | Buffer)[], opts: RawOptions = {}): Promise<RawExchange> {
  const list = typeof parts === 'string' ? [parts] : parts;
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let closed = false;
    let giveUp: NodeJS.Timeout | undefined;
    const finish = (byServer: boolean) => {
      if (closed) return;
      closed = true;
      clearTimeout(giveUp);
      socket.destroy();
      const raw = Buffer.concat(chunks).toString('latin1');
      resolve({ raw, ...parseHead(raw), closedByServer: byServer, ms: Date.now() - started });
    };
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.on('connect', async () => {
      for (const part of list) {
        if (closed || socket.destroyed) return;
        if (opts.stopOnResponse && chunks.length > 0) break;
        socket.write(part);
        if (opts.gapMs) await new Promise((r) => setTimeout(r, opts.gapMs));
      }
      giveUp = setTimeout(() => finish(false), opts.waitMs ?? 2000);
    });
  });
}

function parseHead(raw: string): { status: number | null; headers: Record<string, string> } {
  const end = raw.indexOf('\r\n\r\n');
  const head = end === -1 ? raw : raw.slice(0, end);
  const [statusLine, ...lines] = head.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: m ? Number(m[1]) : null, headers };
}

/** Every response status in a pipelined exchange, in order. */
export function statuses(raw: string): number[] {
  return [...raw.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]));
}

/** A GET request as bytes, with any request target (the parser of the server decides what it takes). */
export function rawGet(target: string, host: string, extra: Record<string, string> = {}): string {
  const lines = [`GET ${target} HTTP/1.1`, `Host: ${host}`, ...Object.entries(extra).map(([k, v]) => `${k}: ${v}`), 'Connection: close'];
  return lines.join('\r\n') + '\r\n\r\n';
}

export type IdleSocket = { socket: Socket; closedAt: Promise<number> };

/** Opens `n` connections that never send a byte; each reports when the server closed it (ms from open). */
export async function openIdleSockets(port: number, n: number): Promise<IdleSocket[]> {
  const out: IdleSocket[] = [];
  for (let i = 0; i < n; i++) {
    const socket = connect(port, '127.0.0.1');
    const opened = Date.now();
    const closedAt = new Promise<number>((resolve) => {
      const done = () => resolve(Date.now() - opened);
      socket.on('end', done);
      socket.on('close', done);
      socket.on('error', done);
    });
    socket.on('data', () => {});
    await new Promise<void>((resolve) => {
      socket.once('connect', () => resolve());
      socket.once('error', () => resolve());
    });
    out.push({ socket, closedAt });
  }
  return out;
}
