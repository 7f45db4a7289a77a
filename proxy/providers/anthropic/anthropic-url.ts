// The upstream URL for a client's request target on an anthropic-protocol tier: the tier's base URL
// (`https://api.deepseek.com/anthropic`) plus the target's path and query. The target may choose only
// the path under the base path, never the origin and never a path outside the base path, since the
// tier's key goes wherever this URL points (issue 12, items 1 and 2).
//
// Dot segments are resolved the way RFC 3986 §5.2.4 and the WHATWG URL standard do (`%2e` counts as
// `.`: https://url.spec.whatwg.org/#single-dot-path-segment), because a vendor's server will resolve
// them too; a target that climbs above its root is refused. Encoded separators (`%2f`, `%5c`) and `\`
// are refused outright: servers disagree on whether they separate segments, so they could hide a climb.

import { ProxyError } from '../../wire/errors.ts';

const refuse = (target: string, why: string) =>
  new ProxyError(400, 'invalid_request_error', `request target ${JSON.stringify(target.slice(0, 200))} ${why}`);

/** The target's path with dot segments resolved; throws a 400 ProxyError for one that would climb above `/`. */
export function normalizeTargetPath(target: string): { path: string; query: string } {
  if (!target.startsWith('/')) throw refuse(target, 'is not a path (only origin-form targets like /v1/models are accepted)');
  const q = target.indexOf('?');
  const rawPath = q === -1 ? target : target.slice(0, q);
  const query = q === -1 ? '' : target.slice(q);
  if (/\\|%2f|%5c/i.test(rawPath)) throw refuse(target, 'has an encoded or backslash path separator');
  const out: string[] = [];
  for (const segment of rawPath.slice(1).split('/')) {
    const plain = segment.replace(/%2e/gi, '.');
    if (plain === '.') continue;
    if (plain === '..') {
      if (out.length === 0) throw refuse(target, "climbs above the tier's base path");
      out.pop();
      continue;
    }
    out.push(segment);
  }
  return { path: '/' + out.join('/'), query };
}

/** `base_url` + the normalised target, built with URL and checked: same origin, still under the base path. */
export function anthropicUrl(baseUrl: string, target: string): string {
  const { path, query } = normalizeTargetPath(target);
  const base = new URL(baseUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  const url = new URL(base.origin);
  url.pathname = basePath + path;
  url.search = query;
  if (url.origin !== base.origin || !(url.pathname === basePath || url.pathname.startsWith(basePath + '/')))
    throw refuse(target, "would leave the tier's base URL");
  return url.href;
}
