// Who may use the proxy: never a web page (a foreign Origin, or a Host that is not ours: DNS
// rebinding), and only token holders when it listens beyond loopback. With a token configured, a
// request carrying it is not a rebinding page (a page cannot know the token), so the Host check is
// for tokenless mode only: a remote client names the proxy by whatever address it reached it at.

import type { IncomingHttpHeaders } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { header } from '../headers.ts';

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h);
}

/** Why the request is refused, or null when it may pass. */
export function refuseReason(headers: IncomingHttpHeaders, opts: { host: string; port: number; token?: string }): string | null {
  const origin = headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let originHost: string;
    try {
      originHost = new URL(origin).hostname;
    } catch {
      return 'requests from web pages are refused';
    }
    if (!isLoopbackHost(originHost)) return 'requests from web pages are refused';
  } else if (origin === 'null') {
    return 'requests from web pages are refused';
  }
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

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
