// Blame as text, like `git blame`'s short form with the model in place of the author, and its JSON: one colour per
// model from proxy/model-colors.ts (the dashboard's), only on a terminal and never with NO_COLOR.

import { Chalk, type ChalkInstance } from 'chalk';
import { MODEL_COLORS, modelSlots } from '../model-colors.ts';
import { renderTable } from '../text-table.ts';
import { escapeControl } from '../terminal-text.ts';
import { contributorLabel, contributorModel, NOTES_REF } from '../attribution/note-format.ts';
import type { BlameContributor, BlameLine } from './blame.ts';
import type { LinesReport } from './survivors.ts';

/** A chalk for the terminal views: off unless stdout is a terminal and NO_COLOR is unset or empty. */
export function terminalChalk(io: { isTTY: boolean; env: NodeJS.ProcessEnv }): ChalkInstance {
  const on = io.isTTY && (io.env.NO_COLOR === undefined || io.env.NO_COLOR === '');
  // 24-bit where the terminal says it has it (COLORTERM), else the 256-colour approximation.
  return new Chalk({ level: !on ? 0 : /^(truecolor|24bit)$/i.test(io.env.COLORTERM ?? '') ? 3 : 2 });
}

export const labelOf = (c: BlameContributor): string => (c.type === 'uncommitted' ? 'not committed' : contributorLabel(c));
export const modelOf = (c: BlameContributor): string | null => (c.type === 'uncommitted' ? null : contributorModel(c));

/** Lines per label, in the order of first appearance. */
export function blameSummary(
  lines: readonly BlameLine[],
): { who: string; model: string | null; type: BlameContributor['type']; lines: number }[] {
  const rows = new Map<string, { who: string; model: string | null; type: BlameContributor['type']; lines: number }>();
  for (const l of lines) {
    const who = labelOf(l.contributor);
    const row = rows.get(who) ?? rows.set(who, { who, model: modelOf(l.contributor), type: l.contributor.type, lines: 0 }).get(who)!;
    row.lines += 1;
  }
  return [...rows.values()];
}

export function blameJson(file: string, rev: string | null, lines: readonly BlameLine[]) {
  return { file, rev, lines, summary: blameSummary(lines) };
}

/** `<sha> <who> <n>) <line>` per line; `tierOrder` gives the colours the dashboard gives. */
export function renderBlame(lines: readonly BlameLine[], c: ChalkInstance, tierOrder: readonly string[] = []): string {
  const slot = modelSlots(tierOrder);
  const width = Math.max(6, ...lines.map((l) => labelOf(l.contributor).length));
  const numWidth = String(lines.length).length;
  const out: string[] = [];
  for (const l of lines) {
    const who = labelOf(l.contributor).padEnd(width);
    const model = modelOf(l.contributor);
    const painted = model !== null ? c.hex(MODEL_COLORS[slot(model)].light)(who) : l.contributor.type === 'uncommitted' ? c.dim(who) : who;
    const sha = l.commit ? l.commit.slice(0, 8) : '00000000';
    // A line of the repository's file is not trusted: no control sequence of it reaches the terminal (a CRLF file's CR is dropped).
    out.push(`${c.dim(sha)} ${painted} ${String(l.line).padStart(numWidth)}) ${escapeControl(l.content.replace(/\r$/, ''))}`);
  }
  return out.join('\n') + (out.length ? '\n' : '');
}

/** `review --lines`: one row per model (then the person) with the lines of HEAD it wrote and in how many files. */
export function renderLines(r: LinesReport, c: ChalkInstance, tierOrder: readonly string[] = []): string {
  if (r.notes === 0) return `no attribution notes yet (${NOTES_REF}): nothing to count\n`;
  const slot = modelSlots(tierOrder);
  const pct = (n: number) => (r.total ? `${((100 * n) / r.total).toFixed(1)}%` : '–');
  const rows = r.rows.map((row) => [
    row.model !== null ? c.hex(MODEL_COLORS[slot(row.model)].light)(row.who) : row.who,
    String(row.lines),
    pct(row.lines),
    String(row.files),
  ]);
  const table = renderTable(
    [['who', 'lines at HEAD', 'share', 'files'], ...rows, ['total', String(r.total), pct(r.total), String(r.files)]],
    {
      align: ['left', 'right', 'right', 'right'],
    },
  );
  return `${table}\n${c.dim(`${r.files} file(s) at HEAD named by ${r.notes} note(s); lines of other files are the person's and not counted`)}\n`;
}
