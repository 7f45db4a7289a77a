// One request passed to a tier as it is and its answer streamed back as it comes (count_tokens and the
// paths the proxy does not handle itself): no holdback, no fallback, a transport failure is a 502/504,
// and an answer cut after its headers resets the client's connection. Every tier's key is redacted from
// the answer's headers and body (an upstream 401 quotes the key it was given: docs/security.md).

import type { ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { Config } from '../config.ts';
import { responseHeaders } from '../headers.ts';
import { ProxyError } from '../wire/errors.ts';
import type { UpstreamRequest } from '../providers/provider.ts';
import { callUpstream } from './upstream.ts';
import { writeToClient } from './client-write.ts';
import { createStreamRedactor, redactHeaders } from '../redact.ts';

export type ForwardDeps = {
  fallback: Config['fallback'];
  dispatcher: Dispatcher;
  /** What no answer may show (every tier's key, tierSecrets). */ secrets: readonly string[];
};

export async function forward(
  res: ServerResponse,
  tierName: string,
  request: UpstreamRequest,
  signal: AbortSignal,
  deps: ForwardDeps,
): Promise<void> {
  const up = await callUpstream({
    ...request,
    signal,
    headersTimeoutMs: deps.fallback.firstByteTimeoutMs,
    bodyTimeoutMs: deps.fallback.idleTimeoutMs,
    dispatcher: deps.dispatcher,
  });
  if (!('statusCode' in up)) throw new ProxyError(up.transport === 'timeout' ? 504 : 502, up.type, `${tierName}: ${up.message}`);
  // content-length is never relayed (responseHeaders), so a redacted body may differ in length.
  res.writeHead(up.statusCode, redactHeaders(responseHeaders(up.headers), deps.secrets));
  const redactor = createStreamRedactor(deps.secrets);
  try {
    for await (const chunk of up.body) {
      const out = redactor.push(chunk as Buffer);
      if (out.length > 0) await writeToClient(res, out);
    }
    const rest = redactor.end();
    if (rest.length > 0) await writeToClient(res, rest);
  } catch (err) {
    if (signal.aborted) return;
    // The answer was cut after its headers went out: reset Claude Code's connection, so the cut reads
    // as a failure and never as a complete answer (an error frame appended to JSON would read as success).
    res.destroy();
    throw new ProxyError(502, 'api_error', `${tierName}: upstream cut the answer off mid-way (${(err as Error).message})`);
  }
  res.end();
}
