// The upstream client in one place: the keep-alive dispatcher, timeouts, abort propagation, and turning
// transport failures into UpstreamErrors. Which headers may cross is proxy/headers.ts's business.

import { Agent, errors, request, type Dispatcher } from 'undici';
import type { UpstreamError } from '../providers/provider.ts';

/** `connections` per upstream origin: as many as the proxy accepts (proxy.max_connections), so no stream queues. */
export function createUpstreamDispatcher(connections = 512): Dispatcher {
  // TLS is always verified (undici's default); there is deliberately no option to turn it off.
  return new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, connections, pipelining: 1 });
}

export type UpstreamCall = {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  signal: AbortSignal;
  /** No response headers within this time: a `timeout` failure. */
  headersTimeoutMs: number;
  /** No body bytes for this long once the answer started. */
  bodyTimeoutMs: number;
  dispatcher: Dispatcher;
};

export type UpstreamResponse = Dispatcher.ResponseData;

/** Sends the request; transport failures come back as an UpstreamError value, aborts as thrown AbortError. */
export async function callUpstream(call: UpstreamCall): Promise<UpstreamResponse | UpstreamError> {
  try {
    return await request(call.url, {
      method: call.method as Dispatcher.HttpMethod,
      headers: call.headers,
      body: call.body,
      signal: call.signal,
      dispatcher: call.dispatcher,
      headersTimeout: call.headersTimeoutMs,
      bodyTimeout: call.bodyTimeoutMs,
    });
  } catch (err) {
    if (call.signal.aborted) throw err;
    return transportError(err);
  }
}

export function transportError(err: unknown): UpstreamError {
  const e = err as Error & { code?: string; cause?: { code?: string } };
  const timeout =
    e instanceof errors.HeadersTimeoutError || e instanceof errors.BodyTimeoutError || e instanceof errors.ConnectTimeoutError;
  const code = e.code ?? e.cause?.code;
  if (timeout)
    return {
      status: 0,
      type: 'timeout_error',
      message: `upstream did not answer in time (${code ?? e.name})`,
      transport: 'timeout',
      detail: e.message,
    };
  return {
    status: 0,
    type: 'api_error',
    message: `upstream connection failed (${code ?? e.message})`,
    transport: 'network',
    detail: e.message,
  };
}

/** Reads a (small) error body as text, at most `limit` bytes; never throws. */
export async function readErrorBody(body: Dispatcher.ResponseData['body'], limit = 1 << 20): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      size += (chunk as Buffer).length;
      if (size > limit) break;
      chunks.push(chunk as Buffer);
    }
  } catch {
    // a reset while reading an error body: what arrived is what we have
  }
  body.destroy();
  return Buffer.concat(chunks).toString('utf8');
}
