// Generic JSON webhook payload: the ledger event itself, exactly as the ledger holds it.

import type { NotifyEvent } from './message.ts';

export function toWebhookBody(event: NotifyEvent): NotifyEvent {
  return event;
}
