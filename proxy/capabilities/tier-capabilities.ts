// A tier's capabilities: its model's profile (model-profiles.ts) with the tier's config overrides on
// top (`vision`, `image_types`, `documents`, `context_window`, `max_output_tokens`), for names the
// table does not know or a deployment that differs (a vLLM server with a shorter window, say).

import type { TierConfig } from '../config.ts';
import { COMMON_IMAGE_TYPES, modelProfile, type ModelProfile } from './model-profiles.ts';

export type Capabilities = Omit<ModelProfile, 'imageTypes' | 'documentTypes'> & {
  imageTypes: readonly string[];
  documentTypes: readonly string[];
};

type Overrides = Pick<TierConfig, 'protocol' | 'vision' | 'imageTypes' | 'documents' | 'contextWindow' | 'maxOutputTokens'>;

/** The capabilities of `tier` when it serves `model` (the name after the tier's model mapping). */
export function tierCapabilities(tier: Overrides, model: string): Capabilities {
  const profile = modelProfile(model);
  const caps: Capabilities = { ...profile };
  // An unknown model behind Anthropic's wire format thinks the way Anthropic's API does.
  if (profile.family === 'unknown' && tier.protocol === 'anthropic') caps.thinking = 'anthropic';
  if (tier.imageTypes !== undefined) caps.imageTypes = tier.imageTypes;
  else if (tier.vision === false) caps.imageTypes = [];
  else if (tier.vision === true && profile.imageTypes.length === 0) caps.imageTypes = COMMON_IMAGE_TYPES;
  if (tier.documents === false) caps.documentTypes = [];
  else if (tier.documents === true && profile.documentTypes.length === 0) caps.documentTypes = ['application/pdf'];
  if (tier.contextWindow !== undefined) caps.contextWindow = tier.contextWindow;
  if (tier.maxOutputTokens !== undefined) caps.maxOutputTokens = tier.maxOutputTokens;
  return caps;
}
