// POST /retry (`claude-fallback retry [tier]`): lifts a tier's cooldown so the next request tries it, or every
// cooling tier's when the body names none. A higher tier that then answers takes over (`reason: recovered`).
// Body: empty, or {"tier": "<name>"}. Answer: {"status":"ok","ready":[names lifted],"active":"<tier>"}.

import { closestName } from '../../closest-name.ts';
import { ProxyError } from '../../wire/errors.ts';
import { readBody } from '../body.ts';
import { json } from '../exchange.ts';
import type { Route } from '../route.ts';

export const retryRoute: Route = {
  method: 'POST',
  path: '/retry',
  async handle(req, res, { state }) {
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
      if (tier !== undefined && (typeof tier !== 'string' || tier === ''))
        throw new ProxyError(400, 'invalid_request_error', '"tier" must be a tier name');
      name = tier as string | undefined;
    }
    const now = state.clock.now();
    let targets: number[];
    if (name !== undefined) {
      const i = state.tiers.findIndex((t) => t.name === name);
      if (i === -1) {
        const names = state.tiers.map((t) => t.name);
        const near = closestName(name, names);
        throw new ProxyError(
          400,
          'invalid_request_error',
          `no tier named "${name}"${near ? `: did you mean "${near}"?` : ''} (tiers: ${names.join(', ')})`,
        );
      }
      targets = [i];
    } else {
      targets = state.tiers.map((_, i) => i).filter((i) => state.cooldownUntil[i] > now);
    }
    const lifted = targets.filter((i) => state.cooldownUntil[i] > now);
    for (const i of targets) state.lift(i);
    json(res, 200, { status: 'ok', ready: lifted.map((i) => state.tiers[i].name), active: state.tiers[state.active].name });
  },
};
