// POST /v1/messages/count_tokens: to the active tier when its adapter counts tokens (Anthropic itself),
// with the body the messages request would send; otherwise a local estimate.

import { forward } from '../../engine/forward.ts';
import { tierSecrets } from '../../redact.ts';
import { upstreamModel } from '../../engine/model-map.ts';
import { adapterFor } from '../../providers/adapters.ts';
import { estimateInputTokens } from '../../wire/estimate-tokens.ts';
import { readClientRequest } from '../body.ts';
import { abortOnClientClose, json } from '../exchange.ts';
import type { Route } from '../route.ts';

export const countTokensRoute: Route = {
  method: 'POST',
  path: '/v1/messages/count_tokens',
  async handle(req, res, ctx) {
    const request = await readClientRequest(req, ctx.config.proxy.maxBodyBytes, { needsMaxTokens: false });
    const tier = ctx.state.tiers[ctx.state.active];
    const adapter = adapterFor(tier, ctx.engine.adapters);
    if (!adapter.countTokens) return json(res, 200, { input_tokens: estimateInputTokens(request.body) });
    const upstream = adapter.countTokens(request, { tier, model: upstreamModel(tier, request.body.model) });
    return forward(res, tier.name, upstream, abortOnClientClose(res), {
      fallback: ctx.config.fallback,
      dispatcher: ctx.engine.dispatcher,
      secrets: ctx.config.tiers.flatMap(tierSecrets),
    });
  },
};
