// The pass-through request to an anthropic-protocol tier: the client's method, path, query, headers
// and body as they came, with the tier's own key when it has one. The client's credentials go only
// to a tier the config marked `clientCredentials` (tier 0, Anthropic itself, `credentials: client`).

import type { IncomingHttpHeaders } from 'node:http';
import type { TierConfig } from '../config.ts';
import { forwardableHeaders } from '../upstream.ts';

/** Headers the client sends that no upstream may see. */
const PROXY_ONLY = ['x-fallback-token'];

export function anthropicUpstreamHeaders(
  tier: TierConfig,
  clientHeaders: IncomingHttpHeaders,
  opts: { identity?: boolean } = {},
): Record<string, string> {
  // The proxy reads /v1/messages streams (holdback, usage), so it asks for them uncompressed.
  const drop = opts.identity ? [...PROXY_ONLY, 'accept-encoding'] : PROXY_ONLY;
  const headers = forwardableHeaders(clientHeaders, tier.clientCredentials ? drop : [...drop, 'x-api-key', 'authorization']);
  if (tier.apiKey) headers['x-api-key'] = tier.apiKey;
  if (tier.headers) Object.assign(headers, tier.headers);
  return headers;
}

/** `{base_url}{path}?{query}`: `https://api.deepseek.com/anthropic` + `/v1/messages?beta=true`. */
export function anthropicUpstreamUrl(tier: TierConfig, pathAndQuery: string): string {
  return tier.baseUrl + pathAndQuery;
}
