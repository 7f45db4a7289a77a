// Rule matching (first rule whose conditions all hold; the estimate only when needed) and the router's plan:
// a rule's own chain with cooldowns respected, the main conversation kept on its tier, one ledger line per change.

import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../proxy/config.ts';
import { createTierState } from '../../proxy/engine/tier-state.ts';
import { matchRoute } from '../../proxy/routing/match-route.ts';
import { createRouter, PIN_IDLE_MS, type RouteRequest } from '../../proxy/routing/router.ts';
import type { LedgerInput } from '../../proxy/git/ledger.ts';
import type { MessagesRequest } from '../../proxy/wire/types.ts';

const config = (routes: unknown[]) =>
  parseConfig(
    JSON.stringify({
      tiers: [
        { name: 'claude', protocol: 'anthropic', base_url: 'https://api.anthropic.com' },
        { name: 'cheap', protocol: 'anthropic', base_url: 'http://127.0.0.1:1', api_key: 'k' },
        { name: 'big', protocol: 'anthropic', base_url: 'http://127.0.0.1:2', api_key: 'k' },
      ],
      routes,
    }),
    'f.json',
    {},
  );

const body = (extra: Partial<MessagesRequest> = {}): MessagesRequest =>
  ({ model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], ...extra }) as MessagesRequest;
const png = { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } };

describe('matchRoute', () => {
  const { routes } = config([
    { name: 'agents', headers: { 'x-claude-code-agent-id': true }, tiers: ['cheap'] },
    { name: 'background', model: ['claude-haiku-*', 'claude-3-5-haiku-*'], tiers: ['cheap', 'claude'] },
    { name: 'search', tools: ['Web*'], tiers: ['big'] },
    { name: 'pictures', images: true, tiers: ['big'] },
    { name: 'long', tokens_over: 1000, tiers: ['big'] },
  ]);
  const facts = (b: MessagesRequest, headers: Record<string, string | string[]> = {}, estimate = () => 10) => ({
    model: b.model,
    headers,
    body: b,
    estimate,
  });
  const name = (f: Parameters<typeof matchRoute>[1]) => matchRoute(routes, f)?.name ?? null;

  it('takes the first rule whose conditions hold, in order', () => {
    expect(name(facts(body({ model: 'claude-haiku-4-5-20251001' }), { 'x-claude-code-agent-id': 'a1' }))).toBe('agents');
    expect(name(facts(body({ model: 'claude-haiku-4-5-20251001' })))).toBe('background');
    expect(name(facts(body({ model: 'Claude-3-5-Haiku-latest' })))).toBe('background');
    expect(name(facts(body({ tools: [{ name: 'WebSearch', input_schema: { type: 'object' } }] })))).toBe('search');
    expect(name(facts(body()))).toBe(null);
  });

  it('sees an image at the top level of a message and inside a tool result', () => {
    expect(name(facts(body({ messages: [{ role: 'user', content: [png] }] } as Partial<MessagesRequest>)))).toBe('pictures');
    const inResult = { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: [png] }] };
    expect(name(facts(body({ messages: [inResult] } as Partial<MessagesRequest>)))).toBe('pictures');
  });

  it('makes the estimate only when a rule that needs it is reached, and at most once', () => {
    let calls = 0;
    const count = () => (calls++, 5000);
    expect(name(facts(body({ model: 'claude-haiku-4-5' }), {}, count))).toBe('background');
    expect(calls).toBe(0);
    expect(name(facts(body(), {}, count))).toBe('long');
    expect(calls).toBe(1);
  });

  it('needs every condition of a rule to hold', () => {
    const both = config([{ name: 'r', model: 'claude-haiku-*', headers: { 'x-app': 'cli' }, tiers: ['cheap'] }]).routes;
    expect(matchRoute(both, facts(body({ model: 'claude-haiku-4-5' }), { 'x-app': 'cli' }))?.name).toBe('r');
    expect(matchRoute(both, facts(body({ model: 'claude-haiku-4-5' }), { 'x-app': 'cli-bg' }))).toBe(null);
    expect(matchRoute(both, facts(body(), { 'x-app': 'cli' }))).toBe(null);
  });

  it('reads a glob as literal text but for * (any run) and ? (one character), anchored at both ends', () => {
    const g = config([{ name: 'r', model: 'claude-?-x.*', tiers: ['cheap'] }]).routes;
    expect(matchRoute(g, facts(body({ model: 'claude-3-x.5' })))?.name).toBe('r');
    expect(matchRoute(g, facts(body({ model: 'claude-35-x.5' })))).toBe(null);
    expect(matchRoute(g, facts(body({ model: 'claude-3-xy5' })))).toBe(null); // "." is a dot, not any character
    expect(matchRoute(g, facts(body({ model: 'my-claude-3-x.5' })))).toBe(null);
  });

  it('ignores a malformed header (a value sent twice) instead of failing', () => {
    const eq = config([{ name: 'r', headers: { 'x-app': 'cli' }, tiers: ['cheap'] }]).routes;
    expect(matchRoute(eq, facts(body(), { 'x-app': ['cli', 'cli'] }))).toBe(null);
  });
});

describe('the router', () => {
  function setup(routes: unknown[]) {
    let now = 1_000_000;
    const c = config(routes);
    const state = createTierState(c.tiers, { now: () => now });
    const lines: LedgerInput[] = [];
    const router = createRouter({
      rules: c.routes,
      state,
      ledger: { append: async (l) => (lines.push(l), l as never) },
      log: () => {},
    });
    return { state, router, lines, tick: (ms: number) => (now += ms), now: () => now };
  }
  const request = (model: string, headers: Record<string, string> = {}): RouteRequest => ({ model, headers, body: body({ model }) });
  const session = { 'x-claude-code-session-id': '5f0c6d1e-8a7b-4c2d-9e3f-0a1b2c3d4e5f' };
  const estimate = () => 10;

  it('plans an unrouted request as the tier state does, and a routed one over its rule’s tiers with cooldowns respected', () => {
    const { state, router } = setup([{ name: 'background', model: 'claude-haiku-*', tiers: ['cheap', 'claude'] }]);
    expect(router.plan(request('claude-sonnet-4-5'), estimate)).toMatchObject({ order: [0, 1, 2], rule: null });
    expect(router.plan(request('claude-haiku-4-5'), estimate).order).toEqual([1, 0]);
    state.cool(1, { reason: 'rate_limit', status: 429, at: 1_000_000, until: 1_060_000, message: '' });
    expect(router.plan(request('claude-haiku-4-5'), estimate).order).toEqual([0]);
  });

  it('keeps the main conversation on the tier that answered it until that tier fails, and drops the pin after 5 idle minutes', () => {
    const { state, router, tick } = setup([{ name: 'long', tokens_over: 5, tiers: ['big', 'cheap'] }]);
    const main = () => router.plan(request('claude-sonnet-4-5', session), estimate);
    // big fails once: cheap answers, and the conversation stays there when big is back.
    state.cool(2, { reason: 'overloaded', status: 529, at: 1_000_000, until: 1_010_000, message: '' });
    const first = main();
    expect(first.order).toEqual([1]);
    router.answered(first, 1);
    tick(20_000);
    expect(main().order).toEqual([1, 2]);
    // A background request of the same session is not the main conversation: planned afresh.
    expect(router.plan(request('claude-sonnet-4-5', { ...session, 'x-claude-code-agent-id': 'a1' }), estimate).order).toEqual([2, 1]);
    // cheap fails: the next request goes to big, and stays there.
    state.cool(1, { reason: 'rate_limit', status: 429, at: 1_020_000, until: 1_030_000, message: '' });
    const moved = main();
    expect(moved.order).toEqual([2]);
    router.answered(moved, 2);
    tick(60_000);
    expect(main().order).toEqual([2, 1]);
    // An idle session's cache is cold: the rule's first ready tier again.
    router.answered(main(), 1);
    tick(PIN_IDLE_MS);
    expect(main().order).toEqual([2, 1]);
  });

  it('writes a route line when a session’s rule first leaves tier 0 and at each change, not one per request', () => {
    const { state, router, lines } = setup([{ name: 'pictures', images: true, tiers: ['claude', 'big'] }]);
    const withImage: RouteRequest = {
      model: 'claude-sonnet-4-5',
      headers: session,
      body: body({ messages: [{ role: 'user', content: [png] }] } as Partial<MessagesRequest>),
    };
    for (let i = 0; i < 3; i++) router.answered(router.plan(withImage, estimate), 0);
    expect(lines).toEqual([]); // tier 0 answered: nothing left tier 0
    state.cool(0, { reason: 'rate_limit', status: 429, at: 1_000_000, until: 2_000_000, message: '' });
    for (let i = 0; i < 3; i++) router.answered(router.plan(withImage, estimate), 2);
    state.lift(0);
    expect(router.plan(withImage, estimate).order).toEqual([2, 0]); // claude is back, but the conversation stays on big
    state.cool(2, { reason: 'overloaded', status: 529, at: 1_000_000, until: 2_000_000, message: '' });
    const back = router.plan(withImage, estimate);
    expect(back.order).toEqual([0]);
    router.answered(back, 0);
    expect(lines).toEqual([
      { kind: 'route', rule: 'pictures', tier: 'big', session: session['x-claude-code-session-id'], main: true },
      { kind: 'route', rule: 'pictures', tier: 'claude', session: session['x-claude-code-session-id'], main: true },
    ]);
  });

  it('ignores a session id that is not one (too long, odd characters): no pin, and the line has no session', () => {
    const { state, router, lines } = setup([{ name: 'r', model: 'claude-sonnet-*', tiers: ['cheap', 'big'] }]);
    const odd = request('claude-sonnet-4-5', { 'x-claude-code-session-id': 'x'.repeat(500) });
    const p = router.plan(odd, estimate);
    expect(p).toMatchObject({ session: null, main: false });
    state.cool(1, { reason: 'rate_limit', status: 429, at: 1_000_000, until: 1_000_001, message: '' });
    router.answered(router.plan(odd, estimate), 2);
    expect(lines).toEqual([{ kind: 'route', rule: 'r', tier: 'big' }]);
  });
});
