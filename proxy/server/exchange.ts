// Small helpers for one request/response pair: its path, a JSON answer, and the abort signal that ties
// Claude Code's connection to whatever the request started upstream.

import type { IncomingMessage, ServerResponse } from 'node:http';

export function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

export function json(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Esc in Claude Code closes the connection: whatever the request started upstream is aborted at once. */
export function abortOnClientClose(res: ServerResponse): AbortSignal {
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  return abort.signal;
}
