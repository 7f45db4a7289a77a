// Reading Claude's subscription limits from the anthropic-ratelimit-unified-* headers of one answer.

import { describe, expect, it } from 'vitest';
import { parseSubscriptionLimits } from '../../proxy/dashboard/subscription-limits.ts';

describe('subscription limits', () => {
  it('reads the 5-hour and 7-day windows (a spent fraction, resets in Unix seconds or RFC 3339), the status and the deciding window', () => {
    const l = parseSubscriptionLimits('claude', {
      'anthropic-ratelimit-unified-status': 'allowed',
      'anthropic-ratelimit-unified-representative-claim': 'seven_day',
      'anthropic-ratelimit-unified-5h-utilization': '0.42',
      'anthropic-ratelimit-unified-5h-reset': '1790000000',
      'anthropic-ratelimit-unified-7d-utilization': '0.3',
      'anthropic-ratelimit-unified-7d-reset': '2026-09-23T05:25:11Z',
      'anthropic-ratelimit-requests-remaining': '49',
      'content-type': 'text/event-stream',
    }, Date.parse('2026-09-18T00:00:00Z'));
    expect(l).toEqual({
      tier: 'claude',
      at: '2026-09-18T00:00:00.000Z',
      status: 'allowed',
      resets_at: null,
      representative_claim: 'seven_day',
      five_hour: { utilization: 0.42, resets_at: new Date(1790000000 * 1000).toISOString(), status: null },
      seven_day: { utilization: 0.3, resets_at: '2026-09-23T05:25:11.000Z', status: null },
      raw: {
        status: 'allowed',
        'representative-claim': 'seven_day',
        '5h-utilization': '0.42',
        '5h-reset': '1790000000',
        '7d-utilization': '0.3',
        '7d-reset': '2026-09-23T05:25:11Z',
      },
    });
  });

  it('keeps headers it does not know as they came, and is null for an answer without any (an API-key login)', () => {
    const l = parseSubscriptionLimits('claude', { 'anthropic-ratelimit-unified-overage-status': 'rejected', 'anthropic-ratelimit-unified-5h-utilization': 'n/a' });
    expect(l?.raw).toEqual({ 'overage-status': 'rejected', '5h-utilization': 'n/a' });
    expect(l?.five_hour).toEqual({ utilization: null, resets_at: null, status: null });
    expect(l?.seven_day).toBeNull();
    expect(parseSubscriptionLimits('claude', { 'anthropic-ratelimit-tokens-remaining': '10', 'retry-after': '3' })).toBeNull();
  });
});
