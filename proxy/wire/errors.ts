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

/** An error answer: an upstream's as it came (headers fit to pass on), or what Claude Code receives. */
export type ErrorAnswer = { status: number; headers: Record<string, string | string[]>; body: string };

/** An error in Anthropic's JSON shape, as a whole answer. */
export function errorAnswer(status: number, type: ErrorType, message: string, headers: Record<string, string> = {}): ErrorAnswer {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(errorBody(type, message)) };
}

/** Writes a whole answer, its content-length counted here. */
export function sendAnswer(res: ServerResponse, answer: ErrorAnswer): void {
  res.writeHead(answer.status, { ...answer.headers, 'content-length': String(Buffer.byteLength(answer.body)) });
  res.end(answer.body);
}

/** Anthropic's error type for an HTTP status (also for other providers' statuses and in-stream codes). */
export function typeForStatus(status: number): ErrorType {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 408:
      return 'timeout_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 504:
      return 'timeout_error';
    case 529:
    case 503:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

/** The status an Anthropic error type stands for (an `error` event carries a type, not a status). */
export function statusForType(type: string): number {
  for (const status of [429, 529, 500, 504, 400, 401, 402, 403, 404, 413]) if (typeForStatus(status) === type) return status;
  return 500;
}

/** Answers with the error in Anthropic's shape, whatever state the response is in. */
export function sendError(res: ServerResponse, err: ProxyError): void {
  if (res.writableEnded || res.destroyed) return;
  if (!res.headersSent) return sendAnswer(res, errorAnswer(err.status, err.type, err.message, err.headers));
  res.end(encodeSSE('error', errorBody(err.type, err.message)));
}

/** Anything thrown that is not a ProxyError is a bug: a 500 api_error without internals. */
export function toProxyError(err: unknown): ProxyError {
  if (err instanceof ProxyError) return err;
  return new ProxyError(500, 'api_error', `fallback proxy internal error: ${(err as Error)?.message ?? String(err)}`);
}
