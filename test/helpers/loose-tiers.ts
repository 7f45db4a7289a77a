// startHarness with tier keys the harness type does not list (headers, schema, credentials), so the
// security tests can write any configuration a user could.

import { startHarness, type Harness, type HarnessOptions, type TierSpec } from './harness.ts';

export type LooseTier = TierSpec & Record<string, unknown>;

export function startLooseHarness(opts: Omit<HarnessOptions, 'tiers'> & { tiers: LooseTier[] }): Promise<Harness> {
  return startHarness(opts as HarnessOptions);
}

/** A JSON messages request of Claude Code's shape. */
export const ASK = { model: 'claude-sonnet-4-6', max_tokens: 100, messages: [{ role: 'user' as const, content: 'hi' }] };
