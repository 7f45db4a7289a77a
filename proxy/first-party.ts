// Which tier is Anthropic itself: one host rule for the whole proxy (config credentials, the trust policy,
// the adapter choice, the engine's window check), and on top of it what the tier's config says.

/** Anthropic's own API: where Claude Code's own credentials may go without the user saying so. */
export const FIRST_PARTY = 'https://api.anthropic.com';
const FIRST_PARTY_HOST = 'api.anthropic.com';

/**
 * Whether `baseUrl` is Anthropic's own API: https, the host api.anthropic.com (any letter case), the
 * default port, no user or password. Decision (two rules used to disagree: a string prefix in config.ts,
 * the parsed host with any scheme and port in the adapters): the strict one, because the same answer
 * decides where Claude Code's key goes; `http://api.anthropic.com` would send it in clear text, and
 * `https://u@api.anthropic.com` or a non-default port is not what Anthropic publishes
 * (https://docs.claude.com/en/api/overview: "https://api.anthropic.com"). Pinned in test/first-party.test.ts.
 */
export function isAnthropicApi(baseUrl: string): boolean {
  let u: URL;
  try {
    u = new URL(baseUrl);
  } catch {
    return false;
  }
  return (
    u.protocol === 'https:' && u.port === '' && u.username === '' && u.password === '' && u.hostname.toLowerCase() === FIRST_PARTY_HOST
  );
}

/** The fields of a tier's config (TierConfig in config.ts) the rule reads; config.ts imports this file. */
export type TierFacts = { baseUrl: string; vendor?: string; apiKey?: string; clientCredentials?: boolean };

/**
 * First party: the config says `vendor: anthropic` (a gateway or Bedrock-style proxy in front of
 * Anthropic), or the tier gets Claude Code's own credentials, or its base_url is Anthropic's API
 * (isAnthropicApi), or it has no key of its own (the client's Anthropic credentials go there, so it is
 * Anthropic or stands in front of it). Any other `vendor:` is a vendor, whatever the host.
 */
export function isFirstParty(tier: TierFacts): boolean {
  if (tier.vendor !== undefined) return tier.vendor === 'anthropic';
  // The config gives Claude Code's own credentials only to Anthropic or a gateway in front of it (config.ts readCredentials).
  if (tier.clientCredentials === true) return true;
  if (isAnthropicApi(tier.baseUrl)) return true;
  return tier.apiKey === undefined;
}
