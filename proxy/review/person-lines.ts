// What a rollback may revert in one commit without reverting the person's lines (docs/git.md, "A rollback keeps the
// person's lines"): the commit's attribution note (refs/notes/claude-fallback, read by the one reader,
// proxy/attribution/read.ts; the format in docs/git.md, "Line attribution notes") says who wrote each line it added;
// the files its message lists as the person's are theirs whole. Hunk by hunk (`git diff -U0`): a hunk whose added
// lines a model wrote is reverted, one whose added lines are the person's is kept, one that holds both (or `mixed`
// lines) cannot be split and refuses the rollback. A commit with no note and no such list is the model's whole, as
// its trailers say.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contributorAt, type Note } from '../attribution/note-format.ts';
import { git, type GitResult } from '../git/git.ts';
import { PERSONS_HEADING } from '../git/left-out.ts';

type Who = 'model' | 'person' | 'mixed';

/** The files a commit message lists under the auto-commit's paragraph of the person's files. */
export function personsInMessage(message: string): string[] {
  const lines = message.split('\n');
  const at = lines.indexOf(PERSONS_HEADING);
  if (at < 0) return [];
  const out: string[] = [];
  for (const line of lines.slice(at + 1)) {
    if (!line.startsWith('- ')) break;
    const name = line.slice(2);
    if (name.startsWith('"')) {
      try {
        out.push(JSON.parse(name) as string); // printablePath's quoting: \uXXXX, \" and \\ escapes
      } catch {
        // not a name
      }
    } else if (!/^and \d+ more$/.test(name)) out.push(name);
  }
  return out;
}

export type CommitPlan =
  /** Revert the whole commit (`git revert`). */
  | { kind: 'whole' }
  /** Apply `pick` (a commit whose parent is this one and whose tree lacks only the models' hunks), kept: the person's. */
  | { kind: 'partial'; pick: string | null; kept: string[] }
  /** Nothing of a model's to revert: every change is the person's. */
  | { kind: 'none'; kept: string[] }
  /** Files where a person's and a model's lines are in one hunk (or lines are `mixed`). */
  | { kind: 'clash'; files: string[] };

type Entry = { path: string; oldMode: string; newMode: string; oldId: string; newId: string };

/**
 * How to roll back commit `sha` (its first parent `parent`, null for a root commit) keeping the person's lines.
 * `write`: build the commit to apply (a dry run does not).
 */
export async function planCommit(
  repo: string,
  sha: string,
  parent: string | null,
  note: Note | undefined,
  persons: readonly string[],
  write: boolean,
): Promise<CommitPlan> {
  if (!note && persons.length === 0) return { kind: 'whole' };
  const personSet = new Set(persons);
  const entries = await changedEntries(repo, sha, parent);
  const kept: string[] = [];
  const clashes: string[] = [];
  /** Per path: what its entry in the tree to apply is (P's, C's, or new content). */
  const lines: string[] = [];
  const toWrite: { path: string; mode: string; content: Buffer }[] = [];
  const zero = '0'.repeat(sha.length);
  const back = (e: Entry) => (/^0+$/.test(e.oldMode) ? `0 ${zero}\t${e.path}` : `${e.oldMode} ${e.oldId}\t${e.path}`);
  for (const e of entries) {
    if (personSet.has(e.path)) {
      kept.push(e.path); // the person's whole: the tree keeps C's entry
      continue;
    }
    const text = /^10[0-7]{4}$/;
    const added = !/^0+$/.test(e.newMode);
    if (!note || !added || !text.test(e.newMode) || (!/^0+$/.test(e.oldMode) && !text.test(e.oldMode))) {
      // No note; a deletion (it removes lines, writes none); a symlink or submodule: the model's, as the trailers say.
      lines.push(back(e));
      continue;
    }
    const [before, after] = await Promise.all([blob(repo, e.oldMode, e.oldId), blob(repo, e.newMode, e.newId)]);
    if (before.includes(0) || after.includes(0)) {
      lines.push(back(e)); // binary: no lines for a note to name
      continue;
    }
    const hunks = await hunksOf(repo, e, before.length === 0);
    const who = (line: number): Who => {
      const t = contributorAt(note, e.path, line).type; // a line no range covers is the person's
      return t === 'ai' ? 'model' : t === 'human' ? 'person' : 'mixed';
    };
    const verdicts = hunks.map((h) => {
      if (h.newCount === 0) return 'model' as const; // it only removes lines: restoring them removes nothing anyone wrote
      const seen = new Set<Who>();
      for (let l = h.newStart; l < h.newStart + h.newCount; l++) seen.add(who(l));
      return seen.size === 1 && !seen.has('mixed') ? [...seen][0] : ('clash' as const);
    });
    if (verdicts.includes('clash')) {
      clashes.push(e.path);
      continue;
    }
    if (verdicts.every((v) => v === 'model')) {
      lines.push(back(e));
      continue;
    }
    kept.push(e.path);
    if (verdicts.every((v) => v === 'person')) continue;
    // Undo the models' hunks in C's lines, last first so earlier line numbers hold (latin1: byte for byte).
    const oldLines = splitLines(before.toString('latin1'));
    const newLines = splitLines(after.toString('latin1'));
    for (let i = hunks.length - 1; i >= 0; i--) {
      if (verdicts[i] !== 'model') continue;
      const h = hunks[i];
      const at = h.newCount === 0 ? h.newStart : h.newStart - 1;
      const from = h.oldCount === 0 ? h.oldStart : h.oldStart - 1;
      newLines.splice(at, h.newCount, ...oldLines.slice(from, from + h.oldCount));
    }
    toWrite.push({ path: e.path, mode: e.newMode, content: Buffer.from(newLines.join(''), 'latin1') });
  }
  if (clashes.length > 0) return { kind: 'clash', files: clashes };
  if (kept.length === 0) return { kind: 'whole' };
  if (lines.length === 0 && toWrite.length === 0) return { kind: 'none', kept };
  if (!write) return { kind: 'partial', pick: null, kept };
  return { kind: 'partial', pick: await buildPick(repo, sha, lines, toWrite), kept };
}

/** A commit on top of `sha` whose tree is `sha`'s with the given entries: applying it reverts only those. */
async function buildPick(
  repo: string,
  sha: string,
  lines: string[],
  toWrite: { path: string; mode: string; content: Buffer }[],
): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'fallback-rollback-'));
  try {
    const env = { GIT_INDEX_FILE: join(dir, 'index') };
    for (const w of toWrite) {
      const id = (await git(repo, ['hash-object', '-w', '--stdin'], { input: w.content })).stdout.trim();
      lines.push(`${w.mode} ${id}\t${w.path}`);
    }
    await git(repo, ['read-tree', sha], { env });
    await git(repo, ['update-index', '-z', '--index-info'], { env, input: lines.join('\0') + '\0' });
    const tree = (await git(repo, ['write-tree'], { env })).stdout.trim();
    const msg = `The models' part of ${sha}, reverted\n`;
    return (await git(repo, ['commit-tree', tree, '-p', sha, '-F', '-'], { input: msg })).stdout.trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The files `sha` changed against `parent` (raw records, no renames). */
async function changedEntries(repo: string, sha: string, parent: string | null): Promise<Entry[]> {
  const args = parent ? ['diff-tree', '-r', '-z', '--no-renames', parent, sha] : ['diff-tree', '-r', '-z', '--no-renames', '--root', sha];
  const fields = (await git(repo, args)).stdout.split('\0').filter((s) => s !== '');
  const out: Entry[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (!fields[i].startsWith(':')) {
      i--; // --root prints the commit id first
      continue;
    }
    const [oldMode, newMode, oldId, newId] = fields[i].slice(1).split(' ');
    out.push({ path: fields[i + 1], oldMode, newMode, oldId, newId });
  }
  return out;
}

async function blob(repo: string, mode: string, id: string): Promise<Buffer> {
  if (/^0+$/.test(mode)) return Buffer.alloc(0);
  return (await git(repo, ['cat-file', 'blob', id], { bytes: true })).bytes!;
}

type Hunk = { oldStart: number; oldCount: number; newStart: number; newCount: number };

/** The hunks of the change, with no context lines (`git diff -U0` of the two blobs). */
async function hunksOf(repo: string, e: Entry, fromEmpty: boolean): Promise<Hunk[]> {
  const oldId = fromEmpty ? await emptyBlob(repo) : e.oldId;
  const r: GitResult = await git(repo, ['diff', '-U0', '--no-color', '--no-ext-diff', '--no-textconv', oldId, e.newId]);
  const out: Hunk[] = [];
  for (const m of r.stdout.matchAll(/^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/gm))
    out.push({ oldStart: +m[1], oldCount: m[2] === undefined ? 1 : +m[2], newStart: +m[3], newCount: m[4] === undefined ? 1 : +m[4] });
  return out;
}

async function emptyBlob(repo: string): Promise<string> {
  return (await git(repo, ['hash-object', '-w', '--stdin'], { input: '' })).stdout.trim();
}

/** Lines with their terminators: joining them gives the text back, byte for byte. */
function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}
