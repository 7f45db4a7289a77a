// The log line for one failed upstream attempt: the tier, what went wrong as the network or the vendor said it
// (errno or status), the URL without secrets, and what the proxy does about it. A 404 gets a hint: the usual
// cause is a base_url with one path segment too many or too few (`/v1` twice).

import { formatDuration } from '../duration.ts';
import type { TierConfig } from '../config.ts';
import type { Decision } from './fallback-policy.ts';
import type { UpstreamError } from '../providers/provider.ts';

/** The URL as it may be logged: no user info, no query (Gemini accepts `?key=`), no fragment. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}

function what(err: UpstreamError): string {
  if (err.status) return `${err.status} ${err.type}`;
  return err.detail ?? `${err.transport ?? 'network'} ${err.type}`;
}

function action(decision: Decision, now: number, lowerTier: boolean): string {
  switch (decision.action) {
    case 'retry':
      return `retry in ${decision.waitMs}ms`;
    case 'return':
      return lowerTier ? 'refused, trying the next tier' : 'returned to Claude Code';
    case 'fallback': {
      const until = new Date(decision.cooldownUntil).toISOString().replace(/\.\d{3}Z$/, 'Z');
      return `fallback, ${decision.reason} cooldown until ${until}${decision.hinted ? '' : ' (no reset time given)'} (${formatDuration(decision.cooldownUntil - now)})`;
    }
  }
}

export function notFoundHint(tier: Pick<TierConfig, 'name'>, url: string | undefined): string {
  const doubled = url && /\/(v\d+(?:beta)?)\/\1(\/|$)/.test(new URL(url, 'http://x').pathname);
  return `check ${tier.name}'s base_url in the config: a 404 from a tier usually means a wrong base_url${doubled ? ' (here a version segment appears twice, e.g. /v1/v1)' : ''}`;
}

/** `lowerTier`: a fallback tier's refusal is not returned at once (engine.ts), the next tier is tried. */
export function failureLine(
  tier: Pick<TierConfig, 'name'>,
  url: string | undefined,
  err: UpstreamError,
  decision: Decision,
  now = Date.now(),
  lowerTier = false,
): string {
  const where = url ? ` (${safeUrl(url)})` : '';
  const hint = err.status === 404 ? `; ${notFoundHint(tier, url)}` : '';
  return `${tier.name}: ${what(err)}${where}: ${action(decision, now, lowerTier)}${hint}`;
}

/**
 * What a tier said when it refused the request or its key (a 4xx other than a rate limit): the status
 * and the vendor's message (already redacted), so a translation or key problem can be read in the log.
 */
export function refusalLine(tier: Pick<TierConfig, 'name'>, err: UpstreamError): string | null {
  if (err.status < 400 || err.status >= 500 || err.status === 429) return null;
  return `${tier.name} ${err.status} ${err.type}: ${err.message}`;
}

/** Why a lower tier cools down for its refusals: `gemini-flash: refused 3 requests in a row (400 invalid_request_error): cooldown until … (15m)`. */
export function refusalCooldownLine(
  tier: Pick<TierConfig, 'name'>,
  streak: number,
  kind: string,
  cooldownUntil: number,
  now = Date.now(),
): string {
  const until = new Date(cooldownUntil).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `${tier.name}: refused ${streak} requests in a row (${kind}): cooldown until ${until} (${formatDuration(cooldownUntil - now)})`;
}
