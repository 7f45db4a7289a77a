// A foreground `claude-fallback start` (from dist/, as users run it) under the benchmark's control: launched on a
// chosen port, timed to /health answering, its proxy process found through /proc, stopped as Ctrl-C would, and
// killed when it does not stop.

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, within } from './processes.ts';
import { get, sleep } from './probe.ts';

export const BIN = join(ROOT, 'bin', 'claude-fallback.mjs');

/** The pids of `pid`'s children (Linux /proc). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The pid on the ledger's last start line, read from its last 64 KB only. */
function lastStartPid(ledger: string): number | null {
  let fd: number;
  try {
    fd = openSync(ledger, 'r');
  } catch {
    return null;
  }
  try {
    const size = statSync(ledger).size;
    const len = Math.min(size, 65_536);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    const starts = buf
      .toString('utf8')
      .split('\n')
      .filter((l) => l.includes('"kind":"start"'));
    const m = /"pid":(\d+)/.exec(starts.at(-1) ?? '');
    return m ? Number(m[1]) : null;
  } finally {
    closeSync(fd);
  }
}

export const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export type Running = { launcher: ChildProcess; proxyPid: () => number | null; url: string; stderr: () => string };

export function launch(repo: string, configFile: string, port: number): Running {
  const launcher = spawn(process.execPath, [BIN, 'start', '--no-hooks', '--repo', repo, '--config', configFile, '--port', String(port)], {
    cwd: repo,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  launcher.stderr!.setEncoding('utf8');
  launcher.stderr!.on('data', (d: string) => (err = (err + d).slice(-4096)));
  let pid: number | null = null;
  return {
    launcher,
    url: `http://127.0.0.1:${port}`,
    stderr: () => err,
    proxyPid() {
      pid ??= childrenOf(launcher.pid!)[0] ?? null;
      return pid;
    },
  };
}

/** Stops the foreground `claude-fallback start` (SIGTERM, as Ctrl-C would), then kills what is left after 10 s. */
export async function stopProxy(r: Running, ledger: string): Promise<void> {
  const proxy = r.proxyPid() ?? lastStartPid(ledger);
  if (r.launcher.exitCode === null) {
    const exited = new Promise((res) => r.launcher.once('exit', res));
    r.launcher.kill('SIGTERM');
    await within(exited, 10_000, 'stop').catch(() => r.launcher.kill('SIGKILL'));
  }
  for (let i = 0; proxy !== null && alive(proxy) && i < 100; i++) await sleep(100);
  if (proxy !== null && alive(proxy)) process.kill(proxy, 'SIGKILL');
}

/** Milliseconds from `t0` until the proxy's /health answers 200 (connections refused meanwhile are retried every 10 ms). */
export function waitHealthy(r: Running, timeoutMs: number, t0 = performance.now()): Promise<number> {
  return within(
    (async () => {
      for (;;) {
        if (r.launcher.exitCode !== null)
          throw new Error(`claude-fallback start exited ${r.launcher.exitCode}: ${r.stderr().trim().split('\n').at(-1) ?? ''}`);
        const h = await get(`${r.url}/health`, timeoutMs).catch(() => ({ status: 0 }));
        if (h.status === 200) return performance.now() - t0;
        await sleep(10);
      }
    })(),
    timeoutMs,
    'proxy start',
  );
}
