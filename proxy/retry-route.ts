// POST /retry (`claude-fallback retry [tier]`): lifts a tier's cooldown so the next request tries it, or every
// cooling tier's when the body names none. A higher tier that then answers takes over (`reason: recovered`).
// Body: empty, or {"tier": "<name>"}. Answer: {"status":"ok","ready":[names lifted],"active":"<tier>"}.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TierState } from './tier-state.ts';
import { ProxyError } from './errors.ts';

export async function handleRetry(req: IncomingMessage, res: ServerResponse, state: TierState, readBody: (req: IncomingMessage, limit: number) => Promise<Buffer>): Promise<void> {
  const raw = (await readBody(req, 4096)).toString('utf8').trim();
  let name: string | undefined;
  if (raw !== '') {
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      throw new ProxyError(400, 'invalid_request_error', 'retry body must be empty or JSON like {"tier":"claude"}');
    }
    const tier = (body as { tier?: unknown } | null)?.tier;
    if (tier !== undefined && (typeof tier !== 'string' || tier === '')) throw new ProxyError(400, 'invalid_request_error', 'retry: "tier" must be a tier name');
    name = tier as string | undefined;
  }
  const now = Date.now();
  let targets: number[];
  if (name !== undefined) {
    const i = state.tiers.findIndex((t) => t.name === name);
    if (i === -1) throw new ProxyError(400, 'invalid_request_error', `retry: no tier named "${name}" (tiers: ${state.tiers.map((t) => t.name).join(', ')})`);
    targets = [i];
  } else {
    targets = state.tiers.map((_, i) => i).filter((i) => state.cooldownUntil[i] > now);
  }
  const lifted = targets.filter((i) => state.cooldownUntil[i] > now);
  for (const i of targets) state.ready(i);
  const body = JSON.stringify({ status: 'ok', ready: lifted.map((i) => state.tiers[i].name), active: state.tiers[state.active].name });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
