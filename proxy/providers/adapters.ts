// Which adapter serves each `protocol` of the config: every protocol has one, so a lookup cannot fail.
// A tier on `protocol: anthropic` that is not Anthropic itself (first-party.ts isFirstParty)
// gets the vendor adapter, which follows the vendor's rules on top of the protocol.

import type { Protocol, TierConfig } from '../config.ts';
import type { ProviderAdapter } from './provider.ts';
import { anthropicAdapter } from './anthropic/anthropic-adapter.ts';
import { anthropicVendorAdapter } from './anthropic/anthropic-vendor-adapter.ts';
import { isFirstParty } from '../first-party.ts';
import { openaiAdapter } from './openai/openai-adapter.ts';
import { geminiAdapter } from './gemini/gemini-adapter.ts';

export type Adapters = Readonly<Record<Protocol, ProviderAdapter>> & { readonly anthropicVendor?: ProviderAdapter };

export const ADAPTERS: Adapters = {
  anthropic: anthropicAdapter,
  openai: openaiAdapter,
  gemini: geminiAdapter,
  anthropicVendor: anthropicVendorAdapter,
};

/** The adapter for one tier: its protocol's, or the vendor adapter for an Anthropic-compatible vendor. */
export function adapterFor(tier: TierConfig, adapters: Adapters): ProviderAdapter {
  if (tier.protocol === 'anthropic' && !isFirstParty(tier)) return adapters.anthropicVendor ?? anthropicVendorAdapter;
  return adapters[tier.protocol];
}
