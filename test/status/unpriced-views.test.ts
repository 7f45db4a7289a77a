// One wording for a cost without a price, in every view of the same usage: `review --costs`, `claude-fallback
// status`, the status line (and the dashboard, test/dashboard/api.test.ts): "unpriced", with money.ts's one note
// naming the model, and never $0. Cache savings beside the cost, "unpriced" too when they cannot be priced.

import { describe, expect, it } from 'vitest';
import { Chalk } from 'chalk';
import { parseConfig } from '../../proxy/config.ts';
import { createRun } from '../../proxy/run/run.ts';
import { renderStatus } from '../../proxy/cli/status.ts';
import { renderCosts } from '../../proxy/review/render.ts';
import { costs } from '../../proxy/review/costs.ts';
import { priceLookup, PRICES_READ_ON } from '../../proxy/prices.ts';
import { unpricedNote } from '../../proxy/money.ts';
import type { UsageEvent } from '../../proxy/git/ledger.ts';
import type { ProxyFile } from '../../proxy/cli/proxy-file.ts';

const config = parseConfig(
  'tiers:\n  - name: claude\n    protocol: anthropic\n    base_url: https://api.anthropic.com\n  - name: ds\n    protocol: openai\n    base_url: http://127.0.0.1:1/v1\n    api_key: k\n    model: deepseek-v4-flash\n',
  'f.yaml',
  {},
);

describe('an unpriced model in every view', () => {
  it('is "unpriced" with the same note in review --costs and status, and in the status line, never $0', () => {
    const now = Date.now();
    const ts = new Date(now).toISOString();
    const lines: UsageEvent[] = [
      // Opus 4.6: 1M input at $5, 1M cache reads at $0.50 (saving $4.50); its cost recorded when written.
      {
        ts,
        kind: 'usage',
        tier: 'claude',
        model: 'claude-opus-4-6',
        input_tokens: 1e6,
        output_tokens: 0,
        cache_read_tokens: 1e6,
        cache_write_tokens: 0,
        ms: 1,
        stream: true,
        cost_usd: 5.5,
      },
      {
        ts,
        kind: 'usage',
        tier: 'ds',
        model: 'deepseek-v4-flash',
        input_tokens: 1e6,
        output_tokens: 0,
        cache_read_tokens: 0,
        cache_write_tokens: 0,
        ms: 1,
        stream: true,
      },
    ];
    const note = unpricedNote(['ds/deepseek-v4-flash'], PRICES_READ_ON);
    const c = new Chalk({ level: 0 });

    const review = renderCosts(costs(lines, {}, priceLookup(config)), c);
    expect(review).toContain(note);
    expect(review).toMatch(/\bds\b.*\bunpriced\b/);
    expect(review).toMatch(/claude .*\$5\.50 +\$4\.50/);

    const run = createRun({ config, repo: '/r', ledgerPath: '/dev/null', log() {}, clock: { now: () => now }, inFlight: () => 0 });
    for (const l of lines) run.events.emit({ type: 'usage', line: l });
    const snap = run.snapshot();
    run.close();
    const proxy = { pid: 1, url: 'http://127.0.0.1:1', log: null } as unknown as ProxyFile;
    const status = renderStatus(proxy, snap, now);
    expect(status).toContain(note);
    expect(status).toMatch(/ds\/deepseek-v4-flash .*unpriced/);
    expect(status).toMatch(/claude\/claude-opus-4-6 .*\$5\.50 +\$4\.50/);

    expect(snap.statusline).toContain('today $5.50 + unpriced (ds unpriced)');
    for (const text of [review, status, snap.statusline]) expect(text).not.toMatch(/\$0(?![.\d])/);
  });
});
