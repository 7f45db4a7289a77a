// Writes the note of a commit, and the pending markers readers wait on: `<git common dir>/fallback-notes/pending/
// <commit>` exists from the moment a note is due (the post-commit hook makes it before it starts the writer) until
// it is written. A marker older than PENDING_STALE_MS is a writer that died: readers stop waiting for it.

import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { git } from '../git/git.ts';
import { attributeCommit, type AttributeOptions } from './compute.ts';
import { writeNote } from './git-objects.ts';

export const NOTES_STATE_DIR = 'fallback-notes';
export const PENDING_STALE_MS = 60_000;

export function pendingMarker(commonDir: string, commit: string): string {
  return join(commonDir, NOTES_STATE_DIR, 'pending', commit);
}

export function markPending(commonDir: string, commit: string): void {
  const file = proxyMarker(commonDir, commit);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, '');
}

/** The proxy's own marker (its auto-commit's note): the hooks' writer leaves it alone. */
export function proxyMarker(commonDir: string, commit: string): string {
  return pendingMarker(commonDir, commit) + '.proxy';
}

/** True while a note for `commit` is being written (a fresh marker, the hooks' or the proxy's). */
export function isPending(commonDir: string, commit: string): boolean {
  const fresh = (file: string) => {
    try {
      return Date.now() - statSync(file).mtimeMs < PENDING_STALE_MS;
    } catch {
      return false;
    }
  };
  return fresh(pendingMarker(commonDir, commit)) || fresh(proxyMarker(commonDir, commit));
}

export async function repoDirs(repo: string): Promise<{ top: string; commonDir: string }> {
  const r = await git(repo, ['rev-parse', '--show-toplevel', '--git-common-dir']);
  const [top, common] = r.stdout.split('\n');
  return { top, commonDir: resolve(top, common) };
}

/** Computes and writes the note of `commit`; the pending marker goes whatever happens. */
export async function writeNoteFor(
  repo: string,
  commit: string,
  opts: Omit<AttributeOptions, 'ledgerPath'> & { ledgerPath?: string; onlyIfAbsent?: boolean } = {},
): Promise<Awaited<ReturnType<typeof writeNote>>> {
  const { top, commonDir } = await repoDirs(repo);
  try {
    const note = await attributeCommit(top, commit, { ledgerPath: opts.ledgerPath ?? join(commonDir, 'model-ledger'), ...opts });
    return await writeNote(top, note?.commit ?? commit, note, { onlyIfAbsent: opts.onlyIfAbsent });
  } finally {
    for (const m of [pendingMarker(commonDir, commit), proxyMarker(commonDir, commit)]) if (existsSync(m)) rmSync(m, { force: true });
  }
}
