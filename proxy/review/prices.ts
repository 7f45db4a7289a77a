// Built-in prices (USD per million tokens) for well-known models, and the cost of one usage line.
//
// Read on 2026-11-25 from stored copies of the vendors' pages:
//   Anthropic: https://platform.claude.com/docs/en/about-claude/pricing ("Model pricing": base input,
//     5m cache writes, cache hits, output).
//   Google: https://ai.google.dev/gemini-api/docs/pricing (paid tier, prompts up to 200k tokens).
// Not modelled: long-context surcharges (Gemini 2.5 Pro above 200k, Claude 1M context), batch
// discounts, 1h cache writes. DeepSeek is left out on purpose: since 2026-08-16 its price depends on
// the hour (peak / off-peak), which one line per request cannot tell; give the tier a `price` instead.
// A model that is in neither the config nor this table has an unknown price, never 0.

import type { Config, Price } from '../config.ts';
import type { UsageEvent } from '../git/ledger.ts';

export const PRICES_READ_ON = '2026-11-25';

/** Keys match a model id exactly or followed by a date (`-20250514`) or a `@`/`:` version; `claude-sonnet-4-6` is not `claude-sonnet-4`. */
export const BUILTIN_PRICES: Readonly<Record<string, Price>> = {
  'claude-opus-4': { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
  'claude-opus-4-0': { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
  'claude-opus-4-1': { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
  'claude-opus-4-5': { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  'claude-opus-4-6': { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  'claude-opus-4-7': { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  'claude-opus-4-8': { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  'claude-sonnet-4': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  'claude-sonnet-4-5': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  'claude-haiku-4-5': { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 },
  'gemini-2.5-pro': { input: 1.25, output: 10 },
  'gemini-2.5-flash': { input: 0.3, output: 2.5 },
};

export function builtinPrice(model: string): Price | undefined {
  const m = /^(.*?)(?:-\d{8}|[@:].*)?$/.exec(model.toLowerCase());
  return m && Object.hasOwn(BUILTIN_PRICES, m[1]) ? BUILTIN_PRICES[m[1]] : undefined;
}

export type PriceLookup = (tier: string, model: string) => Price | undefined;

/** The tier's configured `price` wins; else the built-in price of the upstream model the line names. */
export function priceLookup(config: Pick<Config, 'tiers'>): PriceLookup {
  const byTier = new Map(config.tiers.map((t) => [t.name, t.price]));
  const builtin = new Map<string, Price | undefined>(); // one lookup per model name, not per usage line
  return (tier, model) => {
    const configured = byTier.get(tier);
    if (configured) return configured;
    if (!builtin.has(model)) builtin.set(model, builtinPrice(model));
    return builtin.get(model);
  };
}

/**
 * USD for one usage line, or undefined when the price is unknown. A price without cache rates
 * charges cache reads and writes at the input rate, as a plain input token would be.
 */
export function usageCost(
  e: Pick<UsageEvent, 'input_tokens' | 'output_tokens' | 'cache_read_tokens' | 'cache_write_tokens'>,
  price: Price | undefined,
): number | undefined {
  if (!price) return undefined;
  const cacheRead = (e.cache_read_tokens ?? 0) * (price.cacheRead ?? price.input);
  const cacheWrite = (e.cache_write_tokens ?? 0) * (price.cacheWrite ?? price.input);
  return ((e.input_tokens ?? 0) * price.input + (e.output_tokens ?? 0) * price.output + cacheRead + cacheWrite) / 1e6;
}
