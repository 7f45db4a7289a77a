// Reads an Anthropic (or Anthropic-compatible) error answer: its type, retry hints and reset headers,
// and the spend-limit cases that look like ordinary errors (docs/protocols.md §1.6, §1.7).

import type { ErrorType } from '../../wire/types.ts';
import { typeForStatus } from '../../wire/errors.ts';
import type { UpstreamError } from '../provider.ts';
import { header, resetTimeMs, retryAfterMs, type HeaderMap } from '../../headers.ts';

const TYPES = new Set<ErrorType>([
  'invalid_request_error',
  'authentication_error',
  'billing_error',
  'permission_error',
  'not_found_error',
  'request_too_large',
  'rate_limit_error',
  'api_error',
  'timeout_error',
  'overloaded_error',
]);

/** 400s that mean "this account can't spend now" rather than "this request is wrong". */
const SPEND_LIMIT = /reached your specified API usage limits|credit balance is too low/i;

export function parseAnthropicError(status: number, headers: HeaderMap, body: string): UpstreamError {
  let type: ErrorType = typeForStatus(status);
  let message = body.trim().slice(0, 500) || `HTTP ${status}`;
  let errorCode: string | undefined;
  try {
    const json = JSON.parse(body) as { error?: { type?: string; message?: string; details?: { error_code?: string } } };
    if (json.error) {
      if (TYPES.has(json.error.type as ErrorType)) type = json.error.type as ErrorType;
      if (typeof json.error.message === 'string') message = json.error.message;
      errorCode = json.error.details?.error_code;
    }
  } catch {
    // not JSON (a gateway's HTML page): keep the status-derived type
  }
  const err: UpstreamError = { status, type, message };
  const retry = retryAfterMs(headers);
  if (retry !== undefined) err.retryAfterMs = retry;
  const resetAt = rateLimitReset(headers);
  if (resetAt !== undefined) err.resetAt = resetAt;
  if (errorCode === 'enforced_spend_limit_reached' || (status === 400 && SPEND_LIMIT.test(message)) || status === 402) err.permanent = true;
  return err;
}

/**
 * When the exhausted limit resets: the latest `anthropic-ratelimit-*-reset` among buckets whose
 * `remaining` is 0 (RFC 3339), or the subscription's `anthropic-ratelimit-unified-reset` (Unix seconds);
 * read by the one bounded reader, so a malformed value is none and a far one is a week away.
 */
export function rateLimitReset(headers: HeaderMap, now = Date.now()): number | undefined {
  let latest = resetTimeMs(header(headers, 'anthropic-ratelimit-unified-reset'), now);
  for (const bucket of ['requests', 'tokens', 'input-tokens', 'output-tokens']) {
    if (header(headers, `anthropic-ratelimit-${bucket}-remaining`) !== '0') continue;
    const t = resetTimeMs(header(headers, `anthropic-ratelimit-${bucket}-reset`), now);
    if (t !== undefined && (latest === undefined || t > latest)) latest = t;
  }
  return latest;
}
