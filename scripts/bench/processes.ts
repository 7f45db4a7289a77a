// The benchmark's child processes: spawned with tsx, their port read from the first stdout line, their
// memory read from /proc, stopped with SIGTERM so that a --cpu-prof profile gets written.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The project's root, where the benchmark's children run. */
export const ROOT = resolve(import.meta.dirname, '..', '..');

/** Runs a command to its end (its output read and dropped, or not even piped); rejects on a non-zero exit. */
export function runToEnd(command: string, args: string[], opts: { cwd: string; output: 'read' | 'ignore' }): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: opts.cwd, stdio: ['ignore', opts.output === 'read' ? 'pipe' : 'ignore', 'ignore'] });
    child.stdout?.resume();
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? done() : fail(new Error(`${command} ${args[0] ?? ''} exited ${code}`))));
  });
}

export type Child = {
  pid: number;
  port: number;
  url: string;
  /** The last few KB the process wrote to stderr. */
  stderr(): string;
  /** The last 64 KB it wrote to stdout. */
  stdout(): string;
  stop(): Promise<void>;
};

export async function spawnChild(script: string, args: string[], opts: { nodeArgs?: string[]; cwd: string }): Promise<Child> {
  const proc: ChildProcess = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', script, ...args], {
    cwd: opts.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (d: string) => {
    err = (err + d).slice(-4096);
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    proc.stdout!.setEncoding('utf8');
    proc.stdout!.on('data', (d: string) => {
      out = (out + d).slice(-65536);
      // Node flags such as --trace-gc write to stdout too: the port is on the line that starts with {"port".
      const m = /^\{"port":(\d+)\}$/m.exec(out);
      if (m) resolve(Number(m[1]));
    });
    proc.once('exit', (code) => reject(new Error(`${script} exited (${code}) before listening: ${err}`)));
  });
  return {
    pid: proc.pid!,
    port,
    url: `http://127.0.0.1:${port}`,
    stderr: () => err,
    stdout: () => out,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}

function statusKb(pid: number, key: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

export const rssMb = (pid: number) => statusKb(pid, 'VmRSS') / 1024;
export const peakRssMb = (pid: number) => statusKb(pid, 'VmHWM') / 1024;

/** Resets the kernel's peak-RSS mark (VmHWM) to the current RSS; false where that is not allowed. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Polls VmRSS every `everyMs` until stopped; returns the highest value seen, in MB. */
export function watchRss(pid: number, everyMs = 10): () => number {
  let max = rssMb(pid);
  const timer = setInterval(() => {
    try {
      max = Math.max(max, rssMb(pid));
    } catch {
      // the process is gone
    }
  }, everyMs);
  return () => {
    clearInterval(timer);
    return max;
  };
}

/** A step that did not end within its budget: the row shows "timed out after N s" as a miss, the run goes on. */
export class TimedOut extends Error {
  readonly seconds: number;
  constructor(what: string, seconds: number) {
    super(`${what}: timed out after ${seconds} s`);
    this.seconds = seconds;
  }
}

/** `promise`, or a TimedOut rejection after `ms`; `onTimeout` cleans up (kills what still runs). */
export async function within<T>(promise: Promise<T>, ms: number, what: string, onTimeout?: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, fail) => {
    timer = setTimeout(() => {
      onTimeout?.();
      fail(new TimedOut(what, Math.round(ms / 1000)));
    }, ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Milliseconds from spawning `argv` to its exit (its output dropped), and its exit code; killed after `timeoutMs`. */
export function timeProcess(
  argv: string[],
  opts: { cwd?: string; input?: string; timeoutMs?: number } = {},
): Promise<{ ms: number; code: number | null }> {
  const child = spawn(argv[0], argv.slice(1), { cwd: opts.cwd, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'ignore', 'ignore'] });
  const t0 = performance.now();
  const done = new Promise<{ ms: number; code: number | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => resolve({ ms: performance.now() - t0, code }));
  });
  if (opts.input !== undefined) child.stdin!.end(opts.input);
  return within(done, opts.timeoutMs ?? 60_000, argv.slice(0, 3).join(' '), () => child.kill('SIGKILL'));
}

/** Resident memory of a bare `node` that idles, in MB: the floor any Node process pays (measured once per run). */
let bareNode: Promise<number> | undefined;
export function bareNodeRssMb(): Promise<number> {
  bareNode ??= (async () => {
    const idle = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 1000));
    const mb = rssMb(idle.pid!);
    idle.kill();
    return mb;
  })();
  return bareNode;
}
