// Routes, a budget and switch_before together, through the real proxy (issue 21): Claude Code's haiku requests go
// by the `background` rule to a cheap tier with a tiny budget; once the budget is spent the rule's chain goes on to
// its next tier while the active tier stays Claude (a routed tier resting is not a switch); the main conversation
// still leaves Claude at the quota threshold (to the next tier not resting, so not the spent cheap one). The ledger
// says what happened, in order: route, budget, route, switch with reason quota.

import { afterEach, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { startHarness } from '../helpers/harness.ts';
import { startStrictAnthropic, unifiedLimitHeaders } from '../helpers/strict-anthropic.ts';
import { startFakeDeepSeek } from '../helpers/fake-deepseek-anthropic.ts';
import { startFakeOpenAI } from '../helpers/fake-openai-compatible.ts';
import { anthropicSSE } from '../helpers/vendor-sse.ts';
import type { LedgerEvent, UsageEvent } from '../../proxy/git/ledger.ts';
import type { RunSnapshot } from '../../proxy/run/snapshot.ts';
import { budgetPeriod } from '../../proxy/run/budget-period.ts';
import type { CostsReport } from '../../proxy/review/costs.ts';
import { review } from '../review/fixture.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const SESSION = '9b1c2f50-6a55-4d8e-9f1e-3c1d2b4a5e60';
const MILLION = 1_000_000;

/**
 * Claude (a strict fake reporting the 5h window at `quota.fiveHour`), a cheap DeepSeek tier with a daily budget
 * that reports a million input tokens per answer ($0.40 at its configured price), and an OpenAI-compatible backup;
 * the `background` rule sends haiku requests over `routeTiers`; switch_before at 97%.
 */
async function threeTiers(budget: number, routeTiers: string[], quota: { fiveHour: number }) {
  const start = Date.now();
  const claude = await startStrictAnthropic({
    answer: (body) => anthropicSSE({ text: 'from claude' }, { model: String(body.model), inputTokens: 1000 }).sse,
    limits: () =>
      unifiedLimitHeaders({
        fiveHour: quota.fiveHour,
        sevenDay: 0.2,
        fiveHourReset: start + 3 * 3600_000,
        sevenDayReset: start + 72 * 3600_000,
      }),
  });
  const cheap = await startFakeDeepSeek({ key: 'k-deepseek', reply: () => ({ text: 'from cheap' }), inputTokens: MILLION });
  const backup = await startFakeOpenAI({ flavor: 'openai', key: 'k-backup', reply: () => ({ text: 'from backup' }) });
  const h = await startHarness({
    tiers: [
      { name: 'claude', protocol: 'anthropic', base_url: claude.url },
      {
        name: 'cheap',
        protocol: 'anthropic',
        base_url: cheap.url,
        api_key: 'k-deepseek',
        model: 'deepseek-v4-flash',
        price: { input: 0.4, output: 0 },
        budget: { amount: budget, per: 'day' },
      },
      { name: 'backup', protocol: 'openai', base_url: `${backup.url}/v1`, api_key: 'k-backup', model: 'backup-model' },
    ],
    routes: [{ name: 'background', model: 'claude-haiku-*', tiers: routeTiers }],
    fallback: { max_wait: '0s', switch_before: '97%' },
  });
  cleanup.push(
    () => claude.close(),
    () => cheap.close(),
    () => backup.close(),
    () => h.close(),
  );
  return { claude, cheap, h };
}

describe('routes, a budget and switch_before together', () => {
  it('the haiku route moves on when its cheap tier spends its budget, without a switch; the main conversation still switches at the quota', async () => {
    const quota = { fiveHour: 0.5 };
    // $0.40 an answer: a $0.50 budget is passed by the second answer.
    const { claude, cheap, h } = await threeTiers(0.5, ['cheap', 'backup'], quota);
    const client = new Anthropic({
      apiKey: 'sk-ant-client',
      baseURL: h.url,
      maxRetries: 0,
      defaultHeaders: { 'x-claude-code-session-id': SESSION },
    });
    const ask = async (model: string): Promise<string> => {
      const m = await client.messages.stream({ model, max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
      return m.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    };
    const status = async (): Promise<RunSnapshot> => (await (await fetch(`${h.url}/status`)).json()) as RunSnapshot;
    const MAIN = 'claude-opus-4-6';
    const HAIKU = 'claude-haiku-4-5';

    expect(await ask(MAIN)).toBe('from claude'); // 50% of the 5h window
    expect(await ask(HAIKU)).toBe('from cheap'); // $0.40 of $0.50
    expect(await ask(HAIKU)).toBe('from cheap'); // $0.80: the budget is spent
    // At once, as Claude Code sends its next request (no wait for the ledger's write): the rule's next tier.
    expect(await ask(HAIKU)).toBe('from backup');
    expect(cheap.verdicts).toHaveLength(2);
    // Not a switch: the active tier is still Claude, and the main conversation still goes there.
    let s = await status();
    expect(s.tiers[s.active_index].name).toBe('claude');
    expect(s.budgets).toEqual([expect.objectContaining({ tier: 'cheap', reached: true })]);
    expect(await ask(MAIN)).toBe('from claude');
    expect((await h.settledEvents()).filter((e) => e.kind === 'switch')).toEqual([]);

    // Claude reports 97.5% of its 5h window: the next main request leaves before any 429, to the backup (the cheap
    // tier rests for its budget), and Claude never answers 429.
    quota.fiveHour = 0.975;
    expect(await ask(MAIN)).toBe('from claude');
    expect(await ask(MAIN)).toBe('from backup');
    expect(claude.verdicts.every((v) => v.status === 200)).toBe(true);
    s = await status();
    expect(s.tiers[s.active_index].name).toBe('backup');

    const events = await h.settledEvents();
    const story = events
      .filter((e) => e.kind === 'route' || e.kind === 'budget' || e.kind === 'switch')
      .map((e: LedgerEvent) =>
        e.kind === 'route'
          ? `route ${e.rule} → ${e.tier}`
          : e.kind === 'budget'
            ? `budget ${e.tier} ${e.amount}/${e.per}`
            : e.kind === 'switch'
              ? `switch ${e.from} → ${e.to} (${e.reason})`
              : '',
      );
    expect(story).toEqual([
      'route background → cheap',
      'budget cheap 0.5/day',
      'route background → backup',
      'switch claude → backup (quota)',
    ]);
    // The budget line follows the usage line that spent it.
    const at = events.findIndex((e) => e.kind === 'budget');
    expect(events[at - 1]).toMatchObject({ kind: 'usage', tier: 'cheap', route: 'background' });
    const budget = events.find((e) => e.kind === 'budget');
    expect(budget).toMatchObject({ until: new Date(budgetPeriod('day', h.clock.now()).end).toISOString() });
    expect(budget && 'spent' in budget ? budget.spent : 0).toBeCloseTo(0.8, 9);
    // Each usage line names the tier that answered and, for the haiku requests, the rule.
    const usage = events.filter((e): e is UsageEvent => e.kind === 'usage').map((u) => [u.tier, u.route ?? null]);
    expect(usage).toEqual([
      ['claude', null],
      ['cheap', 'background'],
      ['cheap', 'background'],
      ['backup', 'background'],
      ['claude', null],
      ['claude', null],
      ['backup', null],
    ]);

    // review --costs by route, from this ledger: the rule's three requests (one unpriced: the backup has no price,
    // so the rule's cost is unknown, never a partial sum) and the four unrouted ones.
    const r = await review(['--costs', '--json', '--repo', h.repo]);
    expect(r.exitCode).toBe(0);
    const byRoute = (JSON.parse(r.stdout) as CostsReport).by_route;
    expect(byRoute.map((x) => [x.route, x.requests, x.input_tokens])).toEqual([
      ['background', 3, 2 * MILLION + 120], // the OpenAI fake reports 120 prompt tokens (test/helpers/vendor-sse.ts)
      [null, 4, 3 * 1000 + 120],
    ]);
    expect(byRoute[0]).toMatchObject({ cost_usd: null, unpriced: ['backup/backup-model'] });
  });

  it("when every tier of a rule rests (one for its budget, Claude for its quota), the rule's tiers are still tried, but never the one whose budget is spent", async () => {
    const quota = { fiveHour: 0.5 };
    const { cheap, h } = await threeTiers(0.3, ['cheap', 'claude'], quota);
    const client = new Anthropic({ apiKey: 'sk-ant-client', baseURL: h.url, maxRetries: 0 });
    const ask = async (model: string): Promise<string> => {
      const m = await client.messages.stream({ model, max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
      return m.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    };
    expect(await ask('claude-haiku-4-5')).toBe('from cheap'); // $0.40: over the $0.30 budget
    expect(await ask('claude-haiku-4-5')).toBe('from claude'); // the rule's next tier
    quota.fiveHour = 0.975;
    expect(await ask('claude-opus-4-6')).toBe('from claude'); // reports 97.5%: Claude rests for its quota
    expect(await ask('claude-opus-4-6')).toBe('from backup'); // the main conversation leaves (reason quota)
    // Both of the rule's tiers rest: Claude is tried (a quota rest is not a cap), the spent cheap tier is not.
    expect(await ask('claude-haiku-4-5')).toBe('from claude');
    expect(cheap.verdicts).toHaveLength(1);
    const events = await h.settledEvents();
    expect(events.filter((e) => e.kind === 'switch')).toEqual([expect.objectContaining({ from: 'claude', to: 'backup', reason: 'quota' })]);
  });
});
