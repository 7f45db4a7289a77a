// A fallback tier with a tiny budget, through the real proxy: once its recorded cost (the usage lines' cost_usd)
// reaches the budget it is not used again this UTC day (the switch away says `reason: budget`, and is notified),
// and after the day ends (the proxy's clock moved on, no waiting) it answers again.

import { afterEach, describe, expect, it, vi } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { startStrictAnthropic } from '../helpers/strict-anthropic.ts';
import { startFakeOpenAI } from '../helpers/fake-openai-compatible.ts';
import { startFakeUpstream } from '../helpers/fake-upstream.ts';
import type { SwitchEvent, UsageEvent } from '../../proxy/git/ledger.ts';
import type { RunSnapshot } from '../../proxy/run/snapshot.ts';
import { budgetPeriod } from '../../proxy/run/budget-period.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

// The OpenAI fake reports 120 prompt and 30 completion tokens for every answer (test/helpers/vendor-sse.ts): at
// $1000 per million either way a request costs $0.15, so a $0.20 budget lasts one request and is passed by the second.
const PER_REQUEST = (120 * 1000 + 30 * 1000) / 1e6;

async function setup(): Promise<{
  h: Harness;
  client: Anthropic;
  cheap: { requests: unknown[] };
  backup: { requests: unknown[] };
  hooks: { requests: { json: unknown }[] };
}> {
  const claude = await startStrictAnthropic({ limited: true, retryAfter: '3600' });
  const cheap = await startFakeOpenAI({ flavor: 'openai', key: 'k-cheap', reply: () => ({ text: 'from cheap' }) });
  const backup = await startFakeOpenAI({ flavor: 'openai', key: 'k-backup', reply: () => ({ text: 'from backup' }) });
  const hooks = await startFakeUpstream(() => ({ kind: 'json', status: 200, body: {} }));
  const h = await startHarness({
    tiers: [
      { name: 'claude', protocol: 'anthropic', base_url: claude.url },
      {
        name: 'cheap',
        protocol: 'openai',
        base_url: `${cheap.url}/v1`,
        api_key: 'k-cheap',
        model: 'cheap-model',
        price: { input: 1000, output: 1000 },
        budget: { amount: 0.2, per: 'day' },
      },
      { name: 'backup', protocol: 'openai', base_url: `${backup.url}/v1`, api_key: 'k-backup', model: 'backup-model' },
    ],
    fallback: { max_wait: '0s' },
    notify: { webhooks: [hooks.url] },
  });
  cleanup.push(
    () => claude.close(),
    () => cheap.close(),
    () => backup.close(),
    () => hooks.close(),
    () => h.close(),
  );
  return { h, client: new Anthropic({ apiKey: 'sk-ant-client', baseURL: h.url, maxRetries: 0 }), cheap, backup, hooks };
}

const ask = async (client: Anthropic): Promise<string> => {
  const m = await client.messages
    .stream({ model: 'claude-sonnet-4-6', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] })
    .finalMessage();
  return m.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
};

const status = async (h: Harness): Promise<RunSnapshot> => (await (await fetch(`${h.url}/status`)).json()) as RunSnapshot;

describe('a tier budget', () => {
  it('stops a fallback tier once its recorded cost passes the budget, and uses it again the next UTC day', async () => {
    const { h, client, cheap, backup, hooks } = await setup();

    expect(await ask(client)).toBe('from cheap'); // claude is limited: the cheap tier answers ($0.15 of $0.20)
    expect(await ask(client)).toBe('from cheap'); // $0.30: the budget is passed
    await h.proxy.ledger.flushed();
    const usage = (await h.settledEvents()).filter((e): e is UsageEvent => e.kind === 'usage');
    expect(usage.map((u) => [u.tier, u.cost_usd])).toEqual([
      ['cheap', PER_REQUEST],
      ['cheap', PER_REQUEST],
    ]);

    // The next request does not reach the cheap tier: the backup answers, and the switch says why.
    expect(await ask(client)).toBe('from backup');
    expect(cheap.requests).toHaveLength(2);
    const events = await h.settledEvents();
    const away = events.filter((e): e is SwitchEvent => e.kind === 'switch').at(-1)!;
    const dayEnd = budgetPeriod('day', h.clock.now()).end;
    expect(away).toMatchObject({ from: 'cheap', to: 'backup', reason: 'budget', retry_at: new Date(dayEnd).toISOString() });
    expect(away).not.toHaveProperty('status'); // no upstream failed
    // The backup has no price: its usage line has no cost (never 0 for unknown).
    expect(events.filter((e): e is UsageEvent => e.kind === 'usage').at(-1)).not.toHaveProperty('cost_usd');

    // GET /status: the budget and the cheap tier held until the day ends; the switch was notified.
    const s = await status(h);
    expect(s.budgets).toEqual([
      expect.objectContaining({ tier: 'cheap', amount: 0.2, per: 'day', reached: true, period_end: new Date(dayEnd).toISOString() }),
    ]);
    expect(s.budgets[0].spent).toBeCloseTo(2 * PER_REQUEST, 9);
    expect(s.tiers[1]).toMatchObject({ state: 'cooling', cooldown_until: new Date(dayEnd).toISOString() });
    expect(s.tiers[1].last_failure).toMatchObject({ reason: 'budget' });
    // Notified twice: when the budget was reached (its ledger line), and at the switch away from the tier.
    await vi.waitFor(() =>
      expect(hooks.requests.map((r) => r.json)).toContainEqual(expect.objectContaining({ kind: 'switch', to: 'backup', reason: 'budget' })),
    );
    const reached = events.filter((e) => e.kind === 'budget');
    expect(reached).toEqual([
      expect.objectContaining({ kind: 'budget', tier: 'cheap', amount: 0.2, per: 'day', until: new Date(dayEnd).toISOString() }),
    ]);
    expect(hooks.requests.map((r) => r.json)).toContainEqual(expect.objectContaining({ kind: 'budget', tier: 'cheap' }));

    // Later the same day: still the backup (the cheap tier is not tried, not even when others cool down).
    h.clock.advance(Math.max(0, dayEnd - h.clock.now() - 60_000));
    expect(await ask(client)).toBe('from backup');
    expect(cheap.requests).toHaveLength(2);

    // The next UTC day: the cheap tier answers again, from a budget that starts over.
    h.clock.advance(dayEnd - h.clock.now() + 1000);
    expect(await ask(client)).toBe('from cheap');
    expect(cheap.requests).toHaveLength(3);
    await h.settledEvents(); // the usage line follows the answer
    const next = await status(h);
    expect(next.budgets[0]).toMatchObject({ reached: false, period_end: new Date(dayEnd + 86_400_000).toISOString() });
    expect(next.budgets[0].spent).toBeCloseTo(PER_REQUEST, 9);
    expect(backup.requests.length).toBe(2);
  });

  it('on tier 0 (an API-key user capping spend): Claude answers until its priced usage reaches the budget, then the fallback does, with reason budget', async () => {
    const claude = await startStrictAnthropic({ limited: false });
    const cheap = await startFakeOpenAI({ flavor: 'openai', key: 'k-cheap', reply: () => ({ text: 'from cheap' }) });
    const h = await startHarness({
      tiers: [
        // Priced from the built-in table (claude-sonnet-4-6: $3 / $15 per million): any answer passes a millionth of a dollar.
        { name: 'claude', protocol: 'anthropic', base_url: claude.url, budget: { amount: 0.000001, per: 'month' } },
        { name: 'cheap', protocol: 'openai', base_url: `${cheap.url}/v1`, api_key: 'k-cheap', model: 'cheap-model' },
      ],
    });
    cleanup.push(
      () => claude.close(),
      () => cheap.close(),
      () => h.close(),
    );
    const client = new Anthropic({ apiKey: 'sk-ant-client', baseURL: h.url, maxRetries: 0 });
    expect(await ask(client)).not.toBe('from cheap');
    await h.settledEvents();
    expect(await ask(client)).toBe('from cheap');
    expect(claude.requests).toHaveLength(1);
    const events = await h.settledEvents();
    const first = events.find((e): e is UsageEvent => e.kind === 'usage')!;
    expect(first.cost_usd).toBeGreaterThan(0.000001);
    expect(events.find((e): e is SwitchEvent => e.kind === 'switch')).toMatchObject({
      from: 'claude',
      to: 'cheap',
      reason: 'budget',
      retry_at: new Date(budgetPeriod('month', h.clock.now()).end).toISOString(),
    });
  });
});
