// HTTP headers in one place: one value by name (in any case, the first of a repeated header), the
// standard retry hint, and which headers may cross the proxy (hop-by-hop ones never do).

import type { IncomingHttpHeaders } from 'node:http';

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
 * How long to wait before retrying, in ms: `retry-after-ms` (OpenAI's and Anthropic's SDKs read it
 * first), else `retry-after` as seconds or as an HTTP date (RFC 9110 §10.2.3,
 * https://www.rfc-editor.org/rfc/rfc9110#field.retry-after). Undefined when neither says anything usable.
 */
export function retryAfterMs(headers: HeaderMap, now = Date.now()): number | undefined {
  const ms = header(headers, 'retry-after-ms')?.trim();
  if (ms !== undefined && ms !== '' && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Math.round(Number(ms));
  const value = header(headers, 'retry-after')?.trim();
  if (value === undefined || value === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.round(seconds * 1000) : undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
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
