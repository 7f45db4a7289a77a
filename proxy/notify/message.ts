// The readable parts of a notification (headline, reason, facts), shared by the Discord and Slack builders.

import type { BudgetEvent, ExternalEvent, SwitchEvent, SwitchReason } from '../git/ledger.ts';
import { usd } from '../money.ts';
import type { NotifyContext } from './context.ts';

/** A switch, a monitor's external event, or a tier's budget reached (proxy/run/budgets.ts). */
export type NotifyEvent = SwitchEvent | ExternalEvent | BudgetEvent;
export type Fact = { name: string; value: string };
export type Readable = { headline: string; reason: string; facts: Fact[]; retryAt?: Date };

export function reasonLabel(reason: SwitchReason): string {
  switch (reason) {
    case 'rate_limit':
      return 'rate limit';
    case 'overloaded':
      return 'overloaded';
    case 'server_error':
      return 'server error';
    case 'timeout':
      return 'timeout';
    case 'network':
      return 'network error';
    case 'billing':
      return 'billing / spend limit';
    case 'recovered':
      return 'primary recovered';
    case 'manual':
      return 'manual switch';
    case 'external':
      return 'external event';
    case 'refused':
      return 'refused requests';
    case 'budget':
      return 'spend budget reached';
    case 'quota':
      return 'subscription window nearly spent (switch_before)';
    default: {
      const unknown: never = reason; // every SwitchReason has a label (tsc says which is missing); a newer ledger's word as it is
      return String(unknown);
    }
  }
}

/** Cuts text to `max` characters (with an ellipsis) and flattens line breaks: external text stays one short line. */
export function clip(text: string, max: number): string {
  const flat = text.replace(/[\r\n]+/g, ' ');
  return flat.length <= max ? flat : flat.slice(0, max - 1) + '…';
}

/** `2026-11-26 03:00 UTC`, or undefined for a missing or unreadable time. */
export function formatUtc(date: Date | undefined): string | undefined {
  if (!date || Number.isNaN(date.getTime())) return undefined;
  return date.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

/** What happened, in words, from the event fields and the repository context only: nothing secret can enter. */
export function toReadable(event: NotifyEvent, context: NotifyContext): Readable {
  const facts: Fact[] = [{ name: 'Repository', value: clip(context.repoName, 100) }];
  if (context.branch) facts.push({ name: 'Branch', value: clip(context.branch, 100) });
  if (event.kind === 'external') {
    facts.push({ name: 'Model', value: clip(String(event.model), 100) });
    return {
      headline: `External event: ${clip(String(event.event_type), 100)} (${clip(String(event.model), 60)})`,
      reason: reasonLabel('external'),
      facts,
    };
  }
  if (event.kind === 'budget') {
    const until = new Date(event.until);
    const back = formatUtc(until);
    facts.push({ name: 'Tier', value: clip(String(event.tier), 100) }, { name: 'Back', value: back ?? 'unknown' });
    return {
      headline: `Budget reached: ${clip(String(event.tier), 60)} spent ${usd(event.spent)} of ${usd(event.amount)} a ${clip(String(event.per), 10)}`,
      reason: reasonLabel('budget'),
      facts,
      retryAt: back ? until : undefined,
    };
  }
  if (event.commit !== undefined)
    facts.push({ name: 'Commit', value: event.commit ? event.commit.slice(0, 7) : 'none (nothing committed)' });
  const retryAt = event.retry_at ? new Date(event.retry_at) : undefined;
  const back = formatUtc(retryAt);
  if (event.reason !== 'recovered') facts.push({ name: 'Primary expected back', value: back ?? 'unknown' });
  const status = event.status ? `, HTTP ${event.status}` : '';
  return {
    headline: `Model switch: ${event.from} → ${event.to}`,
    reason: `${reasonLabel(event.reason)}${status}`,
    facts,
    retryAt: back ? retryAt : undefined,
  };
}
