// One note writer at a time per repository: the hooks leave work in <git common dir>/fallback-notes/ (a pending
// marker per commit, its content the cherry-pick source if any; a `rewrite-<amend|rebase>-<n>` file of git's
// "old new" lines) and start a writer only when none is alive (writer.lock: "<pid> <start time>", the same identity
// check as the run file). The writer takes the work until none is left, lets the lock go, and looks once more, so
// work left while it was finishing is not stranded. Rapid commits (a rebase, a script) cost one process, not one each.

import { closeSync, existsSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive, processIdentity } from '../git/process-identity.mjs';
import { NOTES_STATE_DIR, repoDirs, writeNoteFor } from './note-writer.ts';

const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/** Groups git's "old new" lines by new commit, olds in the order git gave them. */
export function rewritePairs(text: string): Map<string, string[]> {
  const olds = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const [oldSha, newSha] = line.trim().split(/\s+/);
    if (!oldSha || !newSha || !SHA.test(oldSha) || !SHA.test(newSha)) continue;
    olds.set(newSha, [...(olds.get(newSha) ?? []), oldSha]);
  }
  return olds;
}

function takeLock(lock: string): boolean {
  const me = processIdentity();
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, `${process.pid} ${me?.start ?? '-'}\n`);
      closeSync(fd);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return false;
      const [pid, start] = readFileSync(lock, 'utf8').trim().split(' ') as [string, string];
      if (Number(pid) > 0 && isAlive({ pid: Number(pid), start })) return false; // another writer is at work
      rmSync(lock, { force: true }); // a writer that died
    }
  }
  return false;
}

/** Writes every note the hooks left as work; returns how many failed. */
export async function drain(repo: string, log: (line: string) => void = (l) => process.stderr.write(l + '\n')): Promise<number> {
  const { commonDir } = await repoDirs(repo);
  const dir = join(commonDir, NOTES_STATE_DIR);
  const pending = join(dir, 'pending');
  const lock = join(dir, 'writer.lock');
  let failed = 0;
  const work = () => {
    const rewrites = existsSync(dir) ? readdirSync(dir).filter((f) => /^rewrite-(amend|rebase)-\d+$/.test(f)) : [];
    const commits = existsSync(pending) ? readdirSync(pending).filter((f) => SHA.test(f)) : [];
    return { rewrites, commits };
  };
  for (;;) {
    if (!takeLock(lock)) return failed;
    try {
      for (;;) {
        const { rewrites, commits } = work();
        if (rewrites.length + commits.length === 0) break;
        for (const f of rewrites.sort((a, b) => statSync(join(dir, a)).mtimeMs - statSync(join(dir, b)).mtimeMs)) {
          const kind = f.split('-')[1];
          const text = readFileSync(join(dir, f), 'utf8');
          rmSync(join(dir, f), { force: true });
          for (const [newSha, olds] of rewritePairs(text)) {
            // The old commits' notes hold the lines (newest first); an amend goes on from the old commit's snapshots.
            const opts = kind === 'amend' && olds.length === 1 ? { base: olds[0] } : { sources: [...olds].reverse() };
            await writeNoteFor(repo, newSha, opts).catch((err: Error) => {
              failed++;
              log(`attribution-note: ${newSha}: ${err.message}`);
            });
          }
        }
        for (const c of commits) {
          const marker = join(pending, c);
          if (!existsSync(marker)) continue; // written by a rewrite above
          const pick = readFileSync(marker, 'utf8').trim();
          // Not a proxy's session, not a pick: the lines may still come from a squash of noted commits.
          await writeNoteFor(repo, c, { sources: SHA.test(pick) ? [pick] : [], implicitSources: true }).catch((err: Error) => {
            failed++;
            log(`attribution-note: ${c}: ${err.message}`);
            rmSync(marker, { force: true });
          });
        }
      }
    } finally {
      rmSync(lock, { force: true });
    }
    // Work a hook left while this writer was letting go (it saw the lock and started nobody): take it too.
    const left = work();
    if (left.rewrites.length + left.commits.length === 0) return failed;
  }
}
