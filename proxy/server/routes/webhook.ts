// POST /webhook {"model","event_type"}: a monitor's event. One that says to fall back or switch to one
// of this proxy's tiers is a real switch; any other is written to the ledger and notified. At most
// WEBHOOK_EVENTS_PER_MINUTE are accepted (switches included); the rest get 429 and leave no trace.

import { ProxyError } from '../../wire/errors.ts';
import type { NotifyEvent } from '../../notify/index.ts';
import { readBody } from '../body.ts';
import { json } from '../exchange.ts';
import type { Route } from '../route.ts';

const MAX_WEBHOOK_BODY = 64 * 1024;
export const WEBHOOK_EVENTS_PER_MINUTE = 10;

export const webhookRoute: Route = {
  method: 'POST',
  path: '/webhook',
  async handle(req, res, { state, switcher, ledger, notifier, webhookLimit }) {
    const body = parseWebhook(await readBody(req, MAX_WEBHOOK_BODY));
    const taken = webhookLimit.take(state.clock.now());
    if (!taken.ok)
      throw new ProxyError(429, 'rate_limit_error', `more than ${WEBHOOK_EVENTS_PER_MINUTE} webhook events in a minute`, {
        'retry-after': String(Math.max(1, Math.ceil(taken.retryAfterMs / 1000))),
      });
    const tier = state.tiers.findIndex((t) => t.name === body.model);
    if (tier !== -1 && /^(fallback|switch)$/.test(body.event_type)) {
      // A monitor says to use one of our tiers: a real switch, recorded and committed like any other. Its
      // cooldown is lifted too, or the next request would skip the tier it was just told to use.
      state.lift(tier);
      await switcher.ensureActive(tier, 'external');
      return json(res, 200, { status: 'switched', active: state.tiers[state.active].name });
    }
    const event = await ledger.append({
      kind: 'external',
      model: body.model,
      event_type: body.event_type,
      active: state.tiers[state.active].name,
    });
    notifier.notify(event as NotifyEvent);
    return json(res, 200, { status: 'recorded', active: state.tiers[state.active].name });
  },
};

function parseWebhook(raw: Buffer): { model: string; event_type: string } {
  let body: { model?: unknown; event_type?: unknown };
  try {
    body = JSON.parse(raw.toString('utf8')) as typeof body;
  } catch {
    throw new ProxyError(400, 'invalid_request_error', 'webhook body must be JSON like {"model":"…","event_type":"…"}');
  }
  if (typeof body?.model !== 'string' || typeof body.event_type !== 'string' || body.model === '' || body.event_type === '')
    throw new ProxyError(400, 'invalid_request_error', 'webhook body needs string fields "model" and "event_type"');
  return { model: body.model, event_type: body.event_type };
}
