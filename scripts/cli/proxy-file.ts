// `<git dir>/fallback-proxy.json`: which proxy runs for this work tree. Written once by `claude-fallback start`
// when the proxy process exists (before the command starts, so the command's status line finds it), removed
// when it stops. A file whose process is gone, a zombie, or another process with the same pid (its start time
// differs) is stale: it counts as no proxy, blocks nothing, and is replaced by the next start.
// Shape: {pid, pid_start, port, host, url, started, repo, log, launcher, command} — `pid` is the proxy's process
// and `pid_start` its start time (proxy/git/process-identity.ts), `launcher` the `claude-fallback` process that
// started it, `command` the command it runs (its name) or null in the foreground, where `log` is null too.
// One proxy per repository (docs/git.md): the repository-wide record is `<git common dir>/fallback-proxy.pid`.

import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { proxyFilePath, type Repo } from './repo.ts';
import { isAlive } from '../../proxy/git/process-identity.ts';
import { readProxyLock, runningProxy as lockedProxy, type RunningProxy } from '../../proxy/git/proxy-lock.ts';

export { isAlive };

export type ProxyFile = {
  pid: number;
  /** The proxy's start time; absent in files written before it was recorded, which count only when the pid file agrees. */
  pid_start?: string;
  port: number;
  host: string;
  url: string;
  started: string;
  repo: string;
  log: string | null;
  launcher: number;
  launcher_start?: string;
  command: string | null;
  from_ledger?: true;
};

/** True when the file's proxy is the live process it names (start time, state), never for a reused pid. */
export function fileIsLive(repo: Pick<Repo, 'commonDir'>, f: ProxyFile): boolean {
  if (f.pid_start) return isAlive({ pid: f.pid, start: f.pid_start });
  const lock = readProxyLock(repo.commonDir);
  return lock !== null && lock.pid === f.pid && isAlive(lock);
}

export function readProxyFile(repo: Pick<Repo, 'gitDir'>): ProxyFile | null {
  try {
    const v = JSON.parse(readFileSync(proxyFilePath(repo), 'utf8')) as ProxyFile;
    return Number.isInteger(v?.pid) && Number.isInteger(v.port) ? v : null;
  } catch {
    return null;
  }
}

/** True when `pid` (a ledger start line's, which records no start time) is the repository's live proxy. */
export function runIsLive(repo: Pick<Repo, 'commonDir'>, pid: number | null): boolean {
  const p = pid === null ? null : lockedProxy(repo.commonDir);
  return p !== null && p.pid === pid;
}

/** The proxy file when its proxy is alive, else null. */
export function runningProxy(repo: Pick<Repo, 'gitDir' | 'commonDir'>): ProxyFile | null {
  const f = readProxyFile(repo);
  return f && fileIsLive(repo, f) ? f : null;
}

/**
 * runningProxy, or the repository's proxy as its pid file and the ledger name it (a proxy started by
 * `npx zx scripts/start.mjs` writes no proxy file, and one started in another worktree writes its file there),
 * marked `from_ledger`: the caller asks that proxy which work tree it serves (scripts/cli/status.ts, proxyForRepo)
 * before acting. null when none runs, or it is still starting (no port in the ledger yet).
 */
export function anyRunningProxy(repo: Pick<Repo, 'gitDir' | 'commonDir' | 'top'>): ProxyFile | null {
  const own = runningProxy(repo);
  if (own) return own;
  const p = lockedProxy(repo.commonDir);
  if (!p || p.port === null) return null;
  return { pid: p.pid, pid_start: p.start, port: p.port, host: '127.0.0.1', url: proxyUrl('127.0.0.1', p.port), started: p.since ?? '', repo: repo.top, log: null, launcher: p.pid, command: null, from_ledger: true };
}

/**
 * The repository's running proxy when it runs for another worktree (or is still starting): its pid file's process,
 * with the proxy file of the worktree it was started in when there is one. One proxy per repository: a start in
 * this worktree is refused while it runs.
 */
export function repositoryProxy(repo: Pick<Repo, 'commonDir'>): { running: RunningProxy; file: ProxyFile | null } | null {
  const running = lockedProxy(repo.commonDir);
  if (!running) return null;
  const gitDirs = [repo.commonDir];
  try {
    for (const name of readdirSync(join(repo.commonDir, 'worktrees'))) gitDirs.push(join(repo.commonDir, 'worktrees', name));
  } catch {
    // no linked worktree
  }
  const file = gitDirs.map((gitDir) => readProxyFile({ gitDir })).find((f) => f?.pid === running.pid) ?? null;
  return { running, file };
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
