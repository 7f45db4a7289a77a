// Which tier wrote each tool call: the engine notes every `tool_use` id of the answers it relays (translated or
// passed through), so an edit or a snapshot names the model that made the call, not the one active when its result
// comes back (a switch, or a request answered by another tier, may come in between). Bounded: the oldest ids go first.

import type { TierConfig } from '../config.ts';

export type ToolWriter = { tier: string; model_id?: string };

export type ToolTiers = {
  note(id: string, writer: ToolWriter): void;
  get(id: string): ToolWriter | undefined;
  readonly size: number;
};

/** How many ids are kept: a long session's calls, far more than one conversation's results ever lag behind. */
export const TOOL_TIERS_LIMIT = 20_000;

export function createToolTiers(limit = TOOL_TIERS_LIMIT): ToolTiers {
  const ids = new Map<string, ToolWriter>(); // insertion order: the first key is the oldest
  return {
    note(id, writer) {
      ids.delete(id);
      ids.set(id, writer);
      if (ids.size > limit) ids.delete(ids.keys().next().value!);
    },
    get: (id) => ids.get(id),
    get size() {
      return ids.size;
    },
  };
}

const HOST_VENDORS: [RegExp, string][] = [
  [/(^|\.)anthropic\.com$/, 'anthropic'],
  [/(^|\.)googleapis\.com$/, 'google'],
  [/(^|\.)deepseek\.com$/, 'deepseek'],
  [/(^|\.)openai\.com$/, 'openai'],
  [/(^|\.)openrouter\.ai$/, 'openrouter'],
  [/(^|\.)mistral\.ai$/, 'mistral'],
];

/**
 * `<provider>/<upstream model>` as the note's `model_id`: the provider is the tier's `vendor`, else its host's
 * (api.anthropic.com → anthropic…), else its protocol (gemini → google).
 */
export function modelIdOf(tier: TierConfig, model: string): string {
  let vendor: string | undefined = tier.vendor;
  if (vendor === undefined) {
    try {
      const host = new URL(tier.baseUrl).hostname;
      vendor = HOST_VENDORS.find(([re]) => re.test(host))?.[1];
    } catch {
      // a base URL the config accepted but URL does not: the protocol says enough
    }
  }
  vendor ??= tier.protocol === 'gemini' ? 'google' : tier.protocol;
  return `${vendor}/${model}`;
}
