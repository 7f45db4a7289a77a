// Discord webhook payload for a switch: a content line plus an embed; mentions are disabled so no text can ping anyone.
// https://discord.com/developers/docs/resources/webhook#execute-webhook

import type { NotifyContext } from './context.ts';
import { toReadable, type NotifyEvent } from './message.ts';

export type DiscordEmbed = {
  title: string;
  description: string;
  color: number;
  timestamp: string;
  fields: { name: string; value: string; inline: boolean }[];
};
export type DiscordMessage = {
  username: string;
  content: string;
  embeds: DiscordEmbed[];
  allowed_mentions: { parse: never[] };
};

const AMBER = 0xf0a020;
const GREEN = 0x2ecc71;
const BLUE = 0x3498db;

/** Builds the message from the event fields and the repository context only. */
export function toDiscordMessage(event: NotifyEvent, context: NotifyContext): DiscordMessage {
  const r = toReadable(event, context);
  const fields = r.facts.map((f) => ({
    name: f.name,
    // Discord renders `<t:unix:R>` as a relative time in the reader's own locale.
    value:
      (f.name === 'Primary expected back' || f.name === 'Back') && r.retryAt
        ? `${f.value} (<t:${Math.floor(r.retryAt.getTime() / 1000)}:R>)`
        : f.value,
    inline: true,
  }));
  const color = event.kind === 'external' ? BLUE : event.kind === 'switch' && event.reason === 'recovered' ? GREEN : AMBER;
  const ts = new Date(event.ts);
  return {
    username: 'claude-fallback',
    content: `${r.headline} (${r.reason}) in ${context.repoName}${context.branch ? ` on ${context.branch}` : ''}`.slice(0, 2000),
    embeds: [
      {
        title: r.headline.slice(0, 256),
        description: `Reason: ${r.reason}`,
        color,
        timestamp: Number.isNaN(ts.getTime()) ? new Date().toISOString() : ts.toISOString(),
        fields,
      },
    ],
    allowed_mentions: { parse: [] },
  };
}
