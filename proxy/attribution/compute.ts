// Which lines of a commit each model wrote (docs/git.md, "Line attribution notes"): line labels are carried along
// the chain parent's version → the snapshots taken while HEAD was the parent → the committed version, one line diff
// per step; a line added in a step gets that interval's label. Lines still the person's after that are looked up
// by content in the notes of source commits (a cherry-pick's, a rewrite's old commits, or for a squash the noted
// commits the parent does not contain).

import { openSync, readSync, fstatSync, closeSync } from 'node:fs';
import { git } from '../git/git.ts';
import type { SnapshotEvent, ToolCallEvent } from '../git/ledger.ts';
import { lineHash } from './tool-calls.ts';
import { FILE_TOOLS } from '../git/edits.ts';
import { keptLines } from './line-diff.ts';
import {
  HUMAN,
  contentHash,
  hasModelLines,
  rangesOf,
  splitLines,
  NOTE_VERSION,
  parseNote,
  type Contributor,
  type Note,
  type NoteFile,
} from './note-format.ts';
import { addedLines, commitAndParent, listNotes, readVersions } from './git-objects.ts';

export type AttributeOptions = {
  /** The ledger (`<git common dir>/model-ledger`), for the snapshots. */
  ledgerPath: string;
  /** Commits whose notes hold these lines (a cherry-pick's source, the old commits of a rewrite), newest first. */
  sources?: string[];
  /** Also look among the notes of commits the parent does not contain (a squash merge). */
  implicitSources?: boolean;
  /**
   * An amend's old commit: the chain starts from its version, its lines labelled by its note, and goes through the
   * snapshots taken while HEAD was it (instead of the parent's, which its note already stands for).
   */
  base?: string;
};

/** How much of the ledger's end is read for snapshots: far more than the snapshots since one commit. */
export const SNAPSHOT_WINDOW_BYTES = 16 * 1024 * 1024;
/** The most notes looked through for a squash's lines. */
export const MAX_IMPLICIT_NOTES = 5000;

/** The snapshot and tool_call lines in the last `window` bytes of the ledger, in order. */
export function readSnapshots(ledgerPath: string, window = SNAPSHOT_WINDOW_BYTES): { snapshots: SnapshotEvent[]; calls: ToolCallEvent[] } {
  let text: string;
  try {
    const fd = openSync(ledgerPath, 'r');
    try {
      const size = fstatSync(fd).size;
      const start = Math.max(0, size - window);
      const buf = Buffer.alloc(size - start);
      readSync(fd, buf, 0, buf.length, start);
      text = buf.toString('utf8');
      if (start > 0) text = text.slice(text.indexOf('\n') + 1);
    } finally {
      closeSync(fd);
    }
  } catch {
    return { snapshots: [], calls: [] };
  }
  const snapshots: SnapshotEvent[] = [];
  const calls: ToolCallEvent[] = [];
  for (const line of text.split('\n')) {
    const snap = line.includes('"kind":"snapshot"');
    if (!snap && !line.includes('"kind":"tool_call"')) continue;
    try {
      const e = JSON.parse(line) as SnapshotEvent | ToolCallEvent;
      if (e.kind === 'snapshot' && typeof e.tree === 'string' && /^[0-9a-f]{40,64}$/.test(e.tree)) snapshots.push(e);
      else if (e.kind === 'tool_call' && typeof e.path === 'string' && Array.isArray(e.line_hashes)) calls.push(e);
    } catch {
      // a torn line
    }
  }
  return { snapshots, calls };
}

/** After the last snapshot: a line added there is the person's unless a file tool call made since wrote it. */
const AFTER_LAST: Contributor = { type: 'human' };

/**
 * Who wrote `path`'s changes in a snapshot's interval: nobody's tools ran → the person; a file tool of the answer
 * named the file → the model; the answer ran Bash → the model when a command named the file, else `mixed` (the
 * person may have edited it meanwhile); the answer's tools did not touch it → the person.
 */
export function intervalLabel(s: SnapshotEvent, path: string): Contributor {
  const a = s.answer;
  if (!a || a.tools.length === 0) return HUMAN;
  const model = (type: 'ai' | 'mixed'): Contributor => (a.model_id ? { type, tier: a.tier, model_id: a.model_id } : { type, tier: a.tier });
  if (a.tools.some((t) => Object.hasOwn(FILE_TOOLS, t.name) && t.path === path)) return model('ai');
  if (a.tools.some((t) => t.name === 'Bash')) return s.bash_named?.includes(path) ? model('ai') : model('mixed');
  return HUMAN;
}

/** Labels of `to`'s lines: kept lines keep theirs (null: older than the chain), added lines get `label`. */
function carry(
  from: readonly string[],
  labels: readonly (Contributor | null)[],
  to: readonly string[],
  label: Contributor,
): (Contributor | null)[] {
  const map = keptLines(from, to);
  return Array.from(map, (i) => (i >= 0 ? labels[i] : label));
}

/** The note for `rev`, or null when no line it added is a model's. */
export async function attributeCommit(top: string, rev: string, opts: AttributeOptions): Promise<Note | null> {
  const { commit, parent } = await commitAndParent(top, rev);
  const added = await addedLines(top, commit, parent);
  if (added.size === 0) return null;
  const start = opts.base ?? parent;
  const recorded = readSnapshots(opts.ledgerPath);
  const snapshots = recorded.snapshots.filter((s) => s.head === start);
  // File tool calls streamed in a window of time, for one path: line hash → writer. The first call that wrote a line
  // wins: a later Edit's new_string repeats the lines it is anchored on (old_string), which it did not write.
  const callsAt = recorded.calls.filter((c) => c.head === start);
  const callsIn = (path: string, after: string, upTo: string | null): Map<string, Contributor> => {
    const byHash = new Map<string, Contributor>();
    for (const c of callsAt) {
      if (c.path !== path || c.ts <= after || (upTo !== null && c.ts > upTo)) continue;
      const who: Contributor = c.model_id ? { type: 'ai', tier: c.tier, model_id: c.model_id } : { type: 'ai', tier: c.tier };
      for (const h of c.line_hashes) if (!byHash.has(h)) byHash.set(h, who);
    }
    return byHash;
  };
  const paths = [...added.keys()];
  const sources = [...(opts.sources ?? [])];
  const notes = new Map<string, Note>();
  if (opts.base && !sources.includes(opts.base)) sources.push(opts.base);
  await sourceNotes(top, commit, parent, sources, opts.implicitSources === true, notes);

  const specs: string[] = [];
  for (const path of paths) {
    if (start) specs.push(`${start}:${path}`);
    for (const s of snapshots) specs.push(`${s.tree}:${path}`);
    specs.push(`${commit}:${path}`);
    for (const src of sources) if (notes.get(src)?.files.some((f) => f.path === path)) specs.push(`${src}:${path}`);
  }
  const versions = await readVersions(top, specs);
  const lines = (spec: string) => splitLines(versions.get(spec) ?? '');

  const files: NoteFile[] = [];
  for (const path of paths) {
    // The chain: the parent's lines are older than this commit (null), an amended commit's lines are its note's;
    // each step's new lines get its label.
    let prev = start ? lines(`${start}:${path}`) : [];
    const baseFile = opts.base ? notes.get(opts.base)?.files.find((f) => f.path === path) : undefined;
    let labels: (Contributor | null)[] = prev.map((_, i) => {
      const r = baseFile?.ranges.find((x) => x.start_line <= i + 1 && i + 1 <= x.end_line);
      return r && r.contributor.type !== 'human' ? r.contributor : null;
    });
    // A person's label per interval, with the window in which a file tool call streamed could have written its lines:
    // the snapshot's tree is read after its request arrived (off the request's path), so the answer to that request
    // may have run its tools first (a quick answer, a large tree); those calls were streamed after the request's
    // `ts` and before the next snapshot's request. After the last snapshot: the calls since it (Claude Code
    // committing in the same answer).
    const windows = new Map<Contributor, [string, string | null]>();
    snapshots.forEach((s, k) => {
      const cur = lines(`${s.tree}:${path}`);
      let label = intervalLabel(s, path);
      if (label.type === 'human') {
        label = { type: 'human' };
        windows.set(label, [s.ts, snapshots[k + 1]?.ts ?? null]);
      }
      labels = carry(prev, labels, cur, label);
      prev = cur;
    });
    const final = lines(`${commit}:${path}`);
    labels = carry(prev, labels, final, AFTER_LAST); // after the last snapshot: the person's…
    windows.set(AFTER_LAST, [snapshots.length > 0 ? snapshots[snapshots.length - 1].ts : '', null]);
    const calls = new Map<Contributor, Map<string, Contributor>>();
    const who = new Map<number, Contributor>();
    for (const n of added.get(path)!) {
      const label = labels[n - 1];
      // …except lines a file tool call streamed in that window wrote.
      const window = label ? windows.get(label) : undefined;
      let call: Contributor | undefined;
      if (window && label && final[n - 1].trim() !== '') {
        if (!calls.has(label)) calls.set(label, callsIn(path, window[0], window[1]));
        call = calls.get(label)!.get(lineHash(final[n - 1]));
      }
      who.set(n, call ?? (label && label.type !== 'human' ? label : HUMAN));
    }
    // Lines still the person's may be a model's lines copied here (a cherry-pick, a squash, a rewrite).
    for (const src of sources) {
      const file = notes.get(src)?.files.find((f) => f.path === path);
      if (file) fromSource(lines(`${src}:${path}`), file, final, who, opts.implicitSources === true && !(opts.sources ?? []).includes(src));
    }
    const ranges = rangesOf(final, who);
    if (hasModelLines(ranges)) files.push({ path, ranges });
  }
  return files.length > 0 ? { version: NOTE_VERSION, commit, files } : null;
}

/**
 * Gives the person's lines of `final` the contributor of the equal line in a source commit's version, where the
 * source's note names a model for it (its range's hash still matching the source's lines). `guarded`: a source
 * found by search, not named by git, so a lone short line (a brace, a blank) is not taken on its own.
 */
function fromSource(srcLines: string[], file: NoteFile, final: string[], who: Map<number, Contributor>, guarded: boolean): void {
  const srcLabel: (Contributor | null)[] = srcLines.map(() => null);
  for (const r of file.ranges) {
    if (r.contributor.type === 'human' || r.end_line > srcLines.length) continue;
    if (contentHash(srcLines.slice(r.start_line - 1, r.end_line)) !== r.content_hash) continue;
    for (let n = r.start_line; n <= r.end_line; n++) srcLabel[n - 1] = r.contributor;
  }
  const map = keptLines(srcLines, final);
  for (const [n, c] of who) {
    if (c.type !== 'human') continue;
    const i = map[n - 1];
    const label = i >= 0 ? srcLabel[i] : null;
    if (!label) continue;
    if (guarded) {
      const run = (n >= 2 && map[n - 2] === i - 1 ? 1 : 0) + (n < map.length && map[n] === i + 1 ? 1 : 0);
      if (run === 0 && final[n - 1].trim().length < 12) continue;
    }
    who.set(n, label);
  }
}

/** Fills `notes` with the parsed notes of the sources; with `implicit`, adds the noted commits the parent does not contain. */
async function sourceNotes(
  top: string,
  commit: string,
  parent: string | null,
  sources: string[],
  implicit: boolean,
  notes: Map<string, Note>,
): Promise<void> {
  // The writer's own ref only: a remote's notes are merged into it by `fetch-notes` before they count here.
  const blobOf = await listNotes(top, { local: true });
  if (implicit && blobOf.size > 0 && blobOf.size <= MAX_IMPLICIT_NOTES) {
    const noted = new Set([...blobOf.keys()].filter((c) => c !== commit && !sources.includes(c)));
    const input = [...noted].join('\n') + '\n' + (parent ? `^${parent}\n` : '');
    const r = await git(top, ['rev-list', '--stdin', '--topo-order'], { input, reject: false });
    // Newest first (rev-list's order), so a later commit's version of a line wins.
    if (r.exitCode === 0) for (const c of r.stdout.split('\n')) if (noted.has(c)) sources.push(c);
  }
  const blobs = sources.map((s) => blobOf.get(s)).filter((b): b is string => b !== undefined);
  const texts = await readVersions(top, blobs);
  for (const s of sources) {
    const blob = blobOf.get(s);
    const note = blob ? parseNote(texts.get(blob) ?? '') : null;
    if (note) notes.set(s, note);
  }
}
