// The one way to read attribution notes (proxy/attribution/README.md, "Reading notes"), for every reader: blame,
// trace, survivors, rollback, the hooks' tests. Notes are read from the local ref and the remote-tracking copies a
// fetch brought; a note still being written (a fresh pending marker, proxy/attribution/note-writer.ts) is waited
// for, bounded, before it is read. Two git commands whatever the number of commits, plus one per remote's ref.

import { git } from '../git/git.ts';
import { listNotes, readVersions } from './git-objects.ts';
import { contributorAt, parseNote, type Contributor, type Note } from './note-format.ts';
import { isPending, repoDirs } from './note-writer.ts';

/** How long a reader waits by default for notes still being written. */
export const DEFAULT_WAIT_MS = 5000;

export type ReadOptions = {
  /** How long to wait for notes still being written (default DEFAULT_WAIT_MS; 0: do not wait). */
  waitMs?: number;
  /** `listNotes(repo)` when the caller has it already (it is listed again when a note had to be waited for). */
  listed?: Map<string, string>;
};

/**
 * Waits until no note of `commits` is being written, or `waitMs` passed (a writer that died leaves a marker that
 * goes stale after PENDING_STALE_MS, and is not waited for). True when one was pending.
 */
async function waitForWriters(commonDir: string, commits: readonly string[], waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  let pending = commits.filter((c) => isPending(commonDir, c));
  const waited = pending.length > 0;
  while (pending.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    pending = pending.filter((c) => isPending(commonDir, c));
  }
  return waited;
}

/** The notes of `commits` (full shas); those without a note, or with one that is not ours, are left out. */
export async function readNotes(repo: string, commits: Iterable<string>, opts: ReadOptions = {}): Promise<Map<string, Note>> {
  const asked = [...new Set(commits)];
  const notes = new Map<string, Note>();
  if (asked.length === 0) return notes;
  const { top, commonDir } = await repoDirs(repo);
  const waited = await waitForWriters(commonDir, asked, opts.waitMs ?? DEFAULT_WAIT_MS);
  const blobs = opts.listed && !waited ? opts.listed : await listNotes(top);
  const wanted = asked.filter((c) => blobs.has(c));
  if (wanted.length === 0) return notes;
  const texts = await readVersions(
    top,
    wanted.map((c) => blobs.get(c)!),
  );
  for (const c of wanted) {
    const note = parseNote(texts.get(blobs.get(c)!) ?? '');
    if (note) notes.set(c, note);
  }
  return notes;
}

/** The attribution note of `rev` in `repo`, or null when it has none (no line of it is a model's, or nobody recorded any). */
export async function readAttribution(repo: string, rev: string, opts: ReadOptions = {}): Promise<Note | null> {
  const commit = (await git(repo, ['rev-parse', '--verify', `${rev}^{commit}`])).stdout.trim();
  return (await readNotes(repo, [commit], opts)).get(commit) ?? null;
}

/** Who wrote line `line` (1-based) of `path` as it is in `rev`, by the note of `rev` itself (the commit that added it). */
export async function lineAttribution(repo: string, rev: string, path: string, line: number, opts: ReadOptions = {}): Promise<Contributor> {
  return contributorAt(await readAttribution(repo, rev, opts), path, line);
}
