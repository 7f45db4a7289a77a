// The fallback decision: return, wait on the same tier, or fall back with a cooldown.

import { describe, expect, it } from 'vitest';
import { decideFailure } from '../../proxy/engine/fallback-policy.ts';
import { parseAnthropicError, rateLimitReset } from '../../proxy/providers/anthropic/anthropic-error.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const now = 1_800_000_000_000;
const opts = { now, maxWaitMs: 10_000, cooldownMs: 900_000, ownKey: false, retried: false };
const fixtures = join(import.meta.dirname, '..', 'fixtures');

describe('decideFailure', () => {
  it('waits out a retry-after up to max_wait once, then falls back', () => {
    const err = { status: 429, type: 'rate_limit_error' as const, message: '', retryAfterMs: 3000 };
    expect(decideFailure(err, opts)).toEqual({ action: 'retry', waitMs: 3000 });
    expect(decideFailure(err, { ...opts, retried: true })).toMatchObject({
      action: 'fallback',
      reason: 'rate_limit',
      cooldownUntil: now + 3000,
    });
  });

  it('cools a tier down until the reset time when the hint is longer than max_wait', () => {
    const err = { status: 429, type: 'rate_limit_error' as const, message: '', resetAt: now + 3 * 3600_000 };
    expect(decideFailure(err, opts)).toEqual({ action: 'fallback', reason: 'rate_limit', cooldownUntil: now + 3 * 3600_000, hinted: true });
  });

  it('uses the configured cooldown without any hint, and at least that for a permanent quota', () => {
    expect(decideFailure({ status: 529, type: 'overloaded_error', message: '' }, opts)).toMatchObject({
      reason: 'overloaded',
      cooldownUntil: now + 900_000,
    });
    expect(decideFailure({ status: 429, type: 'rate_limit_error', message: '', retryAfterMs: 1000, permanent: true }, opts)).toMatchObject({
      reason: 'billing',
      cooldownUntil: now + 900_000,
    });
  });

  it.each([
    [{ status: 500, type: 'api_error' }, 'server_error'],
    [{ status: 502, type: 'api_error' }, 'server_error'],
    [{ status: 504, type: 'timeout_error' }, 'server_error'],
    [{ status: 402, type: 'billing_error' }, 'billing'],
    [{ status: 400, type: 'invalid_request_error', permanent: true }, 'billing'],
    [{ status: 0, type: 'timeout_error', transport: 'timeout' }, 'timeout'],
    [{ status: 0, type: 'api_error', transport: 'network' }, 'network'],
  ] as const)('falls back on %j as %s', (err, reason) => {
    expect(decideFailure({ message: '', ...err }, opts)).toMatchObject({ action: 'fallback', reason });
  });

  it.each([400, 401, 403, 404, 413, 422])('returns a %i to the client when it used its own credentials', (status) => {
    expect(decideFailure({ status, type: 'invalid_request_error', message: '' }, opts)).toEqual({ action: 'return' });
  });

  it("skips a tier whose own key is refused instead of showing Claude Code someone else's 401", () => {
    expect(decideFailure({ status: 401, type: 'authentication_error', message: '' }, { ...opts, ownKey: true })).toMatchObject({
      action: 'fallback',
    });
  });

  it('cools down at most 7 days whatever the hint or the configured cooldown', () => {
    const week = 7 * 24 * 3600 * 1000;
    for (const hint of [
      { retryAfterMs: 99999999999999 * 1000 },
      { retryAfterMs: Infinity },
      { resetAt: 1.7e21 },
      { resetAt: 253402300799000 },
    ]) {
      const d = decideFailure({ status: 429, type: 'rate_limit_error', message: '', ...hint }, opts);
      expect(d).toMatchObject({ action: 'fallback', cooldownUntil: now + week, hinted: true });
    }
    expect(
      decideFailure({ status: 529, type: 'overloaded_error', message: '' }, { ...opts, cooldownMs: 400 * 24 * 3600 * 1000 }),
    ).toMatchObject({ cooldownUntil: now + week });
    expect(decideFailure({ status: 429, type: 'rate_limit_error', message: '', resetAt: now - 5000 }, opts)).toEqual({
      action: 'retry',
      waitMs: 0,
    });
  });
});

describe('parseAnthropicError', () => {
  it('reads the 429 fixture: type, retry-after and the exhausted bucket reset', () => {
    const { headers } = JSON.parse(readFileSync(join(fixtures, 'anthropic-429.headers.json'), 'utf8')) as {
      headers: Record<string, string>;
    };
    const err = parseAnthropicError(429, headers, readFileSync(join(fixtures, 'anthropic-429.json'), 'utf8'));
    expect(err).toMatchObject({
      status: 429,
      type: 'rate_limit_error',
      retryAfterMs: 23_000,
      resetAt: Date.parse(headers['anthropic-ratelimit-input-tokens-reset']),
    });
    expect(err.permanent).toBeUndefined();
  });

  it('marks spend limits permanent: the monthly cap 429, the workspace-limit 400, credit balance', () => {
    const cap = JSON.stringify({
      type: 'error',
      error: { type: 'rate_limit_error', message: 'x', details: { error_code: 'enforced_spend_limit_reached' } },
    });
    expect(parseAnthropicError(429, {}, cap).permanent).toBe(true);
    const ws = JSON.stringify({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        message: 'You have reached your specified API usage limits. You will regain access on 2026-12-01.',
      },
    });
    expect(parseAnthropicError(400, {}, ws).permanent).toBe(true);
    const credit = JSON.stringify({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'Your credit balance is too low to access the Anthropic API.' },
    });
    expect(parseAnthropicError(400, {}, credit).permanent).toBe(true);
    const wrong = JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: must be positive' } });
    expect(parseAnthropicError(400, {}, wrong).permanent).toBeUndefined();
  });

  it('reads retry-after as seconds, and the subscription reset as Unix seconds', () => {
    expect(parseAnthropicError(429, { 'retry-after': '7' }, '').retryAfterMs).toBe(7000);
    expect(rateLimitReset({ 'anthropic-ratelimit-unified-reset': String((now + 5 * 3600_000) / 1000) }, now)).toBe(now + 5 * 3600_000);
  });

  it('keeps a status-derived type for a body that is not JSON', () => {
    expect(parseAnthropicError(529, {}, '<html>')).toMatchObject({ type: 'overloaded_error', message: '<html>' });
  });
});
