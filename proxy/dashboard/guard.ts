// Who may use the dashboard: the proxy's access rule for its own page (proxy/server/access.ts,
// refuseDashboardReason: loopback, the token when one is configured, no Origin but this page's own, no
// `Sec-Fetch-Site` from another site or port, no foreign Host), and for the actions that change the
// repository also a same-origin page that holds this run's session token.
//
// A browser cannot add `x-fallback-token` to a page it opens, so the dashboard also takes the token from
// `?token=` once (answered with a cookie and a redirect that drops it from the address bar) and from that
// cookie afterwards. Cookies are not port-scoped (RFC 6265 §8.5): the browser sends this one to every
// port of the host. So it never holds the token: its value is an HMAC of the token and this port, good
// for this port's dashboard only, and no API route reads cookies (docs/security.md).

import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { createHmac, randomBytes } from 'node:crypto';
import { refuseDashboardReason, safeEqual, type AccessOptions } from '../server/access.ts';

export const SESSION_HEADER = 'x-dashboard-session';

export function newSessionToken(): string {
  return randomBytes(24).toString('base64url');
}

export function cookieName(port: number): string {
  // One per proxy port, so two proxies do not overwrite each other's (the value is port-bound too).
  return `fallback_token_${port}`;
}

/** The cookie's value: worthless as `x-fallback-token`, and on any other port's dashboard. */
export function cookieValue(token: string, port: number): string {
  return createHmac('sha256', token).update(`claude-fallback dashboard cookie for port ${port}`).digest('base64url');
}

/** The `set-cookie` header that keeps the dashboard open after `?token=`. */
export function dashboardCookie(token: string, port: number): string {
  return `${cookieName(port)}=${cookieValue(token, port)}; Path=/; HttpOnly; SameSite=Strict`;
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

export type { AccessOptions };

/** The request's headers, with `x-fallback-token` from `?token=`, or the token itself when this port's cookie is right. */
export function withDashboardToken(req: IncomingMessage, url: URL, opts: AccessOptions): IncomingHttpHeaders {
  if (req.headers['x-fallback-token'] !== undefined || opts.token === undefined) return req.headers;
  const given = url.searchParams.get('token');
  if (given !== null) return { ...req.headers, 'x-fallback-token': given };
  const cookie = readCookie(req.headers.cookie, cookieName(opts.port));
  return cookie !== undefined && safeEqual(cookie, cookieValue(opts.token, opts.port))
    ? { ...req.headers, 'x-fallback-token': opts.token }
    : req.headers;
}

/** Why the request is refused (the dashboard's access rule), or null. */
export function refuseDashboard(req: IncomingMessage, url: URL, opts: AccessOptions): string | null {
  return refuseDashboardReason(withDashboardToken(req, url, opts), opts);
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
  const type = String(headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
  if (type !== 'application/json') return 'refused: actions take a JSON body (content-type: application/json)';
  return null;
}
