// POST /v1/messages: the conversation itself, through the fallback engine.

import { handleMessages } from '../../engine/engine.ts';
import { readClientRequest } from '../body.ts';
import { abortOnClientClose } from '../exchange.ts';
import type { Route } from '../route.ts';

/** Claude Code names its session in every request (x-claude-code-session-id); a value that is not a plain id is dropped. */
function sessionOf(header: string | string[] | undefined): string | null {
  const v = Array.isArray(header) ? header[0] : header;
  return v && /^[A-Za-z0-9._:-]{1,128}$/.test(v) ? v : null;
}

export const messagesRoute: Route = {
  method: 'POST',
  path: '/v1/messages',
  async handle(req, res, ctx) {
    const signal = abortOnClientClose(res);
    // The call holds the only reference to the body, so the engine can let it go once an answer streams.
    const request = await readClientRequest(req, ctx.config.proxy.maxBodyBytes);
    ctx.live.workdir.observe(request.body);
    ctx.edits.record(request.body, ctx.state.tiers[ctx.state.active].name); // which files the model wrote, from the tool results
    // The work tree after the last answer's tools; this answer's tool calls wait for that tree read.
    const beforeTools = ctx.snapshots.record(request.body, sessionOf(req.headers['x-claude-code-session-id'])) ?? undefined;
    await handleMessages(
      { res, request, model: request.body.model, stream: request.body.stream === true, signal, beforeTools },
      ctx.engine,
    );
  },
};
