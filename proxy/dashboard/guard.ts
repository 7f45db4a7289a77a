// Who may use the dashboard: exactly who may use the proxy (proxy/access.ts decides: loopback, the
// token when one is configured, no foreign Origin or Host), and for the actions that change the
// repository also a same-origin page that holds this run's session token.
//
// A browser cannot add `x-fallback-token` to a page it opens, so the dashboard also takes the token from
// `?token=` once (answered with a cookie and a redirect that drops it from the address bar) and from that
// cookie afterwards; the token itself is still checked by refuseReason.

import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { refuseReason } from '../server/access.ts';

export const SESSION_HEADER = 'x-dashboard-session';

export function newSessionToken(): string {
  return randomBytes(24).toString('base64url');
}

export function cookieName(port: number): string {
  // Cookies are per host, not per port: one per proxy port, so two proxies do not overwrite each other's.
  return `fallback_token_${port}`;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

/** The request's headers, with `x-fallback-token` taken from `?token=` or the dashboard cookie when it sent none. */
export function withDashboardToken(req: IncomingMessage, url: URL, port: number): IncomingHttpHeaders {
  if (req.headers['x-fallback-token'] !== undefined) return req.headers;
  const token = url.searchParams.get('token') ?? cookieValue(req.headers.cookie, cookieName(port));
  return token === undefined || token === null ? req.headers : { ...req.headers, 'x-fallback-token': token };
}

export type AccessOptions = { host: string; port: number; token?: string };

/** Why the request is refused (the proxy's own rule), or null. */
export function refuseDashboard(req: IncomingMessage, url: URL, opts: AccessOptions): string | null {
  return refuseReason(withDashboardToken(req, url, opts.port), opts);
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Why a state-changing request is refused, or null. On top of the proxy's rule: the request must come
 * from a page of this very origin (an Origin header naming the Host it was sent to; browsers always send
 * one with a POST), carry the session token of this proxy run that only the page itself can read, and be
 * JSON (which a form on another site cannot send without a preflight that would be refused).
 */
export function refuseAction(headers: IncomingHttpHeaders, session: string): string | null {
  const origin = headers.origin;
  const host = headers.host;
  if (origin === undefined) return 'refused: the request has no Origin header (actions come only from the dashboard page)';
  let originHost: string;
  try {
    const u = new URL(origin);
    originHost = u.protocol === 'http:' ? u.host : '';
  } catch {
    originHost = '';
  }
  if (host === undefined || originHost.toLowerCase() !== host.toLowerCase()) return `refused: Origin ${origin} is not this dashboard`;
  const given = headers[SESSION_HEADER];
  const value = Array.isArray(given) ? given[0] : given;
  if (value === undefined || !safeEqual(value, session)) return 'refused: missing or wrong dashboard session token (reload the page)';
  const type = String(headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') return 'refused: actions take a JSON body (content-type: application/json)';
  return null;
}
