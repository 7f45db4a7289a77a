// Which proxy runs for a repository, from its run file alone (proxy/run/run-file.ts): the one `activeRun`, and the
// claim a starting proxy takes on the repository (one proxy per repository, whatever the worktree: docs/git.md). A
// run file whose process is gone, a zombie or another process with the same pid (its start time differs: the one
// `isAlive`, proxy/git/process-identity.mjs) counts as no proxy, blocks nothing and is taken over.

import { renameSync, readFileSync, unlinkSync } from 'node:fs';
import { isAlive, processStart, type ProcessIdentity } from '../git/process-identity.mjs';
import {
  createRunFileExclusive,
  formatIdentity,
  readRunFile,
  readRunFileText,
  runFilePath,
  type RunFile,
  type RunInfo,
} from './run-file.ts';

export { isAlive, processStart, type ProcessIdentity };

/** The live proxy of a repository; `info` is null while it is still starting (not listening yet). */
export type ActiveRun = RunFile;

/** The repository's proxy when its process is alive, else null. */
export function activeRun(commonDir: string): ActiveRun | null {
  const run = readRunFile(commonDir);
  return run && isAlive(run) ? run : null;
}

/** How a live run is named in messages: `pid 123, port 8000, since …` or `pid 123, still starting`. */
export function describeRun(run: ActiveRun): string {
  return run.info ? `pid ${run.pid}, port ${run.info.port}, since ${run.info.started}` : `pid ${run.pid}, still starting`;
}

export class ProxyRunningError extends Error {
  override name = 'ProxyRunningError';
  readonly running: ActiveRun;
  constructor(commonDir: string, running: ActiveRun) {
    super(
      `another claude-fallback proxy runs for this repository (${describeRun(running)}; ${runFilePath(commonDir)}): ` +
        (running.info ? `use it (ANTHROPIC_BASE_URL=${running.info.url} claude) or stop it first` : 'stop it first'),
    );
    this.running = running;
  }
}

const held = new Set<string>();
let exitHook = false;

/** Removes the run files this process still holds when it exits, whatever the way (a crash leaves them: stale, taken over). */
function releaseAtExit(): void {
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const commonDir of held) {
      if (readRunFile(commonDir)?.pid === process.pid) {
        try {
          unlinkSync(runFilePath(commonDir));
        } catch {}
      }
    }
  });
}

/**
 * Makes `owner` (this process, or the proxy process a launcher has just spawned) the repository's proxy: creates
 * the run file with line 1 only (still starting), or throws ProxyRunningError naming the live one. A stale file
 * (its process gone, a zombie, a reused pid) is taken over, and so is one naming `owner` already. Race-free
 * between two starting proxies: the file is created with link(2), and a stale one is moved aside before it is replaced.
 */
export function claimRun(commonDir: string, owner: ProcessIdentity = { pid: process.pid, start: processStart(process.pid) ?? '-' }): void {
  const file = runFilePath(commonDir);
  for (let attempt = 0; attempt < 5; attempt++) {
    if (createRunFileExclusive(commonDir, formatIdentity(owner))) {
      if (owner.pid === process.pid) {
        held.add(commonDir);
        releaseAtExit();
      }
      return;
    }
    const seen = readRunFileText(commonDir);
    const run = readRunFile(commonDir);
    if (run && run.pid === owner.pid && run.start === owner.start && owner.pid === process.pid) {
      // Ours already (the launcher claimed it for this process): keep what it says, hold it from now on.
      held.add(commonDir);
      releaseAtExit();
      return;
    }
    if (run && run.pid !== owner.pid && isAlive(run)) throw new ProxyRunningError(commonDir, run);
    // Stale (or our own): move it aside, and put it back if another proxy replaced it meanwhile.
    const aside = `${file}.${process.pid}.stale`;
    try {
      renameSync(file, aside);
    } catch {
      continue; // someone else moved it first
    }
    let moved = '';
    try {
      moved = readFileSync(aside, 'utf8');
    } catch {}
    if (moved !== seen) createRunFileExclusive(commonDir, moved);
    unlinkSync(aside);
  }
  throw new Error(`could not take ${file}: it keeps changing (several proxies starting at once?)`);
}

/** Gives the claim up when the file names `pid` (a start that failed after claiming, a proxy that stopped). */
export function releaseRun(commonDir: string, pid = process.pid): void {
  if (readRunFile(commonDir)?.pid !== pid) return;
  held.delete(commonDir);
  try {
    unlinkSync(runFilePath(commonDir));
  } catch {}
}

export type { RunInfo };
