// HTTP headers in one place: one value by name (in any case, the first of a repeated header), the
// retry and reset hints (bounded), and which headers may cross the proxy (hop-by-hop ones never do).

import type { IncomingHttpHeaders } from 'node:http';
import { parseDuration } from './duration.ts';

export type HeaderMap = Readonly<Record<string, string | string[] | undefined>>;

/** The header's value, whatever the case of its name; the first one when it was sent several times. */
export function header(headers: HeaderMap, name: string): string | undefined {
  const wanted = name.toLowerCase();
  const exact = headers[wanted];
  if (exact !== undefined) return Array.isArray(exact) ? exact[0] : exact;
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined && key.toLowerCase() === wanted) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/**
 * The longest wait or reset any upstream hint may name: a week, Anthropic's longest limit window
 * (`seven_day`). A hint beyond it (`retry-after: 99999999999999`, a reset written in nanoseconds) is
 * clamped to it; a malformed or negative one is no hint at all. Nothing a header says can make a time
 * `new Date()` refuses or a timer Node overflows (docs/security.md "Bounds").
 */
export const MAX_HINT_MS = 7 * 24 * 3600 * 1000;

const clampHint = (ms: number): number => Math.min(Math.max(0, Math.round(ms)), MAX_HINT_MS);

/** A plain non-negative decimal (`7`, `1.5`); no sign, exponent, `NaN` or `Infinity`. */
const DECIMAL = /^\d+(?:\.\d+)?$/;
/** RFC 3339 (`2026-12-01T10:00:00Z`), as Anthropic's `anthropic-ratelimit-*-reset` headers send it. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})$/;
/** RFC 9110 §5.6.7 HTTP-date in any of its three forms, each starting with a day name. */
const HTTP_DATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? /i;

/** A date header's time in ms since the epoch, or undefined; `Date.parse` alone reads `foo 12` as 2001. */
function dateMs(value: string, form: RegExp): number | undefined {
  if (!form.test(value)) return undefined;
  const t = Date.parse(value);
  return Number.isFinite(t) ? t : undefined;
}

/**
 * How long to wait before retrying, in ms: `retry-after-ms` (OpenAI's and Anthropic's SDKs read it
 * first), else `retry-after` as seconds or as an HTTP date (RFC 9110 §10.2.3,
 * https://www.rfc-editor.org/rfc/rfc9110#field.retry-after). Undefined when neither says anything usable;
 * at most MAX_HINT_MS.
 */
export function retryAfterMs(headers: HeaderMap, now = Date.now()): number | undefined {
  const ms = header(headers, 'retry-after-ms')?.trim();
  if (ms !== undefined && DECIMAL.test(ms)) return clampHint(Number(ms));
  const value = header(headers, 'retry-after')?.trim();
  if (value === undefined || value === '') return undefined;
  if (DECIMAL.test(value)) return clampHint(Number(value) * 1000);
  const date = dateMs(value, HTTP_DATE);
  return date === undefined ? undefined : clampHint(date - now);
}

/**
 * When a limit resets, in ms since the epoch, from a reset header: Unix seconds (Anthropic's
 * `anthropic-ratelimit-unified-*-reset`) or RFC 3339 (its `anthropic-ratelimit-{requests,tokens,…}-reset`).
 * Undefined when malformed; a time past now + MAX_HINT_MS is clamped to it.
 */
export function resetTimeMs(value: string | undefined, now = Date.now()): number | undefined {
  const v = value?.trim();
  if (v === undefined || v === '') return undefined;
  const t = DECIMAL.test(v) ? Number(v) * 1000 : dateMs(v, RFC3339);
  if (t === undefined || !Number.isFinite(t)) return undefined;
  return Math.max(0, Math.min(Math.round(t), now + MAX_HINT_MS));
}

/**
 * A reset written as a duration, in ms: bare seconds (`7`, `1.5`) or Go-style (`1s`, `6m0s`, `360ms`), as
 * OpenAI's `x-ratelimit-reset-{requests,tokens}` send it. Undefined when malformed or negative; at most
 * MAX_HINT_MS.
 */
export function resetDurationMs(value: string | undefined): number | undefined {
  const v = value?.trim();
  if (v === undefined || v === '') return undefined;
  const ms = DECIMAL.test(v) ? Number(v) * 1000 : parseDuration(v);
  return ms === undefined || !Number.isFinite(ms) ? undefined : clampHint(ms);
}

/** RFC 9110 §7.6.1 hop-by-hop headers, plus what the proxy recomputes itself. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
]);

/** Client headers fit to forward: no hop-by-hop ones, none named in `connection`, none in `drop`. */
export function forwardableHeaders(headers: IncomingHttpHeaders, drop: readonly string[] = []): Record<string, string> {
  const named = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  );
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(key) || named.has(key) || drop.includes(key)) continue;
    out[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Response headers fit to send back to the client. */
export function responseHeaders(headers: HeaderMap, drop: readonly string[] = []): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(key) || drop.includes(key)) continue;
    out[key] = value;
  }
  return out;
}
