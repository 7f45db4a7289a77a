// `--analyze`: one row per model (and one for commits without a model) over HEAD's history, plus a total. Pure.

import type { LedgerEvent } from '../git/ledger.ts';
import type { Commit } from './history.ts';
import type { PriceLookup } from '../prices.ts';
import type { Graph, Status } from './status.ts';
import type { RunTag } from './tags.ts';
import { emptyUsage, groupUsage, inWindow, mergeUsage, usageEvents, type UsageTotals, type Window } from './usage.ts';

export type CommitRef = { sha: string; date: string };

export type AnalyzeRow = {
  /** null: commits without a `Model:` trailer (their status counts stay 0). */
  model: string | null;
  commits: number;
  pending: number;
  accepted: number;
  rolled_back: number;
  runs: number;
  files: number;
  lines_added: number;
  lines_removed: number;
  first_commit: CommitRef | null;
  last_commit: CommitRef | null;
  /** null when there is no ledger yet, and for the no-model row (usage lines always name a tier). */
  usage: UsageTotals | null;
};

export type AnalyzeReport = { rows: AnalyzeRow[]; total: Omit<AnalyzeRow, 'model'> };

export type AnalyzeInput = {
  commits: readonly Commit[];
  graph: Graph;
  statuses: ReadonlyMap<string, Status>;
  tags: readonly RunTag[];
  ledger: readonly LedgerEvent[] | null;
  /** The usage by tier inside the window when known without the lines (from the ledger's summary); else from `ledger`. */
  usageByTier?: ReadonlyMap<string, UsageTotals>;
  /** Config tier names: rows come in this order, then other models by name, then no-model. */
  tierOrder: readonly string[];
  window: Window;
  lookup: PriceLookup;
};

type Acc = { row: AnalyzeRow; files: Set<string>; runs: Set<string>; first: number; last: number };

function newAcc(model: string | null, withUsage: boolean): Acc {
  const row: AnalyzeRow = {
    model,
    commits: 0,
    pending: 0,
    accepted: 0,
    rolled_back: 0,
    runs: 0,
    files: 0,
    lines_added: 0,
    lines_removed: 0,
    first_commit: null,
    last_commit: null,
    usage: withUsage && model !== null ? emptyUsage() : null,
  };
  return { row, files: new Set(), runs: new Set(), first: Infinity, last: -Infinity };
}

function addCommit(acc: Acc, c: Commit, status: Status | undefined): void {
  const r = acc.row;
  r.commits += 1;
  if (status === 'pending') r.pending += 1;
  else if (status === 'accepted') r.accepted += 1;
  else if (status === 'rolled_back') r.rolled_back += 1;
  r.lines_added += c.added;
  r.lines_removed += c.removed;
  for (const f of c.files) acc.files.add(f);
  if (c.time < acc.first) [acc.first, r.first_commit] = [c.time, { sha: c.sha, date: c.date }];
  if (c.time >= acc.last) [acc.last, r.last_commit] = [c.time, { sha: c.sha, date: c.date }];
}

export function analyze(input: AnalyzeInput): AnalyzeReport {
  const withUsage = input.ledger !== null;
  const accs = new Map<string | null, Acc>();
  const accFor = (model: string | null): Acc => accs.get(model) ?? (accs.set(model, newAcc(model, withUsage)).get(model) as Acc);
  const total = newAcc(null, withUsage);
  if (withUsage) total.row.usage = emptyUsage();

  for (const c of input.commits) {
    if (!input.graph.fromHead.has(c.sha) || !inWindow(c.time, input.window)) continue;
    const status = input.statuses.get(c.sha);
    for (const m of c.models.length > 0 ? c.models : [null]) addCommit(accFor(m), c, status);
    addCommit(total, c, status);
  }
  for (const t of input.tags) {
    if (!input.graph.fromHead.has(t.commit) || !inWindow(t.time, input.window)) continue;
    // A `.N` suffix only avoided a name clash: it is the same run.
    const run = `${t.tier}\0${t.stamp.replace(/\.\d+$/, '')}`;
    accFor(t.tier).runs.add(run);
    total.runs.add(run);
  }
  if (input.ledger) {
    for (const [tier, usage] of input.usageByTier ?? groupUsage(usageEvents(input.ledger, input.window), (e) => e.tier, input.lookup)) {
      mergeUsage(accFor(tier).row.usage as UsageTotals, usage);
      mergeUsage(total.row.usage as UsageTotals, usage);
    }
  }

  const rank = (m: string | null): [number, string] => {
    if (m === null) return [2, ''];
    const i = input.tierOrder.indexOf(m);
    return i >= 0 ? [0, String(i).padStart(6, '0')] : [1, m];
  };
  const rows = [...accs.values()].map(finish).sort((a, b) => {
    const [ra, ka] = rank(a.model);
    const [rb, kb] = rank(b.model);
    return ra - rb || (ka < kb ? -1 : ka > kb ? 1 : 0);
  });
  const { model: _model, ...totalRow } = finish(total);
  return { rows, total: totalRow };
}

function finish(acc: Acc): AnalyzeRow {
  return { ...acc.row, files: acc.files.size, runs: acc.runs.size };
}
