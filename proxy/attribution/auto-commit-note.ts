// The note of the proxy's own auto-commit at a switch (proxy/git/switch-commit.ts makes it with no hook, so
// post-commit never runs for it): written in this process, off the switch's path, once the snapshots queued before
// the commit are in the ledger (the barrier the server registers for its repository).

import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { markPending, repoDirs, writeNoteFor } from './note-writer.ts';

const barriers = new Map<string, () => Promise<void>>();
let inFlight: Promise<void> = Promise.resolve();

function key(repo: string): string {
  try {
    return realpathSync(repo);
  } catch {
    return resolve(repo);
  }
}

/** What the note of an auto-commit in `repo` waits for first (the proxy's snapshot queue and ledger writer). */
export function setNoteBarrier(repo: string, barrier: () => Promise<void>): void {
  barriers.set(key(repo), barrier);
}

/** Queues the note of `commit` (made in the work tree `top`); returns at once, never throws. */
export function noteAutoCommit(top: string, commit: string, log: (line: string) => void = () => {}): void {
  const barrier = barriers.get(key(top));
  const job = async () => {
    const { commonDir } = await repoDirs(top);
    markPending(commonDir, commit);
    await barrier?.();
    // A note someone put on the new commit meanwhile is theirs to keep.
    await writeNoteFor(top, commit, { onlyIfAbsent: true });
  };
  inFlight = inFlight.then(job).catch((err: Error) => log(`warning: attribution note of ${commit.slice(0, 10)} failed: ${err.message}`));
}

/** Resolves once every queued auto-commit note is written. */
export function notesSettled(): Promise<void> {
  return inFlight;
}
