// "Routing a request": the routing rules evaluated on Claude Code's real 80 KB request, against today's plan (the
// tier state's, no rules), alternating the two in-process. The rules are ones the docs show, none matching until
// the last, which needs the token estimate: every condition is evaluated, the estimate made, the pin looked up.

import { parseConfig } from '../../proxy/config.ts';
import { createTierState } from '../../proxy/engine/tier-state.ts';
import { createRouter, type RouteRequest } from '../../proxy/routing/router.ts';
import { estimateInputTokens } from '../../proxy/wire/estimate-tokens.ts';
import type { MessagesRequest } from '../../proxy/wire/types.ts';
import { claudeCodeRequest } from './payloads.ts';
import { shuffled, summarize, type Summary } from './stats.ts';
import { ms, signedMs, type Row } from './table.ts';
import { TARGETS } from './targets.ts';

export type RoutingResults = { requestBytes: number; rules: number; rounds: number; today: Summary; routed: Summary };

/** The rule set: a subagent header, the haiku model, MCP tools, images, and a token threshold (the one that matches). */
export const BENCH_ROUTES = [
  { name: 'subagents', headers: { 'x-claude-code-agent-id': true }, tiers: ['cheap'] },
  { name: 'background', model: ['claude-haiku-*', 'claude-3-5-haiku-*'], tiers: ['cheap', 'claude'] },
  { name: 'mcp', tools: ['mcp__*'], tiers: ['claude', 'big'] },
  { name: 'pictures', images: true, tiers: ['big', 'claude'] },
  { name: 'long', tokens_over: 1000, tiers: ['big', 'claude'] },
];

export function benchRouting(opts: { quick: boolean }): RoutingResults {
  const recorded = claudeCodeRequest(0);
  const config = parseConfig(
    JSON.stringify({
      tiers: [
        { name: 'claude', protocol: 'anthropic', base_url: 'https://api.anthropic.com' },
        { name: 'cheap', protocol: 'anthropic', base_url: 'http://127.0.0.1:1', api_key: 'k' },
        { name: 'big', protocol: 'anthropic', base_url: 'http://127.0.0.1:2', api_key: 'k' },
      ],
      routes: BENCH_ROUTES,
    }),
    'bench.json',
    {},
  );
  const state = createTierState(config.tiers);
  const router = createRouter({ rules: config.routes, state, ledger: { append: async () => ({}) as never }, log: () => {} });
  const body = JSON.parse(recorded.body.toString('utf8')) as MessagesRequest;
  const request: RouteRequest = { model: body.model, headers: recorded.headers, body };
  // Each call is one request: its own lazy estimate, as the engine makes it.
  const sides = {
    today: () => state.plan(),
    routed: () => {
      let estimated: number | undefined;
      const plan = router.plan(request, () => (estimated ??= estimateInputTokens(body)));
      router.answered(plan, plan.order[0]);
      return plan;
    },
  };
  if (sides.routed().rule?.name !== 'long') throw new Error('the bench request should match the last rule only');
  const batch = 10;
  const rounds = opts.quick ? 400 : 2000;
  const times: Record<keyof typeof sides, number[]> = { today: [], routed: [] };
  for (let i = -50; i < rounds; i++) {
    for (const side of shuffled(Object.keys(sides) as (keyof typeof sides)[])) {
      const t0 = performance.now();
      for (let j = 0; j < batch; j++) sides[side]();
      const t = (performance.now() - t0) / batch;
      if (i >= 0) times[side].push(t); // the first rounds warm the JIT
    }
  }
  return {
    requestBytes: recorded.body.length,
    rules: BENCH_ROUTES.length,
    rounds,
    today: summarize(times.today),
    routed: summarize(times.routed),
  };
}

export function routingRows(r: RoutingResults): Row[] {
  const kb = Math.round(r.requestBytes / 1024);
  const added = r.routed.median - r.today.median;
  return [
    {
      row: `routing a request (${r.rules} rules, the last matching by the token estimate; ${kb} KB Claude Code request): today's plan → routed, median`,
      baseline: ms(r.today.median, 3),
      subject: ms(r.routed.median, 3),
      delta: signedMs(added, 3),
      target: `≤ +${TARGETS.routingAddedMs} ms`,
      met: added <= TARGETS.routingAddedMs,
    },
  ];
}
