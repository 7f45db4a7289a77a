// The status line with `fallback.switch_before`: the active tier's limits say where they lead (`→ gemini at 97%`), to
// the next tier that is not cooling down; without the key, or with no tier after the active one, the line is as before.
import { describe, expect, it } from 'vitest';
import { renderStatusLine, type LineInput } from '../../proxy/status/statusline-text.ts';
import { emptyUsage } from '../../proxy/review/usage.ts';

const NOW = Date.parse('2026-12-07T12:00:00Z');
const limits = {
  status: 'allowed',
  five_hour: { utilization: 0.914, resets_at: new Date(NOW + 3600_000).toISOString() },
  seven_day: { utilization: 0.4, resets_at: new Date(NOW + 90 * 3600_000).toISOString() },
  representative_claim: 'five_hour',
  resets_at: null,
  seen_at: new Date(NOW).toISOString(),
};

function line(opts: { switchBefore?: string | null; active?: number; cooling?: string[] }): string {
  const input: LineInput = {
    tiers: ['claude', 'gemini', 'deepseek'].map((name) => ({
      name,
      cooldown_until: opts.cooling?.includes(name) ? new Date(NOW + 600_000).toISOString() : null,
      last_failure: opts.cooling?.includes(name) ? { reason: 'rate_limit', status: 429, at: new Date(NOW).toISOString() } : null,
    })),
    active_index: opts.active ?? 0,
    rate_limits: { claude: limits },
    switch_before: opts.switchBefore,
    today: { date: '2026-12-07', by_model: [], total: { ...emptyUsage(), cost_usd: 0 } },
    warnings: [],
  };
  return renderStatusLine(input, NOW);
}

describe('the status line before a quota switch', () => {
  it('shows the quota state and where it leads', () => {
    expect(line({ switchBefore: '97%' })).toBe('claude · 5h 91% 7d 40% → gemini at 97% · today $0.00');
    expect(line({ switchBefore: 'allowed_warning' })).toBe('claude · 5h 91% 7d 40% → gemini at warning · today $0.00');
  });
  it('names the next tier that is not cooling down', () => {
    expect(line({ switchBefore: '97%', cooling: ['gemini'] })).toContain('5h 91% 7d 40% → deepseek at 97%');
  });
  it('is as before without switch_before, and for a tier that is not the active one', () => {
    expect(line({})).toBe('claude · 5h 91% 7d 40% · today $0.00');
    expect(line({ switchBefore: null })).toBe('claude · 5h 91% 7d 40% · today $0.00');
    expect(line({ switchBefore: '97%', active: 1, cooling: ['claude'] })).toMatch(/ · claude 5h 91% 7d 40% · today \$0\.00$/);
  });
});
