// Who may use the proxy (docs/security.md): never a web page on an API route (any Origin, or a
// `Sec-Fetch-Site` that says another site or port sent it), only this dashboard's own page on the
// dashboard's routes, no Host that is not ours (DNS rebinding), and only token holders when it listens
// beyond loopback. With a token configured, a request carrying it is not a rebinding page (a page
// cannot know the token), so the Host check is for tokenless mode only: a remote client names the
// proxy by whatever address it reached it at.

import type { IncomingHttpHeaders } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { header } from '../headers.ts';

export type AccessOptions = { host: string; port: number; token?: string };

const FROM_PAGES = 'requests from web pages are refused';

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h);
}

/**
 * Why a request to an API route (`/v1/*`, `/webhook`, `/retry`, `/status`, `/health`, pass-through) is
 * refused, or null. Claude Code, the SDKs, curl and the CLI send no `Origin`; a browser sends one with
 * every POST and every cross-origin fetch, so any `Origin` (a page on another port of 127.0.0.1
 * included) is a web page. `Sec-Fetch-Site: cross-site`/`same-site` catches what a browser sends
 * without an Origin (a `no-cors` GET, an `<img>`); `same-site` is what another port of the same host is.
 */
export function refuseReason(headers: IncomingHttpHeaders, opts: AccessOptions): string | null {
  const origin = header(headers, 'origin');
  if (origin !== undefined) return `${FROM_PAGES} (Origin ${JSON.stringify(origin.slice(0, 100))}): API routes take no Origin`;
  return refuseFetchSite(headers) ?? refuseClient(headers, opts);
}

/**
 * Why a request to the dashboard (`/`, `/_dashboard/*`) is refused, or null: an `Origin`, when the
 * browser sends one, must be this very address (`http://` + the Host it was sent to) and loopback
 * (beyond loopback the page can look but not act); no other site or port may send it.
 */
export function refuseDashboardReason(headers: IncomingHttpHeaders, opts: AccessOptions): string | null {
  const origin = header(headers, 'origin');
  if (origin !== undefined) {
    let url: URL | null = null;
    try {
      url = new URL(origin);
    } catch {
      // `null` and the like: an opaque origin (a sandboxed frame, a file: page) is never this page
    }
    const host = header(headers, 'host') ?? '';
    if (!url || url.protocol !== 'http:' || !isLoopbackHost(url.hostname))
      return `${FROM_PAGES} (Origin ${JSON.stringify(origin.slice(0, 100))})`;
    if (url.host.toLowerCase() !== host.toLowerCase()) return `${FROM_PAGES}: Origin ${origin.slice(0, 100)} is not this dashboard`;
  }
  return refuseFetchSite(headers) ?? refuseClient(headers, opts);
}

function refuseFetchSite(headers: IncomingHttpHeaders): string | null {
  const site = header(headers, 'sec-fetch-site')?.trim().toLowerCase();
  return site === 'cross-site' || site === 'same-site' ? `${FROM_PAGES} (Sec-Fetch-Site: ${site})` : null;
}

/** The token when one is configured, else a Host that is ours. */
function refuseClient(headers: IncomingHttpHeaders, opts: AccessOptions): string | null {
  if (opts.token !== undefined) {
    const value = header(headers, 'x-fallback-token');
    return value !== undefined && safeEqual(value, opts.token) ? null : 'missing or wrong x-fallback-token';
  }
  const host = headers.host;
  if (host !== undefined) {
    const name = host.replace(/:\d+$/, '');
    const ours = isLoopbackHost(name) || name.toLowerCase() === opts.host.toLowerCase();
    if (!ours) return `Host "${host}" is not this proxy (DNS rebinding is refused)`;
  }
  return null;
}

/**
 * Why a POST's body is refused (415), or null: a POST that carries a body or names a type must be
 * `application/json`. `text/plain`, forms and `multipart/form-data` are what a page can send without a
 * CORS preflight; no client of these routes sends them.
 */
export function refuseBodyType(method: string | undefined, headers: IncomingHttpHeaders): string | null {
  if (method !== 'POST' && method !== 'PUT' && method !== 'PATCH') return null;
  const type = header(headers, 'content-type');
  const length = header(headers, 'content-length');
  const hasBody = header(headers, 'transfer-encoding') !== undefined || (length !== undefined && length.trim() !== '0');
  if (type === undefined && !hasBody) return null;
  const mime = (type ?? '').split(';')[0].trim().toLowerCase();
  return mime === 'application/json'
    ? null
    : `content-type ${JSON.stringify((type ?? '(none)').slice(0, 100))} is refused: a ${method} body must be application/json`;
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
