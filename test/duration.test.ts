// The one duration formatter (logs, notifications, status, review): two units at most, days past 48 hours.

import { describe, expect, it } from 'vitest';
import { formatDuration } from '../proxy/duration.ts';

describe('formatDuration', () => {
  it.each([
    [-5_000, '0ms'],
    [0, '0ms'],
    [850, '850ms'],
    [42_000, '42s'],
    [90_000, '1m 30s'],
    [15 * 60_000, '15m'],
    [899_999, '15m'],
    [3_900_000, '1h 5m'],
    [2 * 3_600_000, '2h'],
    [47 * 3_600_000 + 59 * 60_000, '47h 59m'],
    [48 * 3_600_000, '2d'],
    [76 * 3_600_000, '3d 4h'],
    [24 * 86_400_000, '24d'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
