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
