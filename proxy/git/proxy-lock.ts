// One proxy per repository, whatever the worktree (docs/git.md): `<git common dir>/fallback-proxy.pid` names the
// proxy that writes the ledger, as "<pid> <process start>". The hooks read it to stamp only while that proxy is
// alive (hooks/active-run.sh, fb_proxy_alive); a second proxy on the same repository, or on another worktree of
// it, is refused with an error naming the running one. The start time defeats pid reuse, the state a zombie
// (proxy/git/process-identity.ts).

import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLedger, type LedgerEvent } from './ledger.ts';
import { isAlive, processStart, type ProcessIdentity } from './process-identity.ts';

export { isAlive, processStart, type ProcessIdentity };
export type RunningProxy = ProcessIdentity & { port: number | null; since: string | null };

export function proxyLockPath(commonDir: string): string {
  return join(commonDir, 'fallback-proxy.pid');
}

function parseLock(text: string): ProcessIdentity | null {
  const [pid, start] = text.trim().split(' ');
  return /^\d+$/.test(pid ?? '') && start ? { pid: Number(pid), start } : null;
}

export function readProxyLock(commonDir: string): ProcessIdentity | null {
  try {
    return parseLock(readFileSync(proxyLockPath(commonDir), 'utf8'));
  } catch {
    return null;
  }
}

/**
 * The proxy running for this repository: its pid file names a live process whose run the ledger has not ended
 * (its latest start line has no stop after it; a proxy still starting has no start line yet). null otherwise.
 */
export function runningProxy(commonDir: string, ledger: readonly LedgerEvent[] = readLedger(join(commonDir, 'model-ledger'))): RunningProxy | null {
  const id = readProxyLock(commonDir);
  if (!id || !isAlive(id)) return null;
  let start: Extract<LedgerEvent, { kind: 'start' }> | null = null;
  let stopped = false;
  for (const e of ledger) {
    if (e.kind === 'start') [start, stopped] = [e, false];
    else if (e.kind === 'stop') stopped = true;
  }
  if (start && start.pid === id.pid) return stopped ? null : { ...id, port: start.port, since: start.ts };
  return { ...id, port: null, since: null };
}

export class ProxyRunningError extends Error {
  override name = 'ProxyRunningError';
  readonly running: RunningProxy;
  constructor(commonDir: string, running: RunningProxy) {
    const where = running.port === null ? 'still starting' : `port ${running.port}, since ${running.since}`;
    super(
      `another claude-fallback proxy runs for this repository (pid ${running.pid}, ${where}; ${proxyLockPath(commonDir)}): ` +
        (running.port === null ? 'stop it first' : `use it (ANTHROPIC_BASE_URL=http://127.0.0.1:${running.port} claude) or stop it first`),
    );
    this.running = running;
  }
}

const held = new Set<string>();
let exitHook = false;

/** Removes the pid files this process still holds when it exits, whatever the way (a crash leaves them; that is fine). */
function releaseAtExit(): void {
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const file of held) {
      if (parseLock(readFileSafe(file))?.pid === process.pid) {
        try {
          unlinkSync(file);
        } catch {}
      }
    }
  });
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Makes `owner` (this process, or the proxy process `claude-fallback start` has just spawned, which takes the file
 * over from its launcher when it starts) the repository's proxy, or throws ProxyRunningError naming the one that
 * runs. A pid file whose process is gone (killed, crashed, a zombie, a reused pid) or whose run the ledger ended is
 * taken over; so is one naming `owner` already (a proxy closed and started again, or the launcher's). Race-free
 * between two starting proxies: the file is created with link(2), which fails when it exists, and a stale one is
 * moved aside before it is replaced.
 */
export function takeProxyLock(commonDir: string, owner: ProcessIdentity = { pid: process.pid, start: processStart(process.pid) ?? '-' }): void {
  const file = proxyLockPath(commonDir);
  const mine = `${owner.pid} ${owner.start}\n`;
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, mine);
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(tmp, file);
        if (owner.pid === process.pid) {
          held.add(file);
          releaseAtExit();
        }
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const seen = readFileSafe(file);
      const id = parseLock(seen);
      if (id && id.pid !== owner.pid) {
        const running = runningProxy(commonDir);
        if (running && running.pid === id.pid) throw new ProxyRunningError(commonDir, running);
      }
      // Stale (or our own): move it aside, and put it back if another proxy replaced it meanwhile.
      const aside = `${file}.${process.pid}.stale`;
      try {
        renameSync(file, aside);
      } catch {
        continue; // someone else moved it first
      }
      const moved = readFileSafe(aside);
      if (moved !== seen) {
        try {
          linkSync(aside, file);
        } catch {}
      }
      unlinkSync(aside);
    }
    throw new Error(`could not take ${file}: it keeps changing (several proxies starting at once?)`);
  } finally {
    unlinkSync(tmp);
  }
}

/** Gives the pid file up when it names `pid` (a start that failed after taking it). */
export function releaseProxyLock(commonDir: string, pid = process.pid): void {
  const file = proxyLockPath(commonDir);
  if (parseLock(readFileSafe(file))?.pid !== pid) return;
  held.delete(file);
  try {
    unlinkSync(file);
  } catch {}
}
