// Any other path (GET /v1/models, …) goes as it came to the first tier that speaks Anthropic's protocol
// and is not cooling down, else to the first such tier at all.

import { forward } from '../../engine/forward.ts';
import { tierSecrets } from '../../redact.ts';
import type { BytesAdapter } from '../../providers/provider.ts';
import type { TierConfig } from '../../config.ts';
import { ProxyError } from '../../wire/errors.ts';
import { readBody } from '../body.ts';
import { abortOnClientClose, pathOf } from '../exchange.ts';
import type { FallbackRoute, ProxyContext } from '../route.ts';

export const passThroughRoute: FallbackRoute = {
  async handle(req, res, ctx) {
    const target = passThroughTier(ctx);
    if (!target) throw new ProxyError(404, 'not_found_error', `no anthropic tier to pass ${pathOf(req)} to`);
    const body = req.method !== 'GET' && req.method !== 'HEAD' ? await readBody(req, ctx.config.proxy.maxBodyBytes) : undefined;
    const upstream = target.adapter.forward(target.tier, { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body });
    return forward(res, target.tier.name, upstream, abortOnClientClose(res), { fallback: ctx.config.fallback, dispatcher: ctx.engine.dispatcher, secrets: ctx.config.tiers.flatMap(tierSecrets) });
  },
};

function passThroughTier(ctx: ProxyContext): { tier: TierConfig; adapter: BytesAdapter } | null {
  const { state, engine } = ctx;
  const candidates = [...state.plan(), ...state.tiers.keys()];
  for (const i of candidates) {
    const adapter = engine.adapters[state.tiers[i].protocol];
    if (adapter.relays === 'bytes') return { tier: state.tiers[i], adapter };
  }
  return null;
}
