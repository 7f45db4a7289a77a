// The one reader of response headers every upstream and notification target shares.

import { describe, expect, it } from 'vitest';
import { header, retryAfterMs } from '../proxy/headers.ts';

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
