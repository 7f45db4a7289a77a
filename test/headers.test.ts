// The one reader of response headers every upstream and notification target shares.

import { describe, expect, it } from 'vitest';
import { header, resetDurationMs, resetTimeMs, retryAfterMs } from '../proxy/headers.ts';

const now = 1_800_000_000_000;

describe('header', () => {
  it('finds a header whatever the case of its name, and takes the first of a repeated one', () => {
    expect(header({ 'Retry-After': '7' }, 'retry-after')).toBe('7');
    expect(header({ 'x-a': ['1', '2'] }, 'X-A')).toBe('1');
    expect(header({ 'x-a': undefined, 'X-A': '3' }, 'x-a')).toBe('3');
    expect(header({}, 'x-a')).toBeUndefined();
  });
});

describe('retryAfterMs', () => {
  it('prefers retry-after-ms, then retry-after as seconds or as an HTTP date', () => {
    expect(retryAfterMs({ 'retry-after-ms': '250', 'retry-after': '7' })).toBe(250);
    expect(retryAfterMs({ 'retry-after': '7' })).toBe(7000);
    expect(retryAfterMs({ 'retry-after': '1.5' })).toBe(1500);
    expect(retryAfterMs({ 'retry-after': new Date(now + 60_000).toUTCString() }, now)).toBe(60_000);
    expect(retryAfterMs({ 'retry-after': new Date(now - 60_000).toUTCString() }, now)).toBe(0);
  });

  it('says nothing for an empty, negative or unreadable value', () => {
    expect(retryAfterMs({})).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': '' })).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': '-3' })).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': 'soon' })).toBeUndefined();
    expect(retryAfterMs({ 'retry-after-ms': 'x', 'retry-after': '2' })).toBe(2000);
  });
});

describe('bounded hints (issue 19 item 5)', () => {
  const WEEK = 7 * 24 * 3600 * 1000;
  it('clamps a retry hint to a week and ignores a negative, NaN, exponent or garbage one', () => {
    expect(retryAfterMs({ 'retry-after': '99999999999999999999' })).toBe(WEEK);
    expect(retryAfterMs({ 'retry-after-ms': '1e300' })).toBeUndefined();
    expect(retryAfterMs({ 'retry-after-ms': '99999999999999999999' })).toBe(WEEK);
    expect(retryAfterMs({ 'retry-after': 'Fri, 31 Dec 9999 23:59:59 GMT' }, now)).toBe(WEEK);
    for (const v of ['-5', 'NaN', 'Infinity', '1e400', 'foo 12', '0x10']) expect(retryAfterMs({ 'retry-after': v }, now)).toBeUndefined();
  });

  it('reads a reset as Unix seconds or RFC 3339, at most a week ahead, never a time Date refuses', () => {
    expect(resetTimeMs(String((now + 3_600_000) / 1000), now)).toBe(now + 3_600_000);
    expect(resetTimeMs(new Date(now + 60_000).toISOString(), now)).toBe(now + 60_000);
    expect(resetTimeMs('99999999999999999999', now)).toBe(now + WEEK);
    expect(resetTimeMs(String(BigInt(now) * 1_000_000n), now)).toBe(now + WEEK); // nanoseconds
    expect(resetTimeMs('+275760-09-13T00:00:00.001Z', now)).toBeUndefined();
    expect(resetTimeMs('9999-12-31T23:59:59Z', now)).toBe(now + WEEK);
    for (const v of [undefined, '', '-5', 'NaN', '1e400', 'soon, probably 12', 'Fri, 31 Dec 9999'])
      expect(resetTimeMs(v, now)).toBeUndefined();
  });

  it('reads a reset duration as seconds or 6m0s, at most a week, and ignores a negative or garbage one', () => {
    expect(resetDurationMs('1.5')).toBe(1500);
    expect(resetDurationMs('6m0s')).toBe(360_000);
    expect(resetDurationMs('99999999999h')).toBe(WEEK);
    for (const v of [undefined, '-5', 'NaN', '1e400', 'soon']) expect(resetDurationMs(v)).toBeUndefined();
  });
});
