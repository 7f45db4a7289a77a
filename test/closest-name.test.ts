// "Did you mean" hints: the closest known name to a mistyped one, and none when nothing is close.
import { describe, expect, it } from 'vitest';
import { closestName, editDistance } from '../proxy/closest-name.ts';

describe('closestName', () => {
  const tiers = ['claude', 'gemini-flash', 'deepseek'];
  it('finds a name with a letter missing, extra or changed, or typed as a prefix', () => {
    expect(closestName('claud', tiers)).toBe('claude');
    expect(closestName('claudee', tiers)).toBe('claude');
    expect(closestName('deepseak', tiers)).toBe('deepseek');
    expect(closestName('gemini', tiers)).toBe('gemini-flash');
    expect(closestName('CLAUDE', tiers)).toBe('claude');
  });
  it('suggests nothing for a name unlike any', () => {
    expect(closestName('openai', tiers)).toBeNull();
    expect(closestName('x', tiers)).toBeNull();
  });
  it('counts edits', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});
