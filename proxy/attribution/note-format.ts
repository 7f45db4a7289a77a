// The attribution note's record (docs/git.md, "Line attribution notes"): one compact JSON object per commit in
// refs/notes/claude-fallback, the one module every reader and writer of the notes uses. Pure: parse, build ranges,
// hash, label. A note may come from another clone (a fetch), so parsing treats it as untrusted input.

import { createHash } from 'node:crypto';

export { NOTES_REF, NOTES_REF_NAME } from './notes-ref.mjs';
export const NOTE_VERSION = 'claude-fallback/1';

/** `tier` is absent only in a parsed note whose tier was not a tier name (dropped, never printed); the writer always sets it. */
export type Contributor = { type: 'human' } | { type: 'ai' | 'mixed'; tier?: string; model_id?: string };
/** `content_hash` is absent only in a parsed note that had none (or not a string): such a range is never re-found by content. */
export type NoteRange = { start_line: number; end_line: number; contributor: Contributor; content_hash?: string };
export type NoteFile = { path: string; ranges: NoteRange[] };
export type Note = { version: typeof NOTE_VERSION; commit: string; files: NoteFile[] };

export const HUMAN: Contributor = { type: 'human' };

/** `sha256:` + hex SHA-256 of the lines joined with "\n" (no trailing newline), as Agent Trace v0.1 ranges. */
export function contentHash(lines: readonly string[]): string {
  return 'sha256:' + createHash('sha256').update(lines.join('\n')).digest('hex');
}

/** One key per distinct contributor: equal keys may share a range. */
export function contributorKey(c: Contributor): string {
  return c.type === 'human' ? 'human' : `${c.type}\0${c.tier ?? ''}\0${c.model_id ?? ''}`;
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

const isLine = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 1;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * Names from a note reach terminals, trailers and Agent Trace records, so a tier must be a tier name (proxy/config.ts's
 * rule) and a model id `provider/model` characters (Agent Trace: at most 250); anything else is dropped, never printed.
 */
const TIER = /^[A-Za-z0-9._-]{1,100}$/;
const MODEL_ID = /^[A-Za-z0-9._:/@+-]{1,250}$/;

function contributorOf(v: unknown): Contributor | null {
  if (!v || typeof v !== 'object') return null;
  const c = v as Record<string, unknown>;
  if (c.type === 'human') return HUMAN;
  if (c.type !== 'ai' && c.type !== 'mixed') return null;
  const tier = str(c.tier) !== undefined && TIER.test(c.tier as string) ? (c.tier as string) : undefined;
  const modelId = str(c.model_id) !== undefined && MODEL_ID.test(c.model_id as string) ? (c.model_id as string) : undefined;
  return { type: c.type, ...(tier ? { tier } : {}), ...(modelId ? { model_id: modelId } : {}) };
}

/**
 * A note's text as a Note, or null when it does not parse or has another `version` (readers treat it as absent).
 * Unknown keys are ignored; a malformed file or range is dropped alone, never guessed at, and names that are not
 * tier names or model ids are dropped (the contributor stays, unnamed).
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
  if (o.version !== NOTE_VERSION || !Array.isArray(o.files)) return null;
  const files: NoteFile[] = [];
  for (const f of o.files as unknown[]) {
    const path = str((f as Record<string, unknown> | null)?.path);
    const ranges = (f as Record<string, unknown> | null)?.ranges;
    if (!path || !Array.isArray(ranges)) continue;
    const kept: NoteRange[] = [];
    for (const r of ranges as (Record<string, unknown> | null)[]) {
      const contributor = contributorOf(r?.contributor);
      if (!r || !contributor || !isLine(r.start_line) || !isLine(r.end_line) || r.end_line < r.start_line) continue;
      const hash = str(r.content_hash);
      kept.push({ start_line: r.start_line, end_line: r.end_line, contributor, ...(hash ? { content_hash: hash } : {}) });
    }
    files.push({ path, ranges: kept });
  }
  return { version: NOTE_VERSION, commit: str(o.commit) ?? '', files };
}

/** Who wrote line `line` (1-based, as in the note's commit) of `path`: a line no range covers is the person's. */
export function contributorAt(note: Note | null | undefined, path: string, line: number): Contributor {
  const file = note?.files.find((f) => f.path === path);
  const range = file?.ranges.find((r) => r.start_line <= line && line <= r.end_line);
  return range?.contributor ?? HUMAN;
}

/** The label a contributor shows as, and groups under: the tier (model id when no tier), or `person`. */
export function contributorLabel(c: Contributor): string {
  if (c.type === 'human') return 'person';
  const name = c.tier ?? c.model_id ?? 'unknown model';
  return c.type === 'mixed' ? `${name}+person` : name;
}

/** The model a contributor counts for (colour, statistics), null for the person. */
export function contributorModel(c: Contributor): string | null {
  return c.type === 'human' ? null : (c.tier ?? c.model_id ?? 'unknown model');
}
