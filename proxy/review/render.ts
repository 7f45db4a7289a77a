// Plain-text rendering of each view: aligned tables, colour only through the Chalk instance given.

import type { ChalkInstance } from 'chalk';
import { formatDuration } from '../duration.ts';
import { renderTable } from '../text-table.ts';
import type { AcceptResult } from './accept.ts';
import type { AnalyzeReport, AnalyzeRow } from './analyze.ts';
import type { CostsReport } from './costs.ts';
import { PRICES_READ_ON } from '../prices.ts';
import type { RollbackResult } from './rollback.ts';
import { printablePath } from '../git/left-out.ts';
import type { ShownCommit } from './show.ts';
import type { Timeline } from './timeline.ts';
import type { UsageTotals } from './usage.ts';
import { savedUsd, unpricedNote as unpricedText, usd } from '../money.ts';

/**
 * Pads cells to the widest in each column; `right` columns align numbers. Colour goes on after padding.
 * When the table is wider than `width` (a terminal's columns), each row becomes a block instead: its first
 * cell, then `column value` pairs wrapped to the width.
 */
export function table(head: string[], rows: string[][], right: boolean[], c: ChalkInstance, width = Infinity): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const wide = widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  if (wide > width) return rows.map((r) => narrowRow(head, r, width)).join('\n');
  const [first, ...rest] = renderTable([head, ...rows], { align: right.map((r) => (r ? 'right' : 'left')) }).split('\n');
  return [c.bold(first), ...rest].join('\n');
}

function narrowRow(head: string[], row: string[], width: number): string {
  const lines = [row[0].trim()];
  let current = ' ';
  for (let i = 1; i < row.length; i++) {
    if (row[i] === '' || row[i] === '-') continue;
    const pair = `${head[i]} ${row[i]}`;
    if (current.length > 1 && current.length + 3 + pair.length > width) {
      lines.push(current);
      current = ' ';
    }
    current += current.length > 1 ? ` · ${pair}` : ` ${pair}`;
  }
  if (current.length > 1) lines.push(current);
  return lines.join('\n');
}

export const int = (n: number | null | undefined): string => (n === null || n === undefined ? 'unknown' : n.toLocaleString('en-US'));
export { usd };
const day = (iso: string | undefined): string => (iso ? iso.replace('T', ' ').slice(0, 16) : '-');
const modelName = (m: string | null): string => m ?? '(no model)';

function unpricedNote(u: UsageTotals | null, c: ChalkInstance, width: number): string[] {
  if (!u || u.unpriced.length === 0) return [];
  const note = unpricedText(u.unpriced, PRICES_READ_ON);
  return wrap(note, width).map((l) => c.yellow(l));
}

/** Words into lines of at most `width` characters (a longer word keeps a line of its own). */
function wrap(text: string, width: number): string[] {
  if (text.length <= width) return [text];
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return [...lines, line];
}

export function renderAnalyze(r: AnalyzeReport, c: ChalkInstance, width = Infinity): string {
  const head = [
    'model',
    'commits',
    'pending',
    'accepted',
    'rolled back',
    'runs',
    'files',
    '+lines',
    '-lines',
    'first',
    'last',
    'tokens in',
    'tokens out',
    'cost',
  ];
  // Commits without a model are nobody's work to accept or roll back: their status columns stay empty.
  const cells = (name: string, x: Omit<AnalyzeRow, 'model'>, noModel = false): string[] => [
    name,
    int(x.commits),
    noModel ? '-' : int(x.pending),
    noModel ? '-' : int(x.accepted),
    noModel ? '-' : int(x.rolled_back),
    int(x.runs),
    int(x.files),
    int(x.lines_added),
    int(x.lines_removed),
    day(x.first_commit?.date),
    day(x.last_commit?.date),
    noModel ? '-' : int(x.usage?.input_tokens),
    noModel ? '-' : int(x.usage?.output_tokens),
    noModel ? '-' : usd(x.usage ? x.usage.cost_usd : null),
  ];
  const rows = [...r.rows.map((x) => cells(modelName(x.model), x, x.model === null)), cells('total', r.total)];
  const right = head.map((_, i) => (i > 0 && i < 9) || i > 10);
  const out = [table(head, rows, right, c, width)];
  if (!r.total.usage) out.push(c.dim('no ledger yet: no tokens or costs recorded (the proxy writes them)'));
  out.push(...unpricedNote(r.total.usage, c, width));
  return out.join('\n') + '\n';
}

export function renderTimeline(t: Timeline, c: ChalkInstance, width = Infinity): string {
  const head = ['when (UTC)', 'from', 'to', 'why', 'ran', 'auto-commit'];
  const rows = t.entries.map((e) => [
    day(e.ts),
    e.from ?? '-',
    e.to ?? '-',
    e.status !== null ? `${e.reason} (${e.status})` : e.reason,
    e.ran_ms === null ? '-' : formatDuration(e.ran_ms),
    e.commit ? e.commit.slice(0, 12) : '-',
  ]);
  const out = [table(head, rows, [false, false, false, false, true, false], c, width)];
  if (t.entries.length === 0) out.push(c.dim('no switches in this period'));
  out.push(
    t.active
      ? `active now: ${c.bold(t.active.model)} since ${day(t.active.since)} (${formatDuration(t.active.ran_ms)})`
      : 'no proxy running',
  );
  return out.join('\n') + '\n';
}

export function renderCosts(r: CostsReport, c: ChalkInstance, width = Infinity): string {
  const head = ['model', 'requests', 'tokens in', 'tokens out', 'cache read', 'cache write', 'cost', 'cache saved'];
  const right = [false, true, true, true, true, true, true, true];
  const cells = (name: string, u: UsageTotals) => [
    name,
    int(u.requests),
    int(u.input_tokens),
    int(u.output_tokens),
    int(u.cache_read_tokens),
    int(u.cache_write_tokens),
    usd(u.cost_usd),
    savedUsd(u.cache_savings_usd),
  ];
  const byModel = table(head, [...r.by_model.map((m) => cells(m.model, m)), cells('total', r.total)], right, c, width);
  const dayRows: string[][] = [];
  for (const d of r.by_day) {
    dayRows.push(cells(d.day, d).map((x) => c.bold(x)));
    for (const m of d.models) dayRows.push(cells(`  ${m.model}`, m));
  }
  const byDay = table(['day', ...head.slice(1)], dayRows, right, c, width);
  // By routing rule (docs/routing.md): shown once a rule planned a request in the period; `unrouted` is the rest.
  const byRoute = r.by_route.some((x) => x.route !== null)
    ? [
        '',
        c.bold('By route'),
        table(
          ['route', ...head.slice(1)],
          r.by_route.map((x) => cells(x.route ?? 'unrouted', x)),
          right,
          c,
          width,
        ),
      ]
    : [];
  const empty = r.total.requests === 0 ? [c.dim('no usage lines in this period')] : [];
  return (
    [c.bold('By model'), byModel, ...byRoute, '', c.bold('By day (UTC)'), byDay, ...empty, ...unpricedNote(r.total, c, width)].join('\n') +
    '\n'
  );
}

export function renderShow(tier: string, commits: readonly ShownCommit[], all: boolean, c: ChalkInstance): string {
  if (commits.length === 0) return `${tier} has no ${all ? '' : 'pending '}commits\n`;
  return commits
    .map((x) => `${c.yellow(`commit ${x.sha}`)} ${c.dim(`[${x.status.replace('_', ' ')}]`)}\n${x.diff.replace(/\n*$/, '\n')}`)
    .join('\n');
}

export function renderRollback(r: RollbackResult, c: ChalkInstance): string {
  if (r.commits.length === 0) return `${r.model} has no pending commits to roll back\n`;
  const list = r.commits.map((x) => `  ${x.sha.slice(0, 12)} ${x.subject}`).join('\n');
  const tags = r.tags.map((t) => `  ${t.from} -> ${t.to}`).join('\n');
  const kept = r.kept.map((k) => `  ${printablePath(k.path)} (${k.commit.slice(0, 12)})`).join('\n');
  if (r.dry_run)
    return `would revert ${r.commits.length} commit(s) of ${r.model}, newest first:\n${list}\n${kept ? `would keep the person's lines in:\n${kept}\n` : ''}${tags ? `would rename tags:\n${tags}\n` : ''}`;
  return `${c.green('rolled back')} ${r.model}: ${r.commits.length} commit(s) reverted in ${r.revert_commit?.slice(0, 12)}\n${list}\n${kept ? `kept the person's lines in:\n${kept}\n` : ''}${tags ? `tags renamed:\n${tags}\n` : ''}`;
}

export function renderAccept(r: AcceptResult, c: ChalkInstance): string {
  const out: string[] = [];
  if (r.test) out.push(`${r.test.passed ? c.green('test passed') : c.red('test failed')}: ${r.test.command} (exit ${r.test.exit_code})`);
  if (r.rollback) {
    out.push(c.red(`not accepted; rolled back instead. The end of the test's output:`), r.test?.output_tail ?? '');
    return out.join('\n') + '\n' + renderRollback(r.rollback, c);
  }
  if (r.tags.length === 0 && !r.created_tag) out.push(`${r.model}: nothing pending to accept`);
  else out.push(`${c.green('accepted')} ${r.model}: ${r.commits.length} commit(s)`);
  for (const t of r.tags) out.push(`  ${t.from} -> ${t.to}`);
  if (r.created_tag) out.push(`  new tag ${r.created_tag}`);
  return out.join('\n') + '\n';
}
