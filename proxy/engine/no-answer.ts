// What Claude Code is told when no tier answered: every tier failed (the last failure's status), or the
// lower tiers refused while the first tier cools down (the first refusal). Either way the message also
// names why the first tier is out and until when, so "every tier failed; last: deepseek: …" does not hide
// the 429 that started it. Anthropic's error shape throughout.

import type { ServerResponse } from 'node:http';
import type { TierState } from './tier-state.ts';
import type { UpstreamError } from '../providers/provider.ts';
import { errorAnswer, sendAnswer, type ErrorAnswer } from '../wire/errors.ts';
import { formatDuration } from '../duration.ts';

/** An upstream's message is the vendor's text: one line, and short enough to sit beside another. */
function clip(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : flat.slice(0, max - 1) + '…';
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Why the first tier is out, when it is: `claude: 429 rate_limit, back at 2026-12-08T00:36:00Z (in 59m):
 * <its message>`. Null when it is not out: no failure on record, or an old one (not cooling now and not
 * failed since `since`, the request's start).
 */
export function firstTierReason(state: TierState, now: number, since = now): string | null {
  const f = state.lastFailure[0];
  const until = state.cooldownUntil[0];
  if (!f || (until <= now && f.at < since)) return null;
  const name = state.tiers[0].name;
  const what = `${f.status ? `${f.status} ` : ''}${f.reason}`;
  const back = until > now ? `, back at ${iso(until)} (in ${formatDuration(until - now)})` : '';
  return `${name}: ${what}${back}${f.message ? `: ${clip(f.message)}` : ''}`;
}

/** Every tier failed: the last upstream's status in Anthropic's shape, the first tier's reason named, and no client retry storm. */
export function sendAllFailed(
  res: ServerResponse,
  state: TierState,
  last: { tier: number; error: UpstreamError } | null,
  since: number,
): void {
  const now = state.clock.now();
  const soonest = Math.min(...state.cooldownUntil.filter((t) => t > now));
  const retryAfter = Number.isFinite(soonest) ? Math.max(1, Math.ceil((soonest - now) / 1000)) : 60;
  const e = last?.error;
  const status = e ? e.status || (e.transport === 'timeout' ? 504 : 529) : 529;
  const names = state.tiers.map((t) => t.name).join(', ');
  const first = last?.tier === 0 ? null : firstTierReason(state, now, since);
  const lastText = `${last ? state.tiers[last.tier].name + ': ' : ''}${e ? clip(e.message) : 'no tier available'}`;
  const message = `every tier failed (${names}). ${first ? `${first}; last: ` : 'last: '}${lastText}`;
  if (res.headersSent) return void res.end();
  sendAnswer(
    res,
    errorAnswer(status, e?.type ?? 'overloaded_error', message, { 'retry-after': String(retryAfter), 'x-should-retry': 'false' }),
  );
}

/**
 * A lower tier's refusal as Claude Code gets it when no tier answered, with the first tier's reason
 * added to its message (an answer not in Anthropic's error shape goes as it came).
 */
export function withFirstTierReason(answer: ErrorAnswer, state: TierState, since: number): ErrorAnswer {
  const first = firstTierReason(state, state.clock.now(), since);
  if (first === null) return answer;
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    return answer;
  }
  const err = (body as { type?: unknown; error?: { message?: unknown } } | null)?.error;
  if ((body as { type?: unknown }).type !== 'error' || typeof err?.message !== 'string') return answer;
  err.message = `${err.message} (the first tier is out: ${first})`;
  return { ...answer, body: JSON.stringify(body) };
}
