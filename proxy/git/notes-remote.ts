// The attribution notes travel with a remote (docs/git.md, "Notes travel"): the refspecs that make a plain
// `git fetch` / `git push` carry them, and push-notes / fetch-notes. A fetch never overwrites the local notes: it
// lands in refs/notes/remotes/<remote>/claude-fallback, and `git notes merge -s ours` brings in what only the remote
// has, keeping the local note where both annotated the same commit (a note is one JSON line: `union` or
// `cat_sort_uniq` would concatenate two and make it unreadable; `theirs` would drop what this clone recorded).

import { git } from './git.ts';
import { NOTES_REF } from '../attribution/note-format.ts';
import { remoteNotesRef } from '../attribution/git-objects.ts';

export type Refspecs = { fetch: string; push: string };

export function notesRefspecs(remote: string): Refspecs {
  return { fetch: `+${NOTES_REF}:${remoteNotesRef(remote)}`, push: NOTES_REF };
}

export async function remotes(top: string): Promise<string[]> {
  const r = await git(top, ['remote'], { reject: false });
  return r.stdout.split('\n').filter(Boolean);
}

/** The remote to use: the current branch's upstream's, else `origin`, else the only one; null when there is none. */
export async function defaultRemote(top: string): Promise<string | null> {
  const all = await remotes(top);
  const branch = (await git(top, ['symbolic-ref', '-q', '--short', 'HEAD'], { reject: false })).stdout.trim();
  if (branch) {
    const up = (await git(top, ['config', '--get', `branch.${branch}.remote`], { reject: false })).stdout.trim();
    if (up && all.includes(up)) return up;
  }
  if (all.includes('origin')) return 'origin';
  return all.length === 1 ? all[0] : null;
}

/** The `git config` arguments still needed for `remote` to carry the notes (none when it does already). */
export async function missingRefspecs(top: string, remote: string): Promise<string[][]> {
  const get = async (key: string) =>
    (await git(top, ['config', '--get-all', `remote.${remote}.${key}`], { reject: false })).stdout.split('\n').filter(Boolean);
  const want = notesRefspecs(remote);
  const [fetch, push] = await Promise.all([get('fetch'), get('push')]);
  const out: string[][] = [];
  if (!fetch.includes(want.fetch)) out.push(['config', '--add', `remote.${remote}.fetch`, want.fetch]);
  if (!push.some((p) => p === want.push || p === `${want.push}:${want.push}`)) {
    // With any remote.<name>.push set, a bare `git push` pushes only those refspecs, no longer the branch
    // (git-push(1), "remote.<name>.push"): HEAD keeps it pushing the current branch to its namesake.
    if (push.length === 0) out.push(['config', '--add', `remote.${remote}.push`, 'HEAD']);
    out.push(['config', '--add', `remote.${remote}.push`, want.push]);
  }
  return out;
}

const shq = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`);
export const commandLine = (args: string[]) => `git ${args.map(shq).join(' ')}`;

export class NotesError extends Error {
  override name = 'NotesError';
}

async function requireRemote(top: string, remote: string | undefined): Promise<string> {
  const name = remote ?? (await defaultRemote(top));
  if (!name) throw new NotesError('this repository has no remote to use: name one (git remote -v lists them)');
  if (!(await remotes(top)).includes(name)) throw new NotesError(`no remote named "${name}" (git remote -v lists them)`);
  return name;
}

export type FetchResult = { remote: string; found: boolean; merged: 'created' | 'merged' | 'up to date' | 'none' };

/** Fetches the remote's notes into their tracking ref and merges them into the local notes (local ones win). */
export async function fetchNotes(top: string, remote?: string): Promise<FetchResult> {
  const name = await requireRemote(top, remote);
  const tracking = remoteNotesRef(name);
  const f = await git(top, ['fetch', '--quiet', name, `+${NOTES_REF}:${tracking}`], { reject: false });
  if (f.exitCode !== 0) {
    if (/couldn't find remote ref/i.test(f.stderr)) return { remote: name, found: false, merged: 'none' };
    throw new NotesError(`git fetch ${name} failed: ${f.stderr.trim()}`);
  }
  const ref = async (r: string) => (await git(top, ['rev-parse', '-q', '--verify', r], { reject: false })).stdout.trim();
  const [local, theirs] = await Promise.all([ref(NOTES_REF), ref(tracking)]);
  if (!local) {
    await git(top, ['update-ref', NOTES_REF, theirs, '']);
    return { remote: name, found: true, merged: 'created' };
  }
  if (local === theirs) return { remote: name, found: true, merged: 'up to date' };
  const m = await git(top, ['notes', `--ref=${NOTES_REF}`, 'merge', '--strategy=ours', '--quiet', tracking], { reject: false });
  if (m.exitCode !== 0) throw new NotesError(`git notes merge failed: ${m.stderr.trim()}`);
  return { remote: name, found: true, merged: (await ref(NOTES_REF)) === local ? 'up to date' : 'merged' };
}

export type PushResult = { remote: string; pushed: boolean; fetchedFirst: boolean };

/** Pushes the local notes; when the remote's moved on (another clone pushed), fetches and merges them first, once. */
export async function pushNotes(top: string, remote?: string): Promise<PushResult> {
  const name = await requireRemote(top, remote);
  const has = await git(top, ['rev-parse', '-q', '--verify', NOTES_REF], { reject: false });
  if (has.exitCode !== 0) return { remote: name, pushed: false, fetchedFirst: false };
  const push = () => git(top, ['push', '--quiet', name, `${NOTES_REF}:${NOTES_REF}`], { reject: false });
  let p = await push();
  let fetchedFirst = false;
  if (p.exitCode !== 0 && /\[rejected\]|non-fast-forward|fetch first/i.test(p.stderr)) {
    await fetchNotes(top, name);
    fetchedFirst = true;
    p = await push();
  }
  if (p.exitCode !== 0) throw new NotesError(`git push ${name} failed: ${p.stderr.trim()}`);
  return { remote: name, pushed: true, fetchedFirst };
}
