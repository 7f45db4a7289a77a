// The result table: one row per figure, each against its baseline measured in the same run.

import { renderTable } from '../../proxy/text-table.ts';

export type Row = {
  row: string;
  baseline: string;
  subject: string;
  /** `+0.21 ms`, `1.04×`, `0 errors`… */
  delta: string;
  target: string;
  /** null for an informational row without a target. */
  met: boolean | null;
};

const HEAD: Row = { row: 'row', baseline: 'baseline', subject: 'subject', delta: 'added / ratio', target: 'target', met: null };
const KEYS = ['row', 'baseline', 'subject', 'delta', 'target'] as const;

function mark(met: boolean | null): string {
  return met === null ? '' : met ? '✓' : '✗';
}

/** Aligned plain text for the terminal. */
export function renderText(rows: readonly Row[]): string {
  return renderTable([HEAD, ...rows].map((r, i) => [...KEYS.map((k) => r[k]), i === 0 ? 'met' : mark(r.met)]));
}

/** A GitHub Markdown table for the README. */
export function renderMarkdown(rows: readonly Row[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const out = ['| row | baseline | subject | added / ratio | target | met |', '|---|---|---|---|---|---|'];
  for (const r of rows) out.push(`| ${KEYS.map((k) => esc(r[k])).join(' | ')} | ${mark(r.met)} |`);
  return out.join('\n');
}

export const ms = (n: number, digits = 2) => `${n.toFixed(digits)} ms`;
export const signedMs = (n: number, digits = 2) => `${n >= 0 ? '+' : '−'}${Math.abs(n).toFixed(digits)} ms`;
export const ratio = (n: number) => `${n.toFixed(2)}×`;
