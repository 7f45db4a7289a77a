// What a repository's config may do before the user trusts it: a pure function from the config as written
// to the config that runs, with each thing it took away named (docs/security.md "A repository's config").
// An untrusted file keeps Claude Code working (tier 0 is Anthropic's own API with Claude Code's own
// credentials) and may add fallback tiers at known vendors' API hosts with their own keys; it runs no
// command, sends nothing to a host or channel of its choosing and reads no environment variable but a key.

import { isLoopbackHost } from '../server/access.ts';
import type { Config, TierConfig } from '../config.ts';
import { FIRST_PARTY, isAnthropicApi } from '../first-party.ts';

/** One thing the policy took away: the key as written, what was ignored, and why. */
export type Removal = { key: string; ignored: string; why: string };

/**
 * The API hosts an untrusted config may send a conversation (and a `${VAR}` key) to: the vendors the proxy
 * has adapters and profiles for, each the host its vendor documents. https only, on the default port.
 * Anthropic https://docs.anthropic.com/en/api/overview, Google https://ai.google.dev/api,
 * DeepSeek https://api-docs.deepseek.com/, OpenAI https://platform.openai.com/docs/api-reference,
 * OpenRouter https://openrouter.ai/docs/api-reference/overview, Mistral https://docs.mistral.ai/api/.
 */
export const VENDOR_API_HOSTS: readonly string[] = [
  'api.anthropic.com',
  'generativelanguage.googleapis.com',
  'api.deepseek.com',
  'api.openai.com',
  'openrouter.ai',
  'api.mistral.ai',
];

const WHY_COMMAND = 'an untrusted config runs no command';
const WHY_SEND = 'an untrusted config sends nothing to a destination it chose';
const WHY_ENV = "an untrusted config reads no environment variable outside a tier's api_key";

/** The URL's host when it is https on the default port with no user name, else null. */
function httpsHost(url: string): string | null {
  try {
    const u = new URL(url);
    if (u.protocol !== 'https:' || u.port !== '' || u.username || u.password) return null;
    return u.hostname.toLowerCase();
  } catch {
    return null;
  }
}

/** Only what can be shown of a base_url the file wrote: its origin (never a path, query or user). */
function shownUrl(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'an unparsable URL';
  }
}

export function isAnthropicsOwnApi(tier: Pick<TierConfig, 'protocol' | 'baseUrl'>): boolean {
  return tier.protocol === 'anthropic' && isAnthropicApi(tier.baseUrl);
}

/**
 * The config an untrusted repository file may run, and what was removed. Never mutates `config`.
 * Trusted configs (the user's own, or a repository file the user approved) do not go through here.
 */
export function untrustedConfig(config: Config): { config: Config; removals: Removal[] } {
  const removals: Removal[] = [];
  const envKeys = (tier: string) => config.fromEnv.filter((v) => v.tier === tier && v.key !== undefined);
  const topFromEnv = (path: string) => config.fromEnv.some((v) => v.tier === undefined && v.path === path);
  const label = (t: TierConfig) => {
    const named = config.fromEnv.find((v) => v.tier === t.name && v.key === 'name');
    return named ? named.path.slice(0, -'.name'.length) : `tier "${t.name}"`;
  };
  const urlOf = (t: TierConfig) => (envKeys(t.name).some((v) => v.key === 'base_url') ? 'a URL from the environment' : shownUrl(t.baseUrl));

  const tiers: TierConfig[] = [];
  config.tiers.forEach((original, i) => {
    let tier: TierConfig = { ...original };
    // Values read from the environment anywhere but api_key (headers go below in any case).
    const envOutsideKey = envKeys(tier.name).filter((v) => v.key !== 'api_key' && !v.key!.startsWith('headers.'));
    if (i === 0) {
      if (!isAnthropicsOwnApi(tier) || envOutsideKey.length > 0) {
        const taken = new Set(config.tiers.slice(1).map((t) => t.name));
        const name = !envOutsideKey.some((v) => v.key === 'name') ? tier.name : taken.has('claude') ? 'anthropic' : 'claude';
        const why =
          envOutsideKey.length > 0
            ? `${envOutsideKey.map((v) => v.key).join(', ')} read from the environment: ${WHY_ENV}`
            : "tier 0 receives Claude Code's own API key or login token";
        removals.push({
          key: label(tier),
          ignored: `${tier.protocol} tier 0 at ${urlOf(tier)}, replaced by Anthropic's own API (${FIRST_PARTY}) with Claude Code's own credentials`,
          why,
        });
        tiers.push({ name, protocol: 'anthropic', baseUrl: FIRST_PARTY, clientCredentials: true });
        return;
      }
    } else {
      if (envOutsideKey.length > 0) {
        removals.push({
          key: label(tier),
          ignored: 'the tier, left out',
          why: `${envOutsideKey.map((v) => v.key).join(', ')} read from the environment: ${WHY_ENV}`,
        });
        return;
      }
      const host = httpsHost(tier.baseUrl);
      if (host === null || !VENDOR_API_HOSTS.includes(host)) {
        removals.push({
          key: label(tier),
          ignored: `the tier at ${urlOf(tier)}, left out`,
          why: `not a known vendor's API host (${VENDOR_API_HOSTS.join(', ')}): an untrusted config sends no conversation or key to a host it chose`,
        });
        return;
      }
      if (tier.clientCredentials && !isAnthropicsOwnApi(tier)) {
        removals.push({
          key: `${label(tier)} credentials`,
          ignored: `client: the tier at ${urlOf(tier)}, left out`,
          why: "Claude Code's own API key or login token goes to Anthropic's own API only",
        });
        return;
      }
    }
    if (tier.headers && Object.keys(tier.headers).length > 0) {
      removals.push({
        key: `${label(tier)} headers`,
        ignored: `${Object.keys(tier.headers).join(', ')} not sent`,
        why: 'an untrusted config adds no header to what goes upstream',
      });
      const { headers: _dropped, ...rest } = tier;
      tier = rest;
      if (tier.protocol === 'anthropic' && tier.apiKey === undefined && !tier.clientCredentials) {
        if (isAnthropicsOwnApi(tier)) tier.clientCredentials = true;
        else {
          removals.push({ key: label(tier), ignored: 'the tier, left out', why: 'its key was in a header' });
          return;
        }
      }
    }
    tiers.push(tier);
  });

  const proxy = { ...config.proxy };
  if (!isLoopbackHost(proxy.host) || topFromEnv('proxy.host')) {
    removals.push({
      key: 'proxy.host',
      ignored: topFromEnv('proxy.host') ? 'a host from the environment' : `${proxy.host}, listening on 127.0.0.1 instead`,
      why: 'an untrusted config does not open the proxy (and your keys) to other machines',
    });
    proxy.host = '127.0.0.1';
  }
  if (proxy.token !== undefined && topFromEnv('proxy.token')) {
    removals.push({ key: 'proxy.token', ignored: 'not required', why: WHY_ENV });
    delete proxy.token;
  }
  const git = { ...config.git };
  if (topFromEnv('git.tag_prefix')) {
    removals.push({ key: 'git.tag_prefix', ignored: 'the value, model- instead', why: WHY_ENV });
    git.tagPrefix = 'model-';
  }

  const notify = { ...config.notify, slack: [] as string[], webhooks: [] as string[], onSwitch: [] as string[] };
  delete notify.discord;
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  if (config.notify.onSwitch.length > 0)
    removals.push({ key: 'notify.on_switch', ignored: `${count(config.notify.onSwitch.length, 'command')} not run`, why: WHY_COMMAND });
  if (config.notify.discord) removals.push({ key: 'notify.discord', ignored: 'the webhook, not sent', why: WHY_SEND });
  if (config.notify.slack.length > 0)
    removals.push({ key: 'notify.slack', ignored: `${count(config.notify.slack.length, 'webhook')}, not sent`, why: WHY_SEND });
  if (config.notify.webhooks.length > 0)
    removals.push({ key: 'notify.webhooks', ignored: `${count(config.notify.webhooks.length, 'URL')}, not sent`, why: WHY_SEND });
  const review = { ...config.review };
  if (review.test !== undefined) {
    removals.push({ key: 'review.test', ignored: 'the command, not run on Accept', why: WHY_COMMAND });
    delete review.test;
  }

  // Routing rules would send requests to the repository's tiers before Anthropic's own API failed, and their tier
  // indexes name the tiers as written, some of which are left out above: none is applied (docs/routing.md).
  if (config.routes.length > 0)
    removals.push({
      key: 'routes',
      ignored: `${count(config.routes.length, 'routing rule')}, not applied`,
      why: "an untrusted config sends no request away from Anthropic's own API before it fails",
    });

  return { config: { ...config, proxy, tiers, routes: [], git, notify, review }, removals };
}

/** One line per removal, for the terminal and the log. */
export function describeRemoval(r: Removal): string {
  return `${r.key}: ${r.ignored} (${r.why})`;
}
