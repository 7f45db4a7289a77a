// Plans one request over the tiers (docs/routing.md): a request no rule matches takes the tier state's plan as
// today; a routed one is planned over its rule's tiers (cooldowns respected), with the session's main conversation
// kept on the tier that last answered it (stickiness), and each change of tier per session and rule written once
// to the ledger as a `route` line. Answering from a routed tier is not a switch of the active tier.

import type { IncomingHttpHeaders } from 'node:http';
import type { LedgerWriter } from '../git/ledger.ts';
import type { TierState } from '../engine/tier-state.ts';
import type { MessagesRequest } from '../wire/types.ts';
import { modelFamily } from '../wire/request-parts.ts';
import { matchRoute } from './match-route.ts';
import type { RouteRule } from './route-rule.ts';

/**
 * Claude Code's per-session id, sent on every request since 2.1.86 (its gateway protocol reference,
 * https://code.claude.com/docs/en/llm-gateway-protocol, "Request headers": a header a gateway may consume for
 * routing). A subagent's requests also carry `x-claude-code-agent-id` (and `x-claude-code-parent-agent-id`): read
 * in the 2.1.197 CLI's client, which sets them only when the request runs in a subagent's context.
 */
export const SESSION_HEADER = 'x-claude-code-session-id';
export const AGENT_HEADER = 'x-claude-code-agent-id';

/** A session id the router keys on: a UUID in practice; anything else (too long, odd characters) is ignored. */
const SESSION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * A pin is dropped after this long without a request of its session: Anthropic's prompt cache lives 5 minutes
 * from its last read by default (https://docs.claude.com/en/docs/build-with-claude/prompt-caching), so past that
 * there is no warm cache to keep, and the rule's first ready tier may have the conversation again.
 */
export const PIN_IDLE_MS = 5 * 60_000;

/** Sessions × rules remembered at most (least recently used dropped first): memory stays bounded. */
export const MAX_REMEMBERED = 2048;

export type RouteRequest = { model: string; headers: IncomingHttpHeaders; body: MessagesRequest };

export type RoutePlan = {
  /** The tier indexes to try, in order. */
  order: number[];
  /** The rule that matched, or null (the tier list as today, with the active-tier logic). */
  rule: RouteRule | null;
  /** The memory key of this session, lane and rule (null when unrouted). */
  key: string | null;
  session: string | null;
  /** The request is the session's main conversation (docs/routing.md "Stickiness"). */
  main: boolean;
};

export type Router = {
  plan(request: RouteRequest, estimate: () => number): RoutePlan;
  /** Tier `t` answered the planned request: the main conversation's pin moves to it; a change is written to the ledger. */
  answered(plan: RoutePlan, t: number): void;
};

type Memory = { recorded: number; pin?: { tier: number; at: number } };

export function createRouter(deps: {
  rules: readonly RouteRule[];
  state: TierState;
  ledger: Pick<LedgerWriter, 'append'>;
  log: (line: string) => void;
}): Router {
  const { rules, state } = deps;
  const memory = new Map<string, Memory>();
  const remember = (key: string, m: Memory) => {
    memory.delete(key); // re-inserted last: the Map's order is least recently used first
    memory.set(key, m);
    if (memory.size > MAX_REMEMBERED) memory.delete(memory.keys().next().value!);
  };

  return {
    plan(request, estimate) {
      const rule = rules.length === 0 ? null : matchRoute(rules, { ...request, estimate });
      if (rule === null) return { order: state.plan(), rule: null, key: null, session: null, main: false };
      const raw = request.headers[SESSION_HEADER];
      const session = typeof raw === 'string' && SESSION_ID.test(raw) ? raw : null;
      const main = session !== null && isMainConversation(request);
      const key = `${session ?? ''}\u0000${main ? 'main' : 'other'}\u0000${rule.name}`;
      const order = state.plan(undefined, rule.tiers);
      const pin = main ? memory.get(key)?.pin : undefined;
      const now = state.clock.now();
      // The pinned tier first while it is ready (not cooling down after a failure) and its cache may be warm.
      if (pin && now - pin.at < PIN_IDLE_MS && state.ready(pin.tier, now) && order.includes(pin.tier))
        return { order: [pin.tier, ...order.filter((t) => t !== pin.tier)], rule, key, session, main };
      return { order, rule, key, session, main };
    },
    answered(plan, t) {
      if (plan.rule === null || plan.key === null) return;
      const before = memory.get(plan.key);
      const m: Memory = { recorded: t };
      if (plan.main) m.pin = { tier: t, at: state.clock.now() };
      remember(plan.key, m);
      // One line when a session's rule first leaves tier 0, and one at each change of its tier after that.
      if (before === undefined ? t === 0 : before.recorded === t) return;
      deps.ledger
        .append({
          kind: 'route',
          rule: plan.rule.name,
          tier: state.tiers[t].name,
          ...(plan.session !== null ? { session: plan.session } : {}),
          ...(plan.main ? { main: true as const } : {}),
        })
        .catch((err: Error) => deps.log(`warning: ledger write failed: ${err.message}`));
    },
  };
}

/**
 * The main conversation of a Claude Code session: its requests with no `x-claude-code-agent-id` (not a subagent)
 * that do not name the small fast model (the haiku family: titles, summaries, the start-up quota probe; Claude
 * Code's `ANTHROPIC_DEFAULT_HAIKU_MODEL`, "the model to use for haiku, or background functionality",
 * https://code.claude.com/docs/en/model-config). The caller has checked the session header.
 */
export function isMainConversation(request: RouteRequest): boolean {
  return request.headers[AGENT_HEADER] === undefined && modelFamily(request.model) !== 'haiku';
}
