// `claude-fallback stop`: stops the repository's proxy (SIGTERM: in-flight answers get their 5 s, then the
// ledger's `stop` line). When none runs but the ledger still has a run open (a proxy that was killed), it
// closes that run with a `stop` line, so the hooks stop stamping commits with a model nobody runs.

import { appendLedger, ledgerPath, readLedger, type LedgerEvent } from '../git/ledger.ts';
import { parseCommand } from './args.ts';
import { CliError, findRepo } from './repo.ts';
import { isAlive, repositoryProxy, runIsLive } from './proxy-file.ts';
import { proxyForRepo } from './status.ts';
import { EXIT } from '../exit-codes.ts';

export const STOP_HELP = `usage: claude-fallback stop [--repo DIR]

Stops the proxy running for this repository and waits for it (answers still streaming get
5 s). When no proxy runs but the ledger says one is active (it was killed), closes that run
with a stop line, so commits are no longer stamped with its model.

  --repo DIR    the repository (default: the one of the current directory)
  -h, --help    this help`;

/** The ledger's open run: the last start/switch/stop line when it is not a stop, with the start line's pid. */
export function openRun(events: readonly LedgerEvent[]): { active: string; pid: number | null; since: string } | null {
  let pid: number | null = null;
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.kind === 'stop') return null;
    if (e.kind === 'switch' || e.kind === 'start') {
      let start = i;
      while (start >= 0 && events[start].kind !== 'start') start--;
      const s = start >= 0 ? events[start] : null;
      if (s && s.kind === 'start') pid = s.pid;
      return { active: e.kind === 'start' ? e.active : e.to, pid, since: e.ts };
    }
  }
  return null;
}

export async function runStop(argv: string[]): Promise<number> {
  const args = parseCommand(argv, {}, STOP_HELP);
  if (!args) return 0;
  const { values } = args;
  const repo = await findRepo(values.repo ?? process.cwd());
  const proxy = (await proxyForRepo(repo))?.proxy;
  if (proxy) {
    const id = { pid: proxy.pid, start: proxy.pid_start }; // the live proxy (start time, state): proxy/run/active-run.ts
    process.kill(proxy.pid, 'SIGTERM');
    const deadline = Date.now() + 15_000;
    while (isAlive(id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (isAlive(id)) throw new CliError(`the proxy (pid ${proxy.pid}) is still running 15 s after SIGTERM`, EXIT.failed);
    const launcherAlive =
      proxy.launcher !== null && proxy.launcher_start !== null && isAlive({ pid: proxy.launcher, start: proxy.launcher_start });
    const launcher = proxy.command && launcherAlive ? `; the command it was started with (${proxy.command}) goes on without it` : '';
    process.stdout.write(`stopped the proxy for ${repo.top} (pid ${proxy.pid})${launcher}\n`);
    return 0;
  }
  const ledger = ledgerPath(repo.commonDir);
  const run = openRun(readLedger(ledger));
  if (run && !runIsLive(repo, run.pid)) {
    appendLedger(ledger, { kind: 'stop', active: run.active });
    process.stdout.write(
      `no proxy running for ${repo.top}; the ledger still had ${run.active}'s run open (since ${run.since}${run.pid ? `, pid ${run.pid} is gone` : ''}): closed it with a stop line\n`,
    );
    return 0;
  }
  const other = repositoryProxy(repo); // one proxy per repository: it runs for another worktree
  const where = other?.file
    ? `; the repository's proxy (pid ${other.running.pid}) runs for the worktree ${other.file.repo}: claude-fallback stop --repo ${other.file.repo}`
    : other
      ? `; the repository's proxy (pid ${other.running.pid}) runs for another worktree`
      : '';
  process.stdout.write(`no proxy running for ${repo.top}${where}\n`);
  return 0;
}
