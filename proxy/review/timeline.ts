// `--log`: the switch timeline from the ledger: when, from → to, why, how long the model before ran. Pure.
// A proxy that died without its stop line (SIGKILL, a crash, a closed terminal before it handled SIGHUP) shows
// as a `stop` with reason `died`, at the last line it wrote: when a later start follows, or when no live proxy
// holds the repository's pid file.

import type { LedgerEvent } from '../git/ledger.ts';
import { inWindow, type Window } from './usage.ts';

export type TimelineEntry = {
  ts: string;
  kind: 'start' | 'switch' | 'stop';
  /** The model that was active before (null at a start). */
  from: string | null;
  /** The model active after (null at a stop). */
  to: string | null;
  /** The switch reason; `start`/`stop` for those lines; `died` for a run whose proxy ended without a stop line. */
  reason: string;
  status: number | null;
  /** How long `from` had been active, ms; null when its start is not in the ledger. */
  ran_ms: number | null;
  /** The auto-commit made at the switch (null: nothing to commit, or it failed). */
  commit: string | null;
  tag: string | null;
};

export type Timeline = {
  entries: TimelineEntry[];
  /** The model active after the last line, and since when (null when the proxy stopped). */
  active: { model: string; since: string; ran_ms: number } | null;
};

/** `running`: whether the proxy that wrote the last start line is alive (undefined: not known, taken as alive). */
export function timeline(events: readonly LedgerEvent[], window: Window, now: number = Date.now(), running?: boolean): Timeline {
  const all: TimelineEntry[] = [];
  let active: { model: string; since: string } | null = null;
  /** The latest line the running proxy wrote: its last sign of life. */
  let lastSeen = '';
  const died = (run: { model: string; since: string }): TimelineEntry => ({
    ts: lastSeen,
    kind: 'stop',
    from: run.model,
    to: null,
    reason: 'died',
    status: null,
    ran_ms: Date.parse(lastSeen) - Date.parse(run.since),
    commit: null,
    tag: null,
  });
  for (const e of events) {
    if (e.kind === 'usage' || e.kind === 'edit' || e.kind === 'external') {
      if (active) lastSeen = e.ts;
      continue;
    }
    if (e.kind !== 'start' && e.kind !== 'switch' && e.kind !== 'stop') continue;
    const ranMs = active ? Date.parse(e.ts) - Date.parse(active.since) : null;
    if (e.kind === 'start') {
      if (active) all.push(died(active));
      all.push({ ts: e.ts, kind: 'start', from: null, to: e.active, reason: 'start', status: null, ran_ms: null, commit: null, tag: null });
      active = { model: e.active, since: e.ts };
    } else if (e.kind === 'switch') {
      const from = e.from ?? active?.model ?? null;
      const ran = active && active.model === from ? ranMs : null;
      all.push({
        ts: e.ts,
        kind: 'switch',
        from,
        to: e.to,
        reason: e.reason,
        status: e.status ?? null,
        ran_ms: ran,
        commit: e.commit ?? null,
        tag: e.tag ?? null,
      });
      active = { model: e.to, since: e.ts };
    } else {
      all.push({
        ts: e.ts,
        kind: 'stop',
        from: e.active ?? active?.model ?? null,
        to: null,
        reason: 'stop',
        status: null,
        ran_ms: ranMs,
        commit: null,
        tag: null,
      });
      active = null;
    }
    lastSeen = e.ts;
  }
  if (active && running === false) {
    all.push(died(active));
    active = null;
  }
  return {
    entries: all.filter((x) => inWindow(Date.parse(x.ts), window)),
    active: active ? { ...active, ran_ms: now - Date.parse(active.since) } : null,
  };
}
