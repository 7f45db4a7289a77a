// What the note writer reads from git: file versions in one `cat-file --batch`, the added lines of a commit from
// one `diff-tree -U0`, and the notes of the ref. Every command is a read except `writeNote`.

import { git, unquotePath } from '../git/git.ts';
import { NOTES_REF, NOTES_REF_NAME, formatNote, parseNote, type Note } from './note-format.ts';

/** The text of each `<tree-ish>:<path>` (null: no such file, or not a file). One git process for all of them. */
export async function readVersions(top: string, specs: readonly string[]): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  const unique = [...new Set(specs)].filter((s) => !s.includes('\n'));
  if (unique.length === 0) return out;
  const r = await git(top, ['cat-file', '--batch'], { input: unique.join('\n') + '\n', bytes: true, reject: false });
  const bytes = r.exitCode === 0 ? r.bytes! : null;
  if (bytes === null) {
    for (const s of unique) out.set(s, null);
    return out;
  }
  let at = 0;
  for (const spec of unique) {
    const eol = bytes.indexOf(0x0a, at);
    if (eol < 0) break;
    const header = bytes.subarray(at, eol).toString('utf8');
    at = eol + 1;
    const m = /^[0-9a-f]+ (\w+) (\d+)$/.exec(header);
    if (!m) {
      out.set(spec, null); // "<spec> missing" or "ambiguous"
      continue;
    }
    const size = Number(m[2]);
    out.set(spec, m[1] === 'blob' ? bytes.subarray(at, at + size).toString('utf8') : null);
    at += size + 1;
  }
  return out;
}

/** The commit and its first parent (null for a root commit). */
export async function commitAndParent(top: string, rev: string): Promise<{ commit: string; parent: string | null }> {
  const r = await git(top, ['rev-list', '--parents', '-n1', rev, '--']);
  const [commit, parent] = r.stdout.trim().split(' ');
  return { commit, parent: parent ?? null };
}

/**
 * The lines (1-based, in the commit's version) each file gained relative to the first parent: the `+` lines of
 * `git diff <parent> <commit>` (every line for a root commit). Deleted and binary files have none.
 */
export async function addedLines(top: string, commit: string, parent: string | null): Promise<Map<string, number[]>> {
  const args = [
    '-c',
    'core.quotePath=false',
    'diff-tree',
    '-p',
    '-U0',
    '--no-renames',
    '--no-color',
    '--no-ext-diff',
    '--no-textconv',
    '--src-prefix=a/',
    '--dst-prefix=b/',
    ...(parent ? [parent, commit] : ['--root', commit]),
  ];
  const text = (await git(top, args)).stdout;
  const lines = text.split('\n');
  const out = new Map<string, number[]>();
  let path: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('+++ ')) {
      const p = unquotePath(line.slice(4));
      path = p.startsWith('b/') ? p.slice(2) : null; // /dev/null: the file was deleted
      continue;
    }
    const hunk = /^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (!hunk) continue;
    const removed = hunk[1] === undefined ? 1 : Number(hunk[1]);
    const start = Number(hunk[2]);
    const count = hunk[3] === undefined ? 1 : Number(hunk[3]);
    if (path !== null && count > 0) {
      const list = out.get(path) ?? [];
      for (let n = start; n < start + count; n++) list.push(n);
      out.set(path, list);
    }
    // Skip the hunk's own lines, so a content line that looks like a header is never read as one.
    let left = removed + count;
    while (left > 0 && i + 1 < lines.length) {
      i++;
      if (!lines[i].startsWith('\\')) left--;
    }
  }
  return out;
}

/** The raw text of the note on `commit`, or null when it has none. */
export async function noteText(top: string, commit: string): Promise<string | null> {
  const r = await git(top, ['notes', `--ref=${NOTES_REF_NAME}`, 'show', commit], { reject: false });
  return r.exitCode === 0 ? r.stdout : null;
}

export const REMOTE_NOTES_PREFIX = 'refs/notes/remotes/';
/** Where a plain `git fetch` puts a remote's notes when the notes refspec is configured (docs/git.md, "Notes travel"). */
export const remoteNotesRef = (remote: string) => `${REMOTE_NOTES_PREFIX}${remote}/${NOTES_REF_NAME}`;

/**
 * commit sha → note blob sha of every annotated commit: the local ref, and (unless `local`) the remote-tracking
 * copies, the local note winning, then remotes in name order. One `git notes list` per ref.
 */
export async function listNotes(top: string, opts: { local?: boolean } = {}): Promise<Map<string, string>> {
  const names: string[] = [NOTES_REF];
  if (!opts.local) {
    const refs = await git(top, ['for-each-ref', '--format=%(refname)', REMOTE_NOTES_PREFIX], { reject: false });
    const remotes = refs.stdout.split('\n').filter((r) => r.startsWith(REMOTE_NOTES_PREFIX) && r.endsWith(`/${NOTES_REF_NAME}`));
    names.push(...remotes.sort());
  }
  const out = new Map<string, string>();
  for (const ref of names) {
    const r = await git(top, ['notes', `--ref=${ref}`, 'list'], { reject: false });
    if (r.exitCode !== 0) continue;
    for (const line of r.stdout.split('\n')) {
      const [blob, commit] = line.split(' ');
      if (blob && commit && !out.has(commit)) out.set(commit, blob);
    }
  }
  return out;
}

/**
 * True when a note's text is ours to replace: absent, in this format, or git's concatenation of such notes (what
 * `notes.rewriteMode=concatenate` makes of a squash). Anything else is someone's note and is never touched.
 */
export function replaceable(text: string | null): boolean {
  if (text === null) return true;
  const parts = text.split(/\n\s*\n/).filter((p) => p.trim() !== '');
  return parts.length > 0 && parts.every((p) => parseNote(p) !== null);
}

const IDENTITY = ['-c', 'user.name=claude-fallback', '-c', 'user.email=claude-fallback@localhost'];

/**
 * Writes (or, with null, removes) the note on `commit`, unless a note there is someone else's. A lost race for the
 * notes ref (another writer) is retried. Returns what happened.
 */
export async function writeNote(
  top: string,
  commit: string,
  note: Note | null,
  opts: { onlyIfAbsent?: boolean } = {},
): Promise<'written' | 'removed' | 'kept' | 'none'> {
  const existing = await noteText(top, commit);
  if (!replaceable(existing) || (opts.onlyIfAbsent && existing !== null)) return 'kept';
  if (note === null && existing === null) return 'none';
  if (note !== null && existing === formatNote(note)) return 'written';
  const args = note === null ? ['remove', '--ignore-missing', commit] : ['add', '-f', '-F', '-', commit];
  for (let attempt = 0; ; attempt++) {
    let r = await git(top, ['notes', `--ref=${NOTES_REF_NAME}`, ...args], { input: note ? formatNote(note) : undefined, reject: false });
    // No user.name/email configured: the notes commit gets the tool's name.
    if (r.exitCode !== 0 && /identity|tell me who you are|empty ident/i.test(r.stderr))
      r = await git(top, [...IDENTITY, 'notes', `--ref=${NOTES_REF_NAME}`, ...args], {
        input: note ? formatNote(note) : undefined,
        reject: false,
      });
    if (r.exitCode === 0) return note === null ? 'removed' : 'written';
    if (attempt >= 20) throw new Error(`git notes ${args[0]}: ${r.stderr.trim()}`);
    await new Promise((done) => setTimeout(done, 20 + Math.random() * 80));
  }
}
