// The status line's cost: what has a price is summed, what has none is called "unpriced" (the word `status`,
// `review` and the dashboard use), and nothing without a price is ever shown as $0.
import { describe, expect, it } from 'vitest';
import { renderStatusLine, type LineInput } from '../../proxy/status/statusline-text.ts';
import { emptyUsage } from '../../proxy/review/usage.ts';

const usage = (requests: number, cost: number | null, model: string) => ({
  ...emptyUsage(),
  requests,
  cost_usd: cost,
  unpriced: cost === null ? [model] : [],
  tier: model.split('/')[0],
  model,
});

function line(byModel: ReturnType<typeof usage>[]): string {
  const total = {
    ...emptyUsage(),
    requests: byModel.reduce((n, m) => n + m.requests, 0),
    cost_usd: byModel.some((m) => m.cost_usd === null) ? null : byModel.reduce((n, m) => n + (m.cost_usd ?? 0), 0),
  };
  const tier = (name: string, state: 'active' | 'ready') => ({
    name,
    protocol: 'anthropic',
    model: null,
    state,
    healthy: true,
    cooldown_until: null,
    last_failure: null,
    requests: 0,
    ok: 0,
    failures: 0,
    fallbacks: 0,
  });
  const input: LineInput = {
    tiers: [tier('claude', 'active'), tier('deepseek', 'ready')],
    active_index: 0,
    rate_limits: {},
    today: { date: '2026-12-07', by_model: byModel, total },
    warnings: [],
  };
  return renderStatusLine(input, Date.parse('2026-12-07T12:00:00Z'));
}

describe("the status line's cost today", () => {
  it('sums what is priced', () => {
    expect(line([usage(2, 0.25, 'claude/claude-opus-4-6')])).toContain('today $0.25');
  });
  it('calls a model without a price unpriced, never $0', () => {
    const s = line([usage(3, null, 'deepseek/deepseek-v4-flash')]);
    expect(s).toContain('today unpriced');
    expect(s).not.toContain('$0');
  });
  it('adds "+ unpriced" to what is priced when some models have no price', () => {
    expect(line([usage(2, 0.25, 'claude/claude-opus-4-6'), usage(3, null, 'deepseek/deepseek-v4-flash')])).toContain(
      'today $0.25 + unpriced',
    );
  });
  it('names what each fallback tier cost today, in the same words (unpriced, never $0)', () => {
    const s = line([usage(2, 0.25, 'claude/claude-opus-4-6'), usage(3, null, 'deepseek/deepseek-v4-flash')]);
    expect(s).toContain('today $0.25 + unpriced (deepseek unpriced)');
    expect(line([usage(1, 1, 'claude/claude-opus-4-6'), usage(2, 0.4, 'deepseek/deepseek-v4-pro')])).toContain(
      'today $1.40 (deepseek $0.40)',
    );
    expect(line([usage(1, 1, 'claude/claude-opus-4-6')])).toMatch(/today \$1\.00$/);
  });
});
