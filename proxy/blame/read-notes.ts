// Reads the attribution notes of commits: the local ref first, then the remote-tracking copies a plain `git fetch`
// brings when the notes refspec is configured (refs/notes/remotes/<remote>/claude-fallback; docs/git.md, "Notes
// travel"), so a clone that fetched shows the same blame before `fetch-notes` merged them. Two git commands
// whatever the number of commits: `git notes list` per ref and one `git cat-file --batch` for the blobs asked for.

import { git } from '../git/git.ts';
import { NOTES_REF, parseNote, type Note } from './note-format.ts';

export const REMOTE_NOTES_PREFIX = 'refs/notes/remotes/';
export const remoteNotesRef = (remote: string) => `${REMOTE_NOTES_PREFIX}${remote}/claude-fallback`;

/** commit sha → note blob sha, local notes winning over remote-tracking ones. */
export async function listNotes(repo: string): Promise<Map<string, string>> {
  const refs = await git(repo, ['for-each-ref', '--format=%(refname)', NOTES_REF, REMOTE_NOTES_PREFIX], { reject: false });
  const names = refs.stdout
    .split('\n')
    .filter((r) => r === NOTES_REF || (r.startsWith(REMOTE_NOTES_PREFIX) && r.endsWith('/claude-fallback')));
  names.sort((a, b) => (a === NOTES_REF ? -1 : b === NOTES_REF ? 1 : a < b ? -1 : 1));
  const out = new Map<string, string>();
  for (const ref of names) {
    const r = await git(repo, ['notes', `--ref=${ref}`, 'list'], { reject: false });
    for (const line of r.stdout.split('\n')) {
      const [blob, commit] = line.split(' ');
      if (blob && commit && !out.has(commit)) out.set(commit, blob);
    }
  }
  return out;
}

/** The notes of `commits` (those without a note, or with one that is not ours, are left out). */
export async function readNotes(repo: string, commits: Iterable<string>, listed?: Map<string, string>): Promise<Map<string, Note>> {
  const blobs = listed ?? (await listNotes(repo));
  const wanted = [...new Set(commits)].filter((c) => blobs.has(c));
  const notes = new Map<string, Note>();
  if (wanted.length === 0) return notes;
  const r = await git(repo, ['cat-file', '--batch'], { input: wanted.map((c) => blobs.get(c)).join('\n') + '\n' });
  // "<sha> blob <size>\n<content>\n" per object; sizes are bytes, so the output is walked as a Buffer.
  const buf = Buffer.from(r.stdout, 'utf8');
  let at = 0;
  for (const commit of wanted) {
    const nl = buf.indexOf(10, at);
    if (nl < 0) break;
    const [, type, size] = buf.subarray(at, nl).toString('utf8').split(' ');
    if (type !== 'blob') {
      at = nl + 1; // "<sha> missing"
      continue;
    }
    const end = nl + 1 + Number(size);
    const note = parseNote(buf.subarray(nl + 1, end).toString('utf8'));
    if (note) notes.set(commit, note);
    at = end + 1;
  }
  return notes;
}
