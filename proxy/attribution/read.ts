// The library other parts call to read attribution: a commit's note (waiting, bounded, while its writer is still at
// work) and who wrote one line. A line no note covers is the person's.

import { git } from '../git/git.ts';
import { readNote } from './git-objects.ts';
import { HUMAN, contributorAt, type Contributor, type Note } from './note-format.ts';
import { isPending, repoDirs } from './note-writer.ts';

export type ReadOptions = { /** How long to wait for a note still being written (default 5000 ms). */ waitMs?: number };

/** The attribution note of `rev` in `repo`, or null when it has none (no line of it is a model's, or nobody recorded any). */
export async function readAttribution(repo: string, rev: string, opts: ReadOptions = {}): Promise<Note | null> {
  const { top, commonDir } = await repoDirs(repo);
  const commit = (await git(top, ['rev-parse', '--verify', `${rev}^{commit}`])).stdout.trim();
  const deadline = Date.now() + (opts.waitMs ?? 5000);
  while (isPending(commonDir, commit) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  return readNote(top, commit);
}

/** Who wrote line `line` (1-based) of `path` as it is in `rev`, by the note of `rev` itself (the commit that added it). */
export async function lineAttribution(repo: string, rev: string, path: string, line: number, opts: ReadOptions = {}): Promise<Contributor> {
  return contributorAt(await readAttribution(repo, rev, opts), path, line) ?? HUMAN;
}
