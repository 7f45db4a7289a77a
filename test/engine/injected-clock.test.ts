// State decisions outside the tier state read its clock too: the switch line's retry_at and the flap
// hold in the switcher, and cooling/ready in the dashboard's view. The clock here is years from real time,
// so any Date.now() left on those paths gives a different answer.

import { describe, expect, it } from 'vitest';
import { createTierState } from '../../proxy/engine/tier-state.ts';
import { createSwitcher } from '../../proxy/switcher.ts';
import { nowView } from '../../proxy/dashboard/now.ts';
import { createRun } from '../../proxy/run/run.ts';
import { parseConfig } from '../../proxy/config.ts';
import type { LedgerInput, LedgerWriter } from '../../proxy/git/ledger.ts';

const T = Date.parse('2020-01-01T00:00:00Z');
const config = parseConfig(
  'tiers:\n  - name: a\n    protocol: anthropic\n    base_url: https://api.anthropic.com\n  - name: b\n    protocol: openai\n    base_url: http://127.0.0.1:1/v1\n    api_key: k\n    model: m\n',
  'f.yaml',
  {},
);

function setup() {
  let now = T;
  const state = createTierState(config.tiers, { now: () => now });
  const lines: LedgerInput[] = [];
  const ledger: LedgerWriter = {
    path: '/dev/null',
    append: async (input) => {
      lines.push(input);
      return { ...input, ts: new Date(now).toISOString() } as never;
    },
    flushed: async () => {},
    close: async () => {},
  };
  const switcher = createSwitcher({
    state,
    ledger,
    repo: '/nonexistent',
    git: config.git,
    autoCommit: async () => ({ commit: null, tag: null }),
    log() {},
  });
  return { state, switcher, lines, move: (ms: number) => (now += ms) };
}

describe('the injected clock decides', () => {
  it("the switch line's retry_at: the cooldown end as the tier state's clock sees it", async () => {
    const { state, switcher, lines } = setup();
    state.cool(0, { reason: 'rate_limit', status: 429, at: T, until: T + 60_000, message: '429' });
    await switcher.ensureActive(1);
    expect(lines[0]).toMatchObject({
      kind: 'switch',
      from: 'a',
      to: 'b',
      reason: 'rate_limit',
      retry_at: new Date(T + 60_000).toISOString(),
    });
  });

  it('the flap hold: a failure soon after the switch back, by that clock, holds the tier off', async () => {
    const { state, switcher, move } = setup();
    await switcher.ensureActive(1, 'manual');
    await switcher.ensureActive(0); // recovered, at T
    move(1_000);
    state.cool(0, { reason: 'rate_limit', status: 429, at: T + 1_000, until: T + 1_000, message: '429' });
    await switcher.ensureActive(1);
    expect(state.cooldownUntil[0]).toBe(T + 1_000 + 30_000);
  });

  it("the Run's snapshot (the dashboard's tier view, /status, the status line): cooling until the clock passes the cooldown end", () => {
    let now = T;
    const run = createRun({ config, repo: '/r', ledgerPath: '/dev/null', log() {}, clock: { now: () => now }, inFlight: () => 0 });
    run.state.cool(1, { reason: 'overloaded', status: 529, at: T, until: T + 60_000, message: '529' });
    const view = () => nowView(run.snapshot());
    expect(view().tiers[1]).toMatchObject({ state: 'cooling', cooldown_until: new Date(T + 60_000).toISOString() });
    now += 60_000;
    expect(view().tiers[1]).toMatchObject({ state: 'ready', cooldown_until: null });
    run.close();
  });
});
