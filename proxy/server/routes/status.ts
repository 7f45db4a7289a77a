// GET /health (alive, and which tier answers) and GET /status (every tier: health, cooldown, last
// failure, counters; and the tiers skipped at start).

import { json } from '../exchange.ts';
import type { ProxyContext, Route } from '../route.ts';

export const healthRoute: Route = {
  method: 'GET',
  path: '/health',
  handle: (_req, res, { state }) => json(res, 200, { status: 'ok', active: state.tiers[state.active].name }),
};

export const statusRoute: Route = {
  method: 'GET',
  path: '/status',
  handle: (_req, res, ctx) => json(res, 200, status(ctx)),
};

function status({ state, config, live }: ProxyContext) {
  const now = state.clock.now();
  return {
    active: state.tiers[state.active].name,
    run_started_at: state.runStartedAt,
    tiers: state.tiers.map((t, i) => {
      const failure = state.lastFailure[i];
      return {
        name: t.name,
        protocol: t.protocol,
        model: t.model ?? null,
        healthy: state.ready(i, now),
        cooldown_until: state.ready(i, now) ? null : new Date(state.cooldownUntil[i]).toISOString(),
        last_failure: failure ? { reason: failure.reason, status: failure.status, at: new Date(failure.at).toISOString() } : null,
        ...state.counters[i],
      };
    }),
    skipped: config.skipped,
    ...live.status(now),
  };
}
