// A model's id as the notes, Agent Trace and the Assisted-by trailer name it, `<provider>/<upstream model>`
// (Agent Trace's `model_id` follows the models.dev convention: `anthropic/claude-opus-4-5-20251101`): the provider
// is the tier's `vendor`, else its host's (api.anthropic.com → anthropic…), else its protocol (gemini → google).
// One rule for the notes' model_id (the engine's record of tool writers, proxy/attribution/tool-tiers.ts) and the
// Assisted-by trailer (proxy/git/assisted-by.ts), so a trailer and a note name a model alike.

import type { TierConfig } from '../config.ts';

const HOST_VENDORS: [RegExp, string][] = [
  [/(^|\.)anthropic\.com$/, 'anthropic'],
  [/(^|\.)googleapis\.com$/, 'google'],
  [/(^|\.)deepseek\.com$/, 'deepseek'],
  [/(^|\.)openai\.com$/, 'openai'],
  [/(^|\.)openrouter\.ai$/, 'openrouter'],
  [/(^|\.)mistral\.ai$/, 'mistral'],
];

export function modelIdOf(tier: Pick<TierConfig, 'protocol' | 'baseUrl' | 'vendor'>, model: string): string {
  let vendor: string | undefined = tier.vendor;
  if (vendor === undefined) {
    try {
      const host = new URL(tier.baseUrl).hostname.toLowerCase();
      vendor = HOST_VENDORS.find(([re]) => re.test(host))?.[1];
    } catch {
      // a base URL the config accepted but URL does not: the protocol says enough
    }
  }
  vendor ??= tier.protocol === 'gemini' ? 'google' : tier.protocol;
  return `${vendor}/${model}`;
}
