// Slack-compatible incoming-webhook payload: `{"text": …}` with Slack's three control characters escaped.
// https://api.slack.com/reference/surfaces/formatting#escaping

import type { NotifyContext } from './context.ts';
import { toReadable, type NotifyEvent } from './message.ts';

export type SlackMessage = { text: string };

function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function toSlackMessage(event: NotifyEvent, context: NotifyContext): SlackMessage {
  const r = toReadable(event, context);
  const facts = r.facts.map((f) => `${f.name}: ${f.value}`).join(' · ');
  return { text: escapeSlack(`${r.headline} (${r.reason})\n${facts}`) };
}
