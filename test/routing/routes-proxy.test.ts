// Routing rules through a running proxy, with the official SDK as the client: a haiku request goes to the rule's
// tier and a main one to tier 0, the routed answer is no switch (no switch line, the active tier stays), the ledger
// has one `route` line for many routed requests and every routed usage line names the rule; a rule's chain is its own.

import { afterEach, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { join } from 'node:path';
import { parseConfig } from '../../proxy/config.ts';
import { ADAPTERS } from '../../proxy/providers/adapters.ts';
import { createProxy } from '../../proxy/server/server.ts';
import { readLedger } from '../../proxy/git/ledger.ts';
import { fixture, startFakeUpstream, type FakeUpstream, type Handler } from '../helpers/fake-upstream.ts';
import { makeRepo } from '../../test-support/repo.ts';
import { createTestClock } from '../helpers/clock.ts';
import { estimateInputTokens } from '../../proxy/wire/estimate-tokens.ts';
import type { MessagesRequest } from '../../proxy/wire/types.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const text: Handler = () => ({ kind: 'sse', text: fixture('anthropic-stream-text.sse') });
const overloaded: Handler = () => ({ kind: 'json', status: 529, body: JSON.parse(fixture('anthropic-529.json')) });
const SESSION = '0d1f2e3c-4b5a-4697-8887-a9b8c7d6e5f4';

async function start(handlers: { claude: Handler; cheap: Handler; big?: Handler }, routes: unknown[]) {
  const up: FakeUpstream[] = [
    await startFakeUpstream(handlers.claude),
    await startFakeUpstream(handlers.cheap),
    await startFakeUpstream(handlers.big ?? text),
  ];
  const repo = await makeRepo();
  const ledgerPath = join(repo, '.git', 'model-ledger');
  const config = parseConfig(
    JSON.stringify({
      proxy: { host: '127.0.0.1', port: 0 },
      tiers: [
        { name: 'claude', protocol: 'anthropic', base_url: up[0].url },
        { name: 'cheap', protocol: 'anthropic', base_url: up[1].url, api_key: 'sk-cheap-key', model: 'cheap-model' },
        { name: 'big', protocol: 'anthropic', base_url: up[2].url, api_key: 'sk-big-key', model: 'big-model' },
      ],
      routes,
      fallback: { max_wait: '0s', first_byte_timeout: '5s' },
      git: { auto_commit: false },
    }),
    'test.json',
    {},
  );
  const clock = createTestClock();
  const estimates: number[] = [];
  const proxy = createProxy({
    config,
    clock,
    estimate: (req: MessagesRequest) => {
      const n = estimateInputTokens(req);
      estimates.push(n);
      return n;
    },
    repo,
    ledgerPath,
    adapters: ADAPTERS,
    autoCommit: async () => ({ commit: null, tag: null }),
    notifier: { notify() {}, drain: async () => {} },
    log: () => {},
  });
  const port = await proxy.listen();
  cleanup.push(...up.map((u) => () => u.close()), () => proxy.close(200));
  const client = new Anthropic({
    apiKey: 'sk-ant-client-key',
    baseURL: `http://127.0.0.1:${port}`,
    maxRetries: 0,
    defaultHeaders: { 'x-claude-code-session-id': SESSION },
  });
  const ask = (model: string, headers: Record<string, string> = {}) =>
    client.messages
      .stream({ model, max_tokens: 64, messages: [{ role: 'user', content: 'hi' }], stream: true }, { headers })
      .finalMessage();
  return { up, proxy, clock, estimates, ledgerPath, ask, ledger: async () => (await proxy.ledger.flushed(), readLedger(ledgerPath)) };
}

const models = (u: FakeUpstream) => u.requests.map((r) => (r.json as { model: string }).model);

describe('routing rules through the proxy', () => {
  it('sends haiku requests to the rule’s tier and the rest to tier 0, with one route line and no switch', async () => {
    const { up, proxy, ask, ledger } = await start({ claude: text, cheap: text }, [
      { name: 'background', model: 'claude-haiku-*', tiers: ['cheap'] },
    ]);
    await ask('claude-haiku-4-5-20251001');
    await ask('claude-sonnet-4-6');
    await ask('claude-haiku-4-5-20251001');
    await ask('claude-haiku-4-5-20251001');
    expect(models(up[0])).toEqual(['claude-sonnet-4-6']);
    expect(models(up[1])).toEqual(['cheap-model', 'cheap-model', 'cheap-model']);
    expect(up[1].requests[0].headers['x-api-key']).toBe('sk-cheap-key');
    expect(proxy.state.active).toBe(0);
    const lines = await ledger();
    expect(lines.filter((l) => l.kind === 'switch')).toEqual([]);
    expect(lines.filter((l) => l.kind === 'route')).toMatchObject([{ rule: 'background', tier: 'cheap', session: SESSION }]);
    expect(lines.flatMap((l) => (l.kind === 'usage' ? [[l.tier, l.route]] : []))).toEqual([
      ['cheap', 'background'],
      ['claude', undefined],
      ['cheap', 'background'],
      ['cheap', 'background'],
    ]);
  });

  it('falls back within the rule’s own tiers only, and leaves the active tier to unrouted requests', async () => {
    const { up, proxy, ask } = await start({ claude: text, cheap: overloaded }, [
      { name: 'background', model: 'claude-haiku-*', tiers: ['cheap'] },
      { name: 'main', model: 'claude-sonnet-*', tiers: ['cheap', 'claude'] },
    ]);
    await expect(ask('claude-haiku-4-5')).rejects.toMatchObject({ status: 529 });
    expect([up[0].requests.length, up[1].requests.length]).toEqual([0, 1]);
    // cheap cools down: the main rule's chain goes on to claude, which is not a switch (claude stays active).
    await ask('claude-sonnet-4-6');
    expect([up[0].requests.length, up[1].requests.length]).toEqual([1, 1]);
    expect(proxy.state.active).toBe(0);
  });
});

describe('the main conversation through the proxy', () => {
  it('stays on the tier that answered it when the rule’s first tier is back; a subagent is planned afresh', async () => {
    let bigDown = true;
    const { up, clock, ask, ledger } = await start(
      { claude: text, cheap: text, big: (req, i) => (bigDown && i === 0 ? overloaded(req, i) : text(req, i)) },
      [{ name: 'main', model: 'claude-sonnet-*', tiers: ['big', 'cheap'] }],
    );
    await ask('claude-sonnet-4-6'); // big 529s and cools down: cheap answers and has the conversation
    bigDown = false;
    clock.advance(60 * 60_000); // an hour idle: big's cooldown is over, and the prompt cache's 5 minutes too
    await ask('claude-sonnet-4-6');
    // The pin is gone with the cache: big, the rule's first tier, has the conversation again.
    expect([up[1].requests.length, up[2].requests.length]).toEqual([1, 2]);
    await ask('claude-sonnet-4-6');
    await ask('claude-sonnet-4-6', { 'x-claude-code-agent-id': 'agent-1' });
    expect([up[1].requests.length, up[2].requests.length]).toEqual([1, 4]);
    const routes = (await ledger()).filter((l) => l.kind === 'route');
    expect(routes).toMatchObject([
      { rule: 'main', tier: 'cheap', main: true },
      { rule: 'main', tier: 'big', main: true },
      { rule: 'main', tier: 'big' },
    ]);
  });

  it('keeps a busy conversation on its fallback tier after the first tier recovers (no flip back per request)', async () => {
    let bigDown = true;
    const { up, clock, ask, ledger } = await start(
      { claude: text, cheap: text, big: (req, i) => (bigDown ? overloaded(req, i) : text(req, i)) },
      [{ name: 'main', model: 'claude-sonnet-*', tiers: ['big', 'cheap'] }],
    );
    await ask('claude-sonnet-4-6');
    bigDown = false;
    // Requests every 4 minutes: big's 15-minute cooldown ends on the way, the conversation stays on cheap.
    for (let i = 0; i < 6; i++) {
      clock.advance(4 * 60_000);
      await ask('claude-sonnet-4-6');
    }
    expect([up[1].requests.length, up[2].requests.length]).toEqual([7, 1]);
    // A subagent of the same session is not pinned: big, now ready, takes it.
    await ask('claude-sonnet-4-6', { 'x-claude-code-agent-id': 'agent-1' });
    expect(up[2].requests.length).toBe(2);
    expect((await ledger()).filter((l) => l.kind === 'route')).toMatchObject([
      { rule: 'main', tier: 'cheap', session: SESSION, main: true },
      { rule: 'main', tier: 'big', session: SESSION },
    ]);
  });
});

describe('the token estimate', () => {
  it('is not made for rules that do not need it, and made once a request for a threshold rule', async () => {
    const { estimates, ask } = await start({ claude: text, cheap: text }, [
      { name: 'background', model: 'claude-haiku-*', tiers: ['cheap'] },
      { name: 'long', tokens_over: 5, tiers: ['big'] },
    ]);
    await ask('claude-haiku-4-5');
    expect(estimates).toEqual([]);
    await ask('claude-sonnet-4-6');
    await ask('claude-sonnet-4-6');
    expect(estimates).toHaveLength(2);
  });
});
