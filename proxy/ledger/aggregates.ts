// Running aggregates of the ledger: usage totals by UTC day, tier and model (with the byte span of each day's usage
// lines), the switch timeline's marks and the recorded edit ids. A plain value: `add` folds one event in,
// `snapshot` hands out the state; persisted as the summary beside the ledger (summary-file.ts, docs/ledger.md).

import { recordedCost } from '../prices.ts';
import { isLedgerEvent, type LedgerEvent, type StartEvent, type StopEvent, type SwitchEvent } from '../git/ledger.ts';

export type Tally = {
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
};
/**
 * Every line's tokens, and apart those of the lines that carried their cost (`cost_usd`) with the sum of those costs:
 * the rest (written before lines carried a cost, or unpriced then) is priced when read (usage-query.ts totalsOf).
 */
export type Counts = Tally & { recorded?: Tally & { cost_usd: number } };

/**
 * One UTC day: its usage by `tier\u0000model`, or `tier\u0000model\u0000route` for the lines a routing rule planned
 * (docs/routing.md), and the byte span [first, end) of the ledger that holds its usage lines. */
export type DayUsage = { first: number; end: number; usage: Record<string, Counts> };

/** What the switch timeline needs: start/switch/stop lines, and after each the time of the latest other line. */
export type TimelineMark = StartEvent | SwitchEvent | StopEvent | { kind: 'seen'; ts: string };

export type Summary = {
  version: 4;
  /** Bytes of the ledger folded in: every complete line before this offset, none after. */
  offset: number;
  /** sha1 (hex) of the CHECK_BYTES bytes before `offset`: tells a summary of another (replaced) ledger apart. */
  check: string;
  days: Record<string, DayUsage>;
  marks: TimelineMark[];
  /**
   * The tool_use ids with an edit line, one string joined by "\n" (version 2; an array in version 1): a year holds
   * ~180k ids, and JSON reads and writes one string in a few milliseconds where an array of strings blocked the
   * event loop ~100 ms (docs/ledger.md, "Scaling"). An id that holds "\n" is never stored (it is never deduplicated).
   */
  edit_ids: string;
};

/** 3: Counts gained `recorded` (the lines' own costs); 4: keys gained the route. An older summary is rebuilt once. */
export const SUMMARY_VERSION = 4;

export function emptySummary(): Summary {
  return { version: SUMMARY_VERSION, offset: 0, check: '', days: {}, marks: [], edit_ids: '' };
}

export function emptyCounts(): Tally {
  return { requests: 0, input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0 };
}

/** A NUL inside a part (an upstream's model name is not ours) becomes U+FFFD, so a key splits back into its parts. */
const part = (s: string): string => (s.includes('\u0000') ? s.replaceAll('\u0000', '\ufffd') : s);
export const usageKey = (tier: string, model: string, route?: string): string =>
  route === undefined ? `${part(tier)}\u0000${part(model)}` : `${part(tier)}\u0000${part(model)}\u0000${part(route)}`;
/** The parts of a usage key; `route` absent for the lines no rule planned. */
export function splitKey(key: string): { tier: string; model: string; route?: string } {
  const [tier, model, route] = key.split('\u0000');
  return route === undefined ? { tier, model } : { tier, model, route };
}

/** The UTC day (YYYY-MM-DD) of a ledger timestamp, as `review --costs` buckets it. */
export function utcDay(ts: string): string {
  return new Date(Date.parse(ts)).toISOString().slice(0, 10);
}

export type Aggregates = {
  /** Folds one event in; `span` is its line's byte range in the ledger (needed for the day spans). */
  add(event: LedgerEvent, span?: { start: number; end: number }): void;
  /** The state now (shared, not copied: treat as read-only). */
  snapshot(): Summary;
  /** Whether a tool_use id already has an edit line. */
  hasEdit(id: string): boolean;
};

export function createAggregates(initial: Summary = emptySummary()): Aggregates {
  const s = initial;
  // Built on the first hasEdit (the edit recorder's, not the usage answer's): splitting ~180k ids takes tens of ms.
  let edits: Set<string> | null = null;
  const added: string[] = [];
  const editSet = (): Set<string> => (edits ??= new Set(s.edit_ids === '' ? [] : s.edit_ids.split('\n')));
  return {
    add(e, span) {
      if (e.kind === 'usage') {
        const day = utcDay(e.ts);
        let d = s.days[day];
        if (!d) d = s.days[day] = { first: span?.start ?? s.offset, end: span?.end ?? s.offset, usage: {} };
        else if (span) {
          d.first = Math.min(d.first, span.start);
          d.end = Math.max(d.end, span.end);
        }
        const key = usageKey(e.tier, e.model, typeof e.route === 'string' ? e.route : undefined);
        const c = (d.usage[key] ??= emptyCounts());
        c.requests += 1;
        c.input_tokens += e.input_tokens ?? 0;
        c.output_tokens += e.output_tokens ?? 0;
        c.cache_read_tokens += e.cache_read_tokens ?? 0;
        c.cache_write_tokens += e.cache_write_tokens ?? 0;
        const cost = recordedCost(e);
        if (cost !== undefined) {
          const r = (c.recorded ??= { ...emptyCounts(), cost_usd: 0 });
          r.requests += 1;
          r.input_tokens += e.input_tokens ?? 0;
          r.output_tokens += e.output_tokens ?? 0;
          r.cache_read_tokens += e.cache_read_tokens ?? 0;
          r.cache_write_tokens += e.cache_write_tokens ?? 0;
          r.cost_usd += cost;
        }
      } else if (e.kind === 'start' || e.kind === 'switch' || e.kind === 'stop') {
        s.marks.push(e);
        return;
      } else if (e.kind === 'edit' && !e.id.includes('\n') && !edits?.has(e.id)) {
        // Without the set (a rebuild, a catch-up before any hasEdit) a repeated id may be listed twice: harmless.
        edits?.add(e.id);
        added.push(e.id);
      }
      if (e.kind === 'usage' || e.kind === 'edit' || e.kind === 'external') {
        // timeline(): only the latest such line after a start/switch/stop matters (a dead proxy's last sign of life).
        const last = s.marks[s.marks.length - 1];
        if (last?.kind === 'seen') last.ts = e.ts;
        else if (last) s.marks.push({ kind: 'seen', ts: e.ts });
      }
    },
    snapshot() {
      if (added.length) {
        s.edit_ids = s.edit_ids === '' ? added.join('\n') : `${s.edit_ids}\n${added.join('\n')}`;
        added.length = 0;
      }
      return s;
    },
    hasEdit: (id) => editSet().has(id),
  };
}

/** Parses one ledger line; null for what readers skip (torn, unknown kind, wrong field types). */
export function parseLine(line: string): LedgerEvent | null {
  if (line.length < 2 || line.charCodeAt(0) !== 0x7b) return null;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  return isLedgerEvent(value) ? value : null;
}

/** The marks as events timeline() (proxy/review/timeline.ts) takes: a `seen` mark stands for any other line. */
export function timelineEvents(marks: readonly TimelineMark[]): LedgerEvent[] {
  return marks.map((m) => (m.kind === 'seen' ? { ts: m.ts, kind: 'external', model: '', event_type: 'seen' } : m));
}

const isTally = (v: unknown): boolean =>
  !!v &&
  typeof v === 'object' &&
  ['requests', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens'].every((k) =>
    Number.isFinite((v as Record<string, unknown>)[k]),
  );
const isCounts = (v: unknown): boolean => {
  if (!isTally(v)) return false;
  const r = (v as { recorded?: unknown }).recorded;
  return r === undefined || (isTally(r) && Number.isFinite((r as { cost_usd?: unknown }).cost_usd));
};

/** True when a parsed summary file has the shape above (anything else is rebuilt). */
export function isSummary(v: unknown): v is Summary {
  if (!v || typeof v !== 'object') return false;
  const s = v as Record<string, unknown>;
  if (s.version !== SUMMARY_VERSION || !Number.isSafeInteger(s.offset) || (s.offset as number) < 0 || typeof s.check !== 'string')
    return false;
  if (typeof s.edit_ids !== 'string') return false;
  if (
    !Array.isArray(s.marks) ||
    !s.marks.every((m) => ((m as { kind?: unknown })?.kind === 'seen' ? typeof (m as { ts?: unknown }).ts === 'string' : isLedgerEvent(m)))
  )
    return false;
  if (!s.days || typeof s.days !== 'object' || Array.isArray(s.days)) return false;
  for (const [day, d] of Object.entries(s.days as Record<string, unknown>)) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || !d || typeof d !== 'object') return false;
    const { first, end, usage } = d as Record<string, unknown>;
    if (!Number.isSafeInteger(first) || !Number.isSafeInteger(end) || !usage || typeof usage !== 'object') return false;
    if (!Object.entries(usage).every(([k, c]) => k.includes('\u0000') && isCounts(c))) return false;
  }
  return true;
}
