// decideRefusal: a lower tier's refusals move on to the next tier; the REFUSAL_STREAK-th of one kind in a
// row also cools the tier down for `cooldown`. refusalKind: what "one kind" is.

import { describe, expect, it } from 'vitest';
import { decideRefusal, REFUSAL_STREAK, refusalKind } from '../../proxy/engine/fallback-policy.ts';

describe('decideRefusal', () => {
  const opts = { now: 1_000_000, cooldownMs: 15 * 60_000 };

  it('tries the next tier without a cooldown for the first two refusals of a kind', () => {
    expect(REFUSAL_STREAK).toBe(3);
    expect(decideRefusal(1, opts)).toEqual({ action: 'return' });
    expect(decideRefusal(2, opts)).toEqual({ action: 'return' });
  });

  it('cools the tier down for `cooldown` from the third on, as a refusal with no reset time', () => {
    const cooled = { action: 'fallback', reason: 'refused', cooldownUntil: opts.now + opts.cooldownMs, hinted: false };
    expect(decideRefusal(3, opts)).toEqual(cooled);
    expect(decideRefusal(7, opts)).toEqual(cooled);
  });
});

describe('refusalKind', () => {
  it('is the status and the error type, not the message', () => {
    expect(refusalKind({ status: 400, type: 'invalid_request_error' })).toBe('400 invalid_request_error');
    expect(refusalKind({ status: 404, type: 'not_found_error' })).not.toBe(refusalKind({ status: 400, type: 'not_found_error' }));
  });
});
