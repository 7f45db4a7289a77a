// Errors the proxy itself answers with, turned into Anthropic's error shape at one place: JSON with a
// fitting status before headers are sent, an `event: error` frame once a stream has started.

import type { ServerResponse } from 'node:http';
import type { ErrorBody, ErrorType } from './types.ts';
import { encodeSSE } from './sse.ts';

export class ProxyError extends Error {
  override name = 'ProxyError';
  readonly status: number;
  readonly type: ErrorType;
  readonly headers: Record<string, string>;
  constructor(status: number, type: ErrorType, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.type = type;
    this.headers = headers;
  }
}

export function errorBody(type: ErrorType, message: string): ErrorBody {
  return { type: 'error', error: { type, message } };
}

/** Answers with the error in Anthropic's shape, whatever state the response is in. */
export function sendError(res: ServerResponse, err: ProxyError): void {
  if (res.writableEnded || res.destroyed) return;
  if (!res.headersSent) {
    const body = JSON.stringify(errorBody(err.type, err.message));
    res.writeHead(err.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      ...err.headers,
    });
    res.end(body);
    return;
  }
  res.end(encodeSSE('error', errorBody(err.type, err.message)));
}

/** Anything thrown that is not a ProxyError is a bug: a 500 api_error without internals. */
export function toProxyError(err: unknown): ProxyError {
  if (err instanceof ProxyError) return err;
  return new ProxyError(500, 'api_error', `fallback proxy internal error: ${(err as Error)?.message ?? String(err)}`);
}
