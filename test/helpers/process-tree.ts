// Tests stop every process tree they start: a process started here gets a process group of its own (detached), and
// stopping it kills the whole group (kill -pgid), so a child it started (the proxy start.mjs re-runs with its V8
// flags, the command of `-- command`) cannot outlive the test. `leftovers` is the check: the processes still
// running in, or naming, the folders a test made.

import { execa } from 'execa';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const started = new Set<number>(); // process group ids (the leaders' pids) not known to have ended

/** execa in a process group of its own, remembered until it ends or stopAllTrees kills it. */
export function startTree(file: string, args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; reject: false }) {
  const child = execa(file, args, { ...opts, detached: true });
  const pid = child.pid;
  if (pid !== undefined) {
    started.add(pid);
    const ended = () => started.delete(pid);
    void child.then(ended, ended);
  }
  return child;
}

/** Sends `signal` to the child's whole process group (nothing when it is gone). */
export function signalTree(child: { pid?: number }, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone
  }
}

/** SIGKILL to the group of every tree started and not yet ended (an afterEach/afterAll). */
export function stopAllTrees(): void {
  for (const pid of started) signalTree({ pid }, 'SIGKILL');
  started.clear();
}

/** The processes (other than this one) whose command line names one of `folders` or whose working directory is in one. */
export function leftovers(folders: readonly string[]): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  if (folders.length === 0) return out;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    let cmd = '';
    let cwd = '';
    try {
      cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      cwd = readlinkSync(`/proc/${name}/cwd`);
    } catch {
      // gone, or not ours to read
    }
    if (!cmd) continue; // a zombie has no command line: it runs nothing
    if (folders.some((f) => cmd.includes(f) || cwd === f || cwd.startsWith(f + '/'))) out.push({ pid: Number(name), cmd });
  }
  return out;
}

/** Waits up to `ms` for `leftovers(folders)` to be empty (a proxy told to stop gets its 5 s of grace); returns what is left. */
export async function waitForNoLeftovers(folders: readonly string[], ms = 8000): Promise<{ pid: number; cmd: string }[]> {
  const deadline = Date.now() + ms;
  let left = leftovers(folders);
  while (left.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    left = leftovers(folders);
  }
  return left;
}
