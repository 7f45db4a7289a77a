// The Run (proxy/run/run.ts): every ledger line it writes is also a typed event, tier changes and subscription
// limits are events, and one snapshot answers what the tiers look like (GET /status, the dashboard, the status line
// and `claude-fallback status` read that one shape). The status line in the run file follows the events.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../proxy/config.ts';
import { createRun, type Run } from '../../proxy/run/run.ts';
import { holdRun } from '../../proxy/run/run-hold.ts';
import { parseRunFile } from '../../proxy/run/run-file.ts';
import { stampOf } from '../../proxy/git/run-tag.ts';
import type { RunEvent } from '../../proxy/run/events.ts';

const YAML =
  'proxy:\n  port: 0\ntiers:\n  - name: claude\n    protocol: anthropic\n    base_url: http://127.0.0.1:9\n  - name: deepseek\n    protocol: anthropic\n    base_url: http://127.0.0.1:9\n    api_key: k\ngit:\n  auto_commit: false\n';
const runs: Run[] = [];
afterEach(() => {
  while (runs.length) runs.pop()!.close();
});

function makeRun(withHold = false): { run: Run; events: RunEvent[]; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'run-'));
  const log = () => {};
  const run = createRun({
    config: parseConfig(YAML, 'f.yaml', {}),
    repo: dir,
    ledgerPath: join(dir, 'model-ledger'),
    log,
    inFlight: () => 0,
    hold: withHold ? holdRun(dir, log) : undefined,
  });
  runs.push(run);
  const events: RunEvent[] = [];
  run.events.on((e) => events.push(e));
  return { run, events, dir };
}

describe('the Run', () => {
  it('emits each ledger line it writes as its typed event, once written', async () => {
    const { run, events } = makeRun();
    const start = await run.ledger.append({ kind: 'start', active: 'claude', tiers: ['claude', 'deepseek'], pid: process.pid, port: 1 });
    const sw = await run.ledger.append({ kind: 'switch', from: 'claude', to: 'deepseek', reason: 'rate_limit', status: 429 });
    expect(events.filter((e) => e.type !== 'tiers')).toEqual([
      { type: 'ledger', line: start },
      { type: 'switch', line: sw },
    ]);
  });

  it('counts a usage line when it is appended, before its write, so the next request already sees it', async () => {
    const { run, events } = makeRun();
    const written = run.ledger.append({
      kind: 'usage',
      tier: 'deepseek',
      model: 'deepseek-v4-flash',
      input_tokens: 10,
      output_tokens: 2,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
      ms: 5,
      stream: true,
    });
    // Synchronously, before the write resolves: the event and today's usage have it.
    expect(events.filter((e) => e.type === 'usage')).toHaveLength(1);
    expect(run.snapshot().today.total.requests).toBe(1);
    const line = await written;
    expect(events.find((e) => e.type === 'usage')).toEqual({ type: 'usage', line });
    expect(readFileSync(run.ledger.path, 'utf8')).toBe(JSON.stringify(line) + '\n');
  });

  it('emits a tiers event when a tier cools down or is lifted, and the snapshot shows it', () => {
    const { run, events } = makeRun();
    const now = run.state.clock.now();
    run.state.cool(0, { reason: 'rate_limit', status: 429, at: now, until: now + 60_000, message: 'limit' });
    expect(events.at(-1)).toEqual({ type: 'tiers' });
    const snap = run.snapshot();
    expect(snap.tiers[0]).toMatchObject({
      name: 'claude',
      state: 'active',
      healthy: false,
      cooldown_until: new Date(now + 60_000).toISOString(),
      last_failure: { reason: 'rate_limit', status: 429 },
    });
    run.state.lift(0);
    expect(run.snapshot().tiers[0]).toMatchObject({ healthy: true, cooldown_until: null });
  });

  it('explains the active tier from the switch it emitted, and renders the status line from the same snapshot', async () => {
    const { run } = makeRun();
    const now = run.state.clock.now();
    run.state.cool(0, { reason: 'rate_limit', status: 429, at: now, until: now + 60_000, message: 'limit' });
    run.state.activate(1);
    await run.ledger.append({ kind: 'switch', from: 'claude', to: 'deepseek', reason: 'rate_limit', status: 429 });
    const snap = run.snapshot();
    expect(snap.activation).toMatchObject({ tier: 'deepseek', reason: 'rate_limit', status: 429, from: 'claude' });
    expect(snap.statusline).toMatch(/^deepseek \(fallback: claude rate limit 429, back ~\d\d:\d\d\) · today \$0\.00$/);
  });

  it('keeps the status line in the run file from its events once started, and removes the file at close', async () => {
    const { run, dir } = makeRun(true);
    run.hold!.listening({ port: 1, host: '127.0.0.1', url: 'http://127.0.0.1:1', worktree: dir, started: new Date().toISOString() });
    await run.started();
    const file = () => parseRunFile(readFileSync(join(dir, 'fallback-proxy.run'), 'utf8'));
    expect(file()?.statusline).toBe('claude · today $0.00');
    run.state.activate(1);
    await run.ledger.append({ kind: 'switch', from: 'claude', to: 'deepseek', reason: 'manual' });
    for (let i = 0; i < 50 && !file()?.statusline?.startsWith('deepseek'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(file()?.statusline).toBe('deepseek (fallback: claude switched, tried again on the next request) · today $0.00');
    run.close();
    expect(() => readFileSync(join(dir, 'fallback-proxy.run'))).toThrow(/ENOENT/);
  });

  it('writes the active run (tier, run stamp, first tier, port) on line 4 of the run file at start and at once on every switch', async () => {
    const { run, dir } = makeRun(true);
    const file = () => parseRunFile(readFileSync(join(dir, 'fallback-proxy.run'), 'utf8'));
    const started = await run.ledger.append({
      kind: 'start',
      active: 'claude',
      tiers: ['claude', 'deepseek'],
      pid: process.pid,
      port: 8123,
    });
    run.hold!.listening({ port: 8123, host: '127.0.0.1', url: 'http://127.0.0.1:8123', worktree: dir, started: started.ts });
    expect(file()?.run).toEqual({ tier: 'claude', stamp: stampOf(Date.parse(started.ts)), first: 'claude', port: 8123 });
    run.state.activate(1);
    const switched = await run.ledger.append({ kind: 'switch', from: 'claude', to: 'deepseek', reason: 'manual' });
    // No wait: the line is there as soon as the switch line is written (the status line is debounced, this is not).
    expect(file()?.run).toEqual({ tier: 'deepseek', stamp: stampOf(Date.parse(switched.ts)), first: 'claude', port: 8123 });
  });
});
