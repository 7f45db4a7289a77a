// The UTC period a tier budget counts in (docs/config.md, `budget`): a day from 00:00 UTC, an ISO week from Monday
// 00:00 UTC, a month from the 1st 00:00 UTC. Pure.

import type { Budget } from '../config.ts';

const DAY_MS = 86_400_000;

/** [start, end) in ms of the period holding `now`. */
export function budgetPeriod(per: Budget['per'], now: number): { start: number; end: number } {
  const d = new Date(now);
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (per === 'day') return { start: midnight, end: midnight + DAY_MS };
  if (per === 'week') {
    const sinceMonday = (d.getUTCDay() + 6) % 7; // getUTCDay: 0 is Sunday
    const start = midnight - sinceMonday * DAY_MS;
    return { start, end: start + 7 * DAY_MS };
  }
  return { start: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) };
}
