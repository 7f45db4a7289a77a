// Which proxy runs for a repository, as the CLI shows it: the repository's run file (proxy/run/run-file.ts, one in
// the git common dir, written by the proxy) read through the one `activeRun`. A run file whose process is gone, a
// zombie, or another process with the same pid (its start time differs) counts as no proxy and blocks nothing.
// One proxy per repository (docs/git.md): the run names the worktree it serves.

import type { Repo } from './repo.ts';
import { activeRun, isAlive, type ActiveRun } from '../run/active-run.ts';
import { proxyUrl } from '../run/run-file.ts';

export { isAlive, proxyUrl };

/** The proxy as `status --json` shows it: `pid`/`pid_start` its process, `launcher` what started it, `repo` its work tree. */
export type ProxyFile = {
  pid: number;
  pid_start: string;
  port: number;
  host: string;
  url: string;
  started: string;
  repo: string;
  log: string | null;
  launcher: number | null;
  launcher_start: string | null;
  command: string | null;
};

/** The CLI's view of a listening run; null while it is still starting. */
export function proxyView(run: ActiveRun): ProxyFile | null {
  const i = run.info;
  if (!i) return null;
  return {
    pid: run.pid,
    pid_start: run.start,
    port: i.port,
    host: i.host,
    url: i.url,
    started: i.started,
    repo: i.worktree,
    log: i.log,
    launcher: i.launcher?.pid ?? null,
    launcher_start: i.launcher?.start ?? null,
    command: i.command,
  };
}

/** The repository's proxy when it is alive and serves this work tree, else null. */
export function runningProxy(repo: Pick<Repo, 'commonDir' | 'top'>): ProxyFile | null {
  const run = activeRun(repo.commonDir);
  const view = run && proxyView(run);
  return view && view.repo === repo.top ? view : null;
}

/** The repository's live proxy, whichever worktree it serves (or still starting, `file` null). */
export function repositoryProxy(repo: Pick<Repo, 'commonDir'>): { running: ActiveRun; file: ProxyFile | null } | null {
  const running = activeRun(repo.commonDir);
  return running ? { running, file: proxyView(running) } : null;
}

/** True when `pid` (a ledger start line's, which records no start time) is the repository's live proxy. */
export function runIsLive(repo: Pick<Repo, 'commonDir'>, pid: number | null): boolean {
  return pid !== null && activeRun(repo.commonDir)?.pid === pid;
}
