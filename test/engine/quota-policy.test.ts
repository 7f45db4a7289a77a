// `fallback.switch_before` in parts: the config key (errors name the key and line), the pure decision over one
// answer's unified limits, and the tier state's quota cooldown that a later answer with older figures cannot end.

import { describe, expect, it } from 'vitest';
import { parseConfig, type TierConfig } from '../../proxy/config.ts';
import { quotaCrossing } from '../../proxy/engine/quota-policy.ts';
import { createTierState } from '../../proxy/engine/tier-state.ts';
import type { UnifiedLimits } from '../../proxy/status/rate-limits.ts';

const NOW = Date.parse('2026-12-08T02:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

const config = (value: string) =>
  parseConfig(
    `tiers:\n  - name: claude\n    protocol: anthropic\n    base_url: https://api.anthropic.com\nfallback:\n  cooldown: 15m\n  switch_before: ${value}\n`,
    'f.yaml',
    {},
  );

describe('fallback.switch_before in the config', () => {
  it('is off by default, and takes a percentage or allowed_warning', () => {
    const none = parseConfig('tiers:\n  - name: claude\n    protocol: anthropic\n    base_url: https://api.anthropic.com\n', 'f.yaml', {});
    expect(none.fallback.switchBefore).toBeUndefined();
    expect(config('97%').fallback.switchBefore).toEqual({ text: '97%', utilization: 0.97 });
    expect(config('"99.5%"').fallback.switchBefore).toEqual({ text: '99.5%', utilization: 0.995 });
    expect(config('100%').fallback.switchBefore).toEqual({ text: '100%', utilization: 1 });
    expect(config('allowed_warning').fallback.switchBefore).toEqual({ text: 'allowed_warning', status: 'allowed_warning' });
    expect(config('off').fallback.switchBefore).toBeUndefined();
  });

  it.each([
    [
      '0.97',
      'f.yaml:7: fallback.switch_before: 0.97 is not a threshold: write a percentage of the 5-hour or 7-day window (97%) or allowed_warning',
    ],
    ['97', 'f.yaml:7: fallback.switch_before: 97 is not a threshold'],
    ['warning', 'f.yaml:7: fallback.switch_before: "warning" is not a threshold'],
    ['rejected', 'f.yaml:7: fallback.switch_before: "rejected" is not a threshold'],
    ['0%', 'f.yaml:7: fallback.switch_before: 0% is not a possible threshold'],
    ['150%', 'f.yaml:7: fallback.switch_before: 150% is not a possible threshold'],
    ['-5%', 'f.yaml:7: fallback.switch_before: "-5%" is not a threshold'],
  ])('%s is a config error naming the key and its line', (value, message) => {
    expect(() => config(value)).toThrow(message);
  });
});

function limits(p: Partial<UnifiedLimits>): UnifiedLimits {
  return { status: null, five_hour: null, seven_day: null, representative_claim: null, resets_at: null, seen_at: iso(NOW), ...p };
}
const win = (utilization: number, resetIn: number, status?: string) => ({
  utilization,
  resets_at: iso(NOW + resetIn),
  ...(status ? { status } : {}),
});

describe('quotaCrossing', () => {
  const at97 = { text: '97%', utilization: 0.97 };
  const warning = { text: 'allowed_warning', status: 'allowed_warning' as const };

  it('crosses at the threshold, not below it, until that window resets', () => {
    expect(quotaCrossing(limits({ five_hour: win(0.969, 3600_000) }), at97, NOW)).toBeNull();
    expect(quotaCrossing(limits({ five_hour: win(0.97, 3600_000) }), at97, NOW)).toMatchObject({
      window: '5h',
      until: NOW + 3600_000,
      message: "Claude's 5h window at 97%, switch_before 97%",
    });
  });

  it('takes the later reset when both windows crossed', () => {
    const l = limits({ five_hour: win(0.99, 3600_000), seven_day: win(0.98, 50 * 3600_000) });
    expect(quotaCrossing(l, at97, NOW)).toMatchObject({ window: '7d', until: NOW + 50 * 3600_000 });
  });

  it('never leaves for a window whose reset is past, or when the rule is off or there are no limits', () => {
    expect(quotaCrossing(limits({ five_hour: win(1, -1000) }), at97, NOW)).toBeNull();
    expect(quotaCrossing(limits({ five_hour: win(1, 3600_000) }), undefined, NOW)).toBeNull();
    expect(quotaCrossing(null, at97, NOW)).toBeNull();
  });

  it("allowed_warning: the window's own status, or the overall status on the window the representative claim names", () => {
    expect(quotaCrossing(limits({ five_hour: win(0.5, 3600_000), status: 'allowed' }), warning, NOW)).toBeNull();
    expect(quotaCrossing(limits({ seven_day: win(0.5, 7200_000, 'allowed_warning'), status: 'allowed' }), warning, NOW)).toMatchObject({
      window: '7d',
      message: "Claude's 7d window at 50%, status allowed_warning",
    });
    const claimed = limits({
      five_hour: win(0.9, 3600_000),
      seven_day: win(0.95, 7200_000),
      status: 'allowed_warning',
      representative_claim: 'five_hour',
    });
    expect(quotaCrossing(claimed, warning, NOW)).toMatchObject({ window: '5h', until: NOW + 3600_000 });
    // A percentage rule does not read the status.
    expect(quotaCrossing(claimed, at97, NOW)).toBeNull();
  });
});

describe("the tier state's quota cooldown (exhausted)", () => {
  const tiers: TierConfig[] = ['claude', 'gemini'].map((name) => ({ name, protocol: 'anthropic', baseUrl: 'http://127.0.0.1:1' }));

  it('is not ended by a later answer from the same tier (older figures), only by its end, lift() or a failure', () => {
    let now = NOW;
    const state = createTierState(tiers, { now: () => now });
    state.exhausted(0, { reason: 'quota', status: 0, at: now, until: now + 3600_000, message: '5h at 97%' });
    expect(state.plan()).toEqual([1]);
    expect(state.counters[0]).toMatchObject({ failures: 0, fallbacks: 0 }); // an answer, not a failure
    state.healthy(0); // a stream that began before the crossing ends now
    expect(state.plan()).toEqual([1]);
    expect(state.lastFailure[0]).toMatchObject({ reason: 'quota', until: NOW + 3600_000 });
    now += 3600_000;
    expect(state.plan()).toEqual([0, 1]);
    state.healthy(0);
    expect(state.cooldownUntil[0]).toBe(0);

    state.exhausted(0, { reason: 'quota', status: 0, at: now, until: now + 60_000, message: '' });
    state.lift(0); // `claude-fallback retry`
    expect(state.plan()).toEqual([0, 1]);
    state.exhausted(0, { reason: 'quota', status: 0, at: now, until: now + 60_000, message: '' });
    state.cool(0, { reason: 'overloaded', status: 529, at: now, until: now + 1000, message: '' });
    now += 1000;
    state.healthy(0); // the failure's cooldown is an ordinary one again
    expect(state.cooldownUntil[0]).toBe(0);
  });
});
