// Token usage as Anthropic reports it, the one in-memory shape of the four counts: message_start sets
// it, message_delta replaces what it carries (counts are running totals, not increments), a
// non-streaming message has it whole. The ledger's `usage` line names them its own way on disk.

import type { Usage } from './types.ts';

/** Anthropic's usage with every count present. */
export type TokenUsage = { [K in keyof Usage]-?: number };

export function emptyUsage(): TokenUsage {
  return { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
}

/** Applies a usage object from message_start, message_delta or a whole message onto `into`. */
export function applyUsage(into: TokenUsage, usage: Partial<Usage> | undefined | null): void {
  if (!usage) return;
  if (typeof usage.input_tokens === 'number') into.input_tokens = usage.input_tokens;
  if (typeof usage.output_tokens === 'number') into.output_tokens = usage.output_tokens;
  if (typeof usage.cache_read_input_tokens === 'number') into.cache_read_input_tokens = usage.cache_read_input_tokens;
  if (typeof usage.cache_creation_input_tokens === 'number') into.cache_creation_input_tokens = usage.cache_creation_input_tokens;
}

/** Usage from one parsed Anthropic event or message; ignores anything else. */
export function applyEventUsage(into: TokenUsage, event: unknown): void {
  if (!event || typeof event !== 'object') return;
  const e = event as { type?: string; usage?: Partial<Usage>; message?: { usage?: Partial<Usage> } };
  if (e.type === 'message_start') applyUsage(into, e.message?.usage);
  else if (e.type === 'message_delta' || e.type === 'message') applyUsage(into, e.usage);
}

/** The usage of a whole Anthropic message (parsed JSON of any shape). */
export function usageOf(message: unknown): TokenUsage {
  const usage = emptyUsage();
  applyEventUsage(usage, message);
  return usage;
}
