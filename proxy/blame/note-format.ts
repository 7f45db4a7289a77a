// The reader's side of the attribution notes (docs/git.md, "Line attribution notes"): one JSON object per commit in
// refs/notes/claude-fallback, `version` claude-fallback/1. A note that does not parse, or has another version, is
// absent; unknown keys are ignored; a malformed range is dropped, never guessed at.

export const NOTES_REF = 'refs/notes/claude-fallback';
export const NOTE_VERSION = 'claude-fallback/1';

export type Contributor = { type: 'ai' | 'mixed'; tier?: string; model_id?: string } | { type: 'human' };

export type NoteRange = { start_line: number; end_line: number; contributor: Contributor; content_hash?: string };
export type NoteFile = { path: string; ranges: NoteRange[] };
export type Note = { version: typeof NOTE_VERSION; commit: string; files: NoteFile[] };

const isLine = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 1;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * A note may come from another clone (a fetch): its names reach terminals and trailers, so a tier must be a tier name
 * (proxy/config.ts's rule) and a model id `provider/model` characters (Agent Trace: at most 250); anything else is
 * dropped, never printed.
 */
const TIER = /^[A-Za-z0-9._-]{1,100}$/;
const MODEL_ID = /^[A-Za-z0-9._:/@+-]{1,250}$/;

function contributorOf(v: unknown): Contributor | null {
  if (!v || typeof v !== 'object') return null;
  const c = v as Record<string, unknown>;
  if (c.type === 'human') return { type: 'human' };
  if (c.type !== 'ai' && c.type !== 'mixed') return null;
  const tier = str(c.tier) !== undefined && TIER.test(c.tier as string) ? (c.tier as string) : undefined;
  const modelId = str(c.model_id) !== undefined && MODEL_ID.test(c.model_id as string) ? (c.model_id as string) : undefined;
  return { type: c.type, ...(tier ? { tier } : {}), ...(modelId ? { model_id: modelId } : {}) };
}

/** The note's text as a Note, or null when it is not one of ours (absent, per the format). */
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
    for (const r of ranges as Record<string, unknown>[]) {
      const contributor = contributorOf(r?.contributor);
      if (!contributor || !isLine(r.start_line) || !isLine(r.end_line) || r.end_line < r.start_line) continue;
      const hash = str(r.content_hash);
      kept.push({ start_line: r.start_line, end_line: r.end_line, contributor, ...(hash ? { content_hash: hash } : {}) });
    }
    files.push({ path, ranges: kept });
  }
  return { version: NOTE_VERSION, commit: str(o.commit) ?? '', files };
}

/** Who wrote line `line` (1-based, as in the commit) of `path`, by the note; a line no range covers is the person's. */
export function contributorAt(note: Note | null | undefined, path: string, line: number): Contributor {
  const file = note?.files.find((f) => f.path === path);
  const range = file?.ranges.find((r) => r.start_line <= line && line <= r.end_line);
  return range?.contributor ?? { type: 'human' };
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
