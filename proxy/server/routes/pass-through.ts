// Any other path (GET /v1/models, …) goes as it came to the first tier whose adapter passes other paths
// through (Anthropic itself) and is not cooling down, else to the first such tier at all.

import { forward } from '../../engine/forward.ts';
import { tierSecrets } from '../../redact.ts';
import { adapterFor } from '../../providers/adapters.ts';
import type { ForwardedRequest, UpstreamRequest } from '../../providers/provider.ts';
import type { TierConfig } from '../../config.ts';
import { ProxyError } from '../../wire/errors.ts';
import { readBody } from '../body.ts';
import { abortOnClientClose, pathOf } from '../exchange.ts';
import type { FallbackRoute, ProxyContext } from '../route.ts';

type Target = { tier: TierConfig; passThrough: (tier: TierConfig, req: ForwardedRequest) => UpstreamRequest };

export const passThroughRoute: FallbackRoute = {
  async handle(req, res, ctx) {
    const target = passThroughTier(ctx);
    if (!target) throw new ProxyError(404, 'not_found_error', `no tier takes ${pathOf(req)}: only Anthropic itself is passed other paths`);
    const body = req.method !== 'GET' && req.method !== 'HEAD' ? await readBody(req, ctx.config.proxy.maxBodyBytes) : undefined;
    const upstream = target.passThrough(target.tier, { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body });
    return forward(res, target.tier.name, upstream, abortOnClientClose(res), {
      fallback: ctx.config.fallback,
      dispatcher: ctx.engine.dispatcher,
      secrets: ctx.config.tiers.flatMap(tierSecrets),
    });
  },
};

function passThroughTier(ctx: ProxyContext): Target | null {
  const { state, engine } = ctx;
  for (const i of [...state.plan(), ...state.tiers.keys()]) {
    const tier = state.tiers[i];
    const adapter = adapterFor(tier, engine.adapters);
    if (adapter.passThrough) return { tier, passThrough: adapter.passThrough.bind(adapter) };
  }
  return null;
}
