// Token usage as Anthropic reports it: message_start sets it, message_delta replaces what it carries
// (counts are running totals, not increments), a non-streaming message has it whole.

import type { Usage } from './types.ts';

export type TokenUsage = { input: number; output: number; cacheRead: number; cacheWrite: number };

export function emptyUsage(): TokenUsage {
  return { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
}

/** Applies a usage object from message_start, message_delta or a whole message onto `into`. */
export function applyUsage(into: TokenUsage, usage: Partial<Usage> | undefined | null): void {
  if (!usage) return;
  if (typeof usage.input_tokens === 'number') into.input = usage.input_tokens;
  if (typeof usage.output_tokens === 'number') into.output = usage.output_tokens;
  if (typeof usage.cache_read_input_tokens === 'number') into.cacheRead = usage.cache_read_input_tokens;
  if (typeof usage.cache_creation_input_tokens === 'number') into.cacheWrite = usage.cache_creation_input_tokens;
}

/** Usage from one parsed Anthropic event or message; ignores anything else. */
export function applyEventUsage(into: TokenUsage, event: unknown): void {
  if (!event || typeof event !== 'object') return;
  const e = event as { type?: string; usage?: Partial<Usage>; message?: { usage?: Partial<Usage> } };
  if (e.type === 'message_start') applyUsage(into, e.message?.usage);
  else if (e.type === 'message_delta' || e.type === 'message') applyUsage(into, e.usage);
}
