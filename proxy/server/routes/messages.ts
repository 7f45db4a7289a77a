// POST /v1/messages: the conversation itself, through the fallback engine.

import { handleMessages } from '../../engine/engine.ts';
import { readClientRequest } from '../body.ts';
import { abortOnClientClose } from '../exchange.ts';
import type { Route } from '../route.ts';

export const messagesRoute: Route = {
  method: 'POST',
  path: '/v1/messages',
  async handle(req, res, ctx) {
    const signal = abortOnClientClose(res);
    // The call holds the only reference to the body, so the engine can let it go once an answer streams.
    const request = await readClientRequest(req, ctx.config.proxy.maxBodyBytes);
    ctx.live.workdir.observe(request.body);
    ctx.edits.record(request.body, ctx.state.tiers[ctx.state.active].name); // which files the model wrote, from the tool results
    await handleMessages({ res, request, model: request.body.model, stream: request.body.stream === true, signal }, ctx.engine);
  },
};
