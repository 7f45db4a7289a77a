// GET /health (alive, and which tier answers) and GET /status (the Run's snapshot, proxy/run/snapshot.ts: every
// tier's health, cooldown, last failure and counters, the tiers skipped at start, limits, today's usage, warnings).

import { json } from '../exchange.ts';
import type { Route } from '../route.ts';

export const healthRoute: Route = {
  method: 'GET',
  path: '/health',
  handle: (_req, res, { state }) => json(res, 200, { status: 'ok', active: state.tiers[state.active].name }),
};

export const statusRoute: Route = {
  method: 'GET',
  path: '/status',
  handle: (_req, res, { run }) => json(res, 200, run.snapshot()),
};
