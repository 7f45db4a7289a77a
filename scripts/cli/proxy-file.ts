// `<git dir>/fallback-proxy.json`: which proxy runs for this work tree. Written once by `claude-fallback start`
// when the proxy process exists (before the command starts, so the command's status line finds it), removed
// when it stops. A file whose pid is gone is stale (a killed proxy) and counts as no proxy.
// Shape: {pid, port, host, url, started, repo, log, launcher, command} — `pid` is the proxy's process,
// `launcher` the `claude-fallback` process that started it, `command` the command it runs (its name) or null
// in the foreground, where `log` is null too (the log goes to the terminal).

import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { proxyFilePath, type Repo } from './repo.ts';
import { ledgerPath, readLedger, type StartEvent } from '../../proxy/git/ledger.ts';

export type ProxyFile = { pid: number; port: number; host: string; url: string; started: string; repo: string; log: string | null; launcher: number; command: string | null; from_ledger?: true };

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, someone else's
  }
}

export function readProxyFile(repo: Pick<Repo, 'gitDir'>): ProxyFile | null {
  try {
    const v = JSON.parse(readFileSync(proxyFilePath(repo), 'utf8')) as ProxyFile;
    return Number.isInteger(v?.pid) && Number.isInteger(v.port) ? v : null;
  } catch {
    return null;
  }
}

/** The proxy file when its proxy is alive, else null. */
export function runningProxy(repo: Pick<Repo, 'gitDir'>): ProxyFile | null {
  const f = readProxyFile(repo);
  return f && isAlive(f.pid) ? f : null;
}

/**
 * runningProxy, or for a proxy started another way (`npx zx scripts/start.mjs` writes no proxy file) the ledger's
 * open run when its start line's pid is alive, marked `from_ledger`: the ledger is shared by all worktrees, so
 * the caller asks that proxy which repository it serves (scripts/cli/status.ts, proxyForRepo) before acting.
 */
export function anyRunningProxy(repo: Pick<Repo, 'gitDir' | 'commonDir' | 'top'>): ProxyFile | null {
  const f = readProxyFile(repo);
  if (f) return isAlive(f.pid) ? f : null;
  const events = readLedger(ledgerPath(repo.commonDir));
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.kind === 'stop') return null;
    if (e.kind !== 'start') continue;
    const s = e as StartEvent;
    if (!isAlive(s.pid)) return null;
    return { pid: s.pid, port: s.port, host: '127.0.0.1', url: proxyUrl('127.0.0.1', s.port), started: s.ts, repo: repo.top, log: null, launcher: s.pid, command: null, from_ledger: true };
  }
  return null;
}

export function writeProxyFile(repo: Pick<Repo, 'gitDir'>, value: ProxyFile): void {
  const path = proxyFilePath(repo);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value) + '\n');
  renameSync(tmp, path);
}

/** Removes the file if it still names `pid` (another proxy may have started since). */
export function removeProxyFile(repo: Pick<Repo, 'gitDir'>, pid: number): void {
  if (readProxyFile(repo)?.pid === pid) rmSync(proxyFilePath(repo), { force: true });
}

export function proxyUrl(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}`;
}
