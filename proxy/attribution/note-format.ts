// The attribution note's record (docs/git.md, "Line attribution notes"): one compact JSON object per commit in
// refs/notes/claude-fallback, the format every track reads and writes. Pure: parse, build ranges, hash.

import { createHash } from 'node:crypto';

export const NOTES_REF = 'refs/notes/claude-fallback';
/** `git notes --ref=<this>` (git prefixes refs/notes/ itself). */
export const NOTES_REF_NAME = 'claude-fallback';
export const NOTE_VERSION = 'claude-fallback/1';

export type Contributor = { type: 'human' } | { type: 'ai' | 'mixed'; tier: string; model_id?: string };
export type NoteRange = { start_line: number; end_line: number; contributor: Contributor; content_hash: string };
export type NoteFile = { path: string; ranges: NoteRange[] };
export type Note = { version: typeof NOTE_VERSION; commit: string; files: NoteFile[] };

export const HUMAN: Contributor = { type: 'human' };

/** `sha256:` + hex SHA-256 of the lines joined with "\n" (no trailing newline), as Agent Trace v0.1 ranges. */
export function contentHash(lines: readonly string[]): string {
  return 'sha256:' + createHash('sha256').update(lines.join('\n')).digest('hex');
}

/** One key per distinct contributor: equal keys may share a range. */
export function contributorKey(c: Contributor): string {
  return c.type === 'human' ? 'human' : `${c.type}\0${c.tier}\0${c.model_id ?? ''}`;
}

/** A file's text as lines: split on "\n", the newline that ends the last line dropped (a "\r" stays in its line). */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * The ranges of one file: `added` maps each added line (1-based) to its contributor; consecutive lines with the
 * same contributor form one range, its hash over `lines` (the file as committed).
 */
export function rangesOf(lines: readonly string[], added: ReadonlyMap<number, Contributor>): NoteRange[] {
  const numbers = [...added.keys()].sort((a, b) => a - b);
  const ranges: NoteRange[] = [];
  for (const n of numbers) {
    const c = added.get(n)!;
    const last = ranges[ranges.length - 1];
    if (last && last.end_line === n - 1 && contributorKey(last.contributor) === contributorKey(c)) last.end_line = n;
    else ranges.push({ start_line: n, end_line: n, contributor: c, content_hash: '' });
  }
  for (const r of ranges) r.content_hash = contentHash(lines.slice(r.start_line - 1, r.end_line));
  return ranges;
}

/** True when any range of the file is a model's (`ai` or `mixed`): only such files go in a note. */
export function hasModelLines(ranges: readonly NoteRange[]): boolean {
  return ranges.some((r) => r.contributor.type !== 'human');
}

/** The note's text: one compact JSON line. */
export function formatNote(note: Note): string {
  return JSON.stringify(note) + '\n';
}

function contributorOf(v: unknown): Contributor | null {
  if (!v || typeof v !== 'object') return null;
  const c = v as Record<string, unknown>;
  if (c.type === 'human') return HUMAN;
  if ((c.type === 'ai' || c.type === 'mixed') && typeof c.tier === 'string') {
    return typeof c.model_id === 'string' ? { type: c.type, tier: c.tier, model_id: c.model_id } : { type: c.type, tier: c.tier };
  }
  return null;
}

/**
 * A note's text as a Note, or null when it does not parse or has another `version` (readers treat it as absent).
 * Unknown keys are ignored; a range or file that is malformed makes the whole note absent.
 */
export function parseNote(text: string): Note | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (!v || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  if (o.version !== NOTE_VERSION || typeof o.commit !== 'string' || !Array.isArray(o.files)) return null;
  const files: NoteFile[] = [];
  for (const f of o.files as unknown[]) {
    const file = f as Record<string, unknown> | null;
    if (!file || typeof file.path !== 'string' || !Array.isArray(file.ranges)) return null;
    const ranges: NoteRange[] = [];
    for (const r of file.ranges as unknown[]) {
      const range = r as Record<string, unknown> | null;
      const contributor = contributorOf(range?.contributor);
      if (!range || !contributor) return null;
      const { start_line: start, end_line: end, content_hash: hash } = range;
      if (!Number.isInteger(start) || !Number.isInteger(end) || (start as number) < 1 || (end as number) < (start as number)) return null;
      if (typeof hash !== 'string') return null;
      ranges.push({ start_line: start as number, end_line: end as number, contributor, content_hash: hash });
    }
    files.push({ path: file.path, ranges });
  }
  return { version: NOTE_VERSION, commit: o.commit, files };
}

/** Who wrote line `line` (1-based) of `path` in the note's commit: the range's contributor, or null when no range covers it. */
export function contributorAt(note: Note | null, path: string, line: number): Contributor | null {
  const file = note?.files.find((f) => f.path === path);
  const range = file?.ranges.find((r) => r.start_line <= line && line <= r.end_line);
  return range ? range.contributor : null;
}
