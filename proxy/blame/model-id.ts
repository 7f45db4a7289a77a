// A model's id as Agent Trace and the Assisted-by trailer name it, `<provider>/<model>` (the models.dev convention
// Agent Trace's `model_id` follows: `anthropic/claude-opus-4-5-20251101`): the provider from the tier's `vendor`,
// else from its protocol and host; a model name that already holds a `/` (OpenRouter's `qwen/qwen3-coder`) is one.

import type { TierConfig } from '../config.ts';
import { isFirstParty } from '../first-party.ts';

const HOSTS: [RegExp, string][] = [
  [/(^|\.)deepseek\.com$/, 'deepseek'],
  [/(^|\.)openrouter\.ai$/, 'openrouter'],
  [/(^|\.)openai\.com$/, 'openai'],
  [/(^|\.)mistral\.ai$/, 'mistral'],
  [/(^|\.)googleapis\.com$/, 'google'],
  [/(^|\.)anthropic\.com$/, 'anthropic'],
];

export function modelProvider(tier: Pick<TierConfig, 'protocol' | 'baseUrl' | 'vendor' | 'apiKey' | 'clientCredentials'>): string | null {
  if (tier.vendor && tier.vendor !== 'other') return tier.vendor;
  let host = '';
  try {
    host = new URL(tier.baseUrl).hostname.toLowerCase();
  } catch {
    // no host to go by
  }
  for (const [re, name] of HOSTS) if (re.test(host)) return name;
  if (tier.protocol === 'gemini') return 'google';
  if (tier.protocol === 'anthropic' && isFirstParty(tier)) return 'anthropic';
  return null;
}

/** `<provider>/<model>`, the model as is when it names its provider, null when nothing says who serves it. */
export function modelId(tier: Parameters<typeof modelProvider>[0], model: string): string | null {
  if (model.includes('/')) return model;
  const provider = modelProvider(tier);
  return provider ? `${provider}/${model}` : null;
}
