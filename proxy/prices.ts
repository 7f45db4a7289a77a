// Built-in prices (USD per million tokens) for well-known models, and the cost of one usage line. Used by the
// proxy (each `usage` line's `cost_usd`, tier budgets) and by every view (review --costs, status, dashboard).
//
// Read on 2026-12-08 (base rates first read 2026-11-25) from the vendors' pages, found with the search tool:
//   Anthropic: https://platform.claude.com/docs/en/about-claude/pricing ("Model pricing": base input,
//     5m cache writes, cache hits, output; "Long context pricing": with the 1M context window, a request whose
//     input (input + cache write + cache read tokens) is over 200k is charged at $6 input / $22.50 output for
//     Sonnet 4 and 4.5, the whole request, cache rates at the same multipliers (write 1.25x, read 0.1x of input).
//     Since 2026-03-13 (1M context GA) Opus 4.6 and Sonnet 4.6 serve the whole 1M window at their base rates.
//   Google: https://ai.google.dev/gemini-api/docs/pricing (paid tier): Gemini 2.5 Pro $1.25 / $10 for prompts up
//     to 200k tokens, $2.50 / $15 above; Gemini 2.5 Flash one rate at any length.
// Not modelled: batch discounts, 1h cache writes, Gemini's cache storage per hour (its cache-read rate is left out,
// so a cached Gemini token is charged at the input rate: an upper bound, and no saving is claimed for it).
// DeepSeek is left out on purpose (docs/review.md, "Prices"): since 2026-08-16 its price doubles in peak hours
// (weekdays 01:00-04:00 and 06:00-10:00 UTC, except Chinese public holidays, which no table here can know), and the
// copies of its page that could be read disagree on the rates; give the tier a `price` (its peak rates are an
// upper bound). A model that is in neither the config nor this table has an unknown price, never 0.

import type { Config, Price, Rates } from './config.ts';
import type { UsageEvent } from './git/ledger.ts';

export const PRICES_READ_ON = '2026-12-08';

/** Anthropic's 1M-context rates for Sonnet 4 / 4.5 (whole request, when its input is over 200k tokens). */
const SONNET_LONG = { above: 200_000, input: 6, output: 22.5, cacheRead: 0.6, cacheWrite: 7.5 };

/** Keys match a model id exactly or followed by a date (`-20250514`) or a `@`/`:` version; `claude-sonnet-4-6` is not `claude-sonnet-4`. */
export const BUILTIN_PRICES: Readonly<Record<string, Price>> = {
  'claude-opus-4': { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
  'claude-opus-4-0': { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
  'claude-opus-4-1': { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
  'claude-opus-4-5': { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  'claude-opus-4-6': { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  'claude-opus-4-7': { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  'claude-opus-4-8': { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  'claude-sonnet-4': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75, longContext: SONNET_LONG },
  'claude-sonnet-4-0': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75, longContext: SONNET_LONG },
  'claude-sonnet-4-5': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75, longContext: SONNET_LONG },
  'claude-sonnet-4-6': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  'claude-haiku-4-5': { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 },
  'gemini-2.5-pro': { input: 1.25, output: 10, longContext: { above: 200_000, input: 2.5, output: 15 } },
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

const lookups = new WeakMap<object, PriceLookup>();
/** priceLookup made once per config object (the proxy prices every usage line it writes). */
export function pricesFor(config: Pick<Config, 'tiers'>): PriceLookup {
  let lookup = lookups.get(config);
  if (!lookup) lookups.set(config, (lookup = priceLookup(config)));
  return lookup;
}

type Tokens = Pick<UsageEvent, 'input_tokens' | 'output_tokens' | 'cache_read_tokens' | 'cache_write_tokens'>;

/** The rates one request pays: the long-context ones when its whole input is over their threshold. */
export function ratesFor(e: Tokens, price: Price): Rates {
  const lc = price.longContext;
  if (!lc) return price;
  const input = (e.input_tokens ?? 0) + (e.cache_read_tokens ?? 0) + (e.cache_write_tokens ?? 0);
  return input > lc.above ? lc : price;
}

/**
 * USD for one usage line (one request), or undefined when the price is unknown. A price without cache rates
 * charges cache reads and writes at the input rate, as a plain input token would be. `totals`: the tokens are a
 * sum of many requests, whose lengths are gone, so the base rates apply (docs/ledger.md: such sums are only made
 * for lines written before lines carried their cost).
 */
export function usageCost(e: Tokens, price: Price | undefined, totals = false): number | undefined {
  if (!price) return undefined;
  const r = totals ? price : ratesFor(e, price);
  const cacheRead = (e.cache_read_tokens ?? 0) * (r.cacheRead ?? r.input);
  const cacheWrite = (e.cache_write_tokens ?? 0) * (r.cacheWrite ?? r.input);
  return ((e.input_tokens ?? 0) * r.input + (e.output_tokens ?? 0) * r.output + cacheRead + cacheWrite) / 1e6;
}

/**
 * What cache reads saved against paying the input rate for the same tokens (USD): 0 for a price with no cache-read
 * rate (nothing is claimed), undefined when the price is unknown.
 */
export function cacheSavings(e: Tokens, price: Price | undefined, totals = false): number | undefined {
  if (!price) return undefined;
  const r = totals ? price : ratesFor(e, price);
  if (r.cacheRead === undefined) return 0;
  return ((e.cache_read_tokens ?? 0) * Math.max(0, r.input - r.cacheRead)) / 1e6;
}

/** The `cost_usd` a usage line carries: rounded to a billionth of a dollar; absent (undefined) when unpriced. */
export function lineCost(e: Tokens, price: Price | undefined): number | undefined {
  const cost = usageCost(e, price);
  return cost === undefined ? undefined : Math.round(cost * 1e9) / 1e9;
}

/** The recorded cost of a line when it carries a usable one (a finite number ≥ 0); anything else counts as absent. */
export function recordedCost(e: { cost_usd?: unknown }): number | undefined {
  const c = e.cost_usd;
  return typeof c === 'number' && Number.isFinite(c) && c >= 0 ? c : undefined;
}
