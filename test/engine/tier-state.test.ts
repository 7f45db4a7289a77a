// The tier state on a clock the test sets: cooldowns end when the clock says so, and every change
// goes through the state's own methods.

import { describe, expect, it } from 'vitest';
import type { TierConfig } from '../../proxy/config.ts';
import { createTierState } from '../../proxy/engine/tier-state.ts';

const tiers: TierConfig[] = ['claude', 'gemini', 'deepseek'].map((name) => ({
  name,
  protocol: 'anthropic',
  baseUrl: 'http://127.0.0.1:1',
}));

describe('tier state', () => {
  it('leaves a cooling tier out of the plan until its clock passes the cooldown, then tries it first again', () => {
    let now = 1_000_000;
    const state = createTierState(tiers, { now: () => now });
    state.cool(0, { reason: 'rate_limit', status: 429, at: now, until: now + 60_000, message: 'limited' });
    state.activate(1);
    expect(state.plan()).toEqual([1, 2]);
    expect(state.ready(0)).toBe(false);
    now += 60_000;
    expect(state.plan()).toEqual([0, 1, 2]);
    expect(state.counters[0]).toMatchObject({ failures: 1, fallbacks: 1 });
  });

  it('tries every tier in order when every tier cools down (the one expected back first may be down for an hour)', () => {
    const now = 5_000;
    const state = createTierState(tiers, { now: () => now });
    [30, 10, 20].forEach((s, i) => state.cool(i, { reason: 'overloaded', status: 529, at: now, until: now + s * 1000, message: '' }));
    expect(state.plan()).toEqual([0, 1, 2]);
  });

  it('counts attempts and answers, ends a cooldown on success, and refuses a tier that does not exist', () => {
    const state = createTierState(tiers, { now: () => 0 });
    state.attempted(2);
    state.cool(2, { reason: 'timeout', status: 0, at: 0, until: 10, message: '' });
    state.healthy(2);
    expect(state.cooldownUntil[2]).toBe(0);
    expect(state.counters[2]).toMatchObject({ requests: 1, ok: 1 });
    expect(() => state.activate(3)).toThrow(/no tier 3/);
    state.startRun('2026-01-01T00:00:00.000Z');
    expect(state.runStartedAt).toBe('2026-01-01T00:00:00.000Z');
  });

  it('counts a refusal as a failure without a cooldown, keeps the run of one kind, and cools only when told to', () => {
    const now = 1_000;
    const state = createTierState(tiers, { now: () => now });
    const refusal = (until: number) => ({ reason: 'refused' as const, status: 400, at: now, until, message: 'no' });
    state.refused(1, refusal(now), '400 invalid_request_error');
    state.refused(1, refusal(now), '400 invalid_request_error');
    expect(state.refusalStreak(1, '400 invalid_request_error')).toBe(2);
    expect(state.refusalStreak(1, '404 not_found_error')).toBe(0);
    expect(state.ready(1)).toBe(true);
    expect(state.counters[1]).toMatchObject({ failures: 2, fallbacks: 2 });
    expect(state.lastFailure[1]).toMatchObject({ reason: 'refused', status: 400 });
    state.refused(1, refusal(now + 60_000), '400 invalid_request_error');
    expect(state.ready(1)).toBe(false);
    expect(state.cooldownUntil[1]).toBe(now + 60_000);
    expect(state.refusalStreak(1, '400 invalid_request_error')).toBe(3); // goes on through the cooldown
    state.refused(1, refusal(now), '404 not_found_error');
    expect(state.refusalStreak(1, '404 not_found_error')).toBe(1); // another kind starts a new run
    expect(state.cooldownUntil[1]).toBe(now + 60_000); // and does not shorten the cooldown
  });

  it('ends a run of refusals when the tier answers or fails otherwise', () => {
    const state = createTierState(tiers, { now: () => 0 });
    const refusal = { reason: 'refused' as const, status: 400, at: 0, until: 0, message: '' };
    state.refused(2, refusal, 'k');
    state.healthy(2);
    expect(state.refusalStreak(2, 'k')).toBe(0);
    state.refused(2, refusal, 'k');
    state.cool(2, { reason: 'server_error', status: 500, at: 0, until: 10, message: '' });
    expect(state.refusalStreak(2, 'k')).toBe(0);
  });
});
