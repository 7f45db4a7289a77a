// Runs one `on_switch` shell command (`sh -c`, in the repository) with FALLBACK_* in its environment, a timeout
// that kills the whole process group, and its output captured (never inherited onto the proxy's stdout).

import { spawn } from 'node:child_process';
import { formatDuration } from '../duration.ts';
import type { NotifyEvent } from './message.ts';
import { clip } from './message.ts';

export type CommandResult = {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  /** The last few KB of stdout and stderr, interleaved as they came. */
  outputTail: string;
  outputBytes: number;
  /** Set when the shell could not be started at all. */
  error?: string;
};

export type CommandOptions = { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; killGraceMs?: number };

const TAIL_BYTES = 4096;

/** FALLBACK_FROM/TO/REASON/COMMIT for a switch; an external event has no `from` and names its `event_type`. */
export function switchEnv(event: NotifyEvent): Record<string, string> {
  if (event.kind === 'external') {
    return {
      FALLBACK_FROM: '',
      FALLBACK_TO: String(event.model),
      FALLBACK_REASON: 'external',
      FALLBACK_COMMIT: '',
      FALLBACK_EVENT_TYPE: String(event.event_type),
    };
  }
  // A budget line is never given to commands (they run at switches); its fields, should that change.
  if (event.kind === 'budget') return { FALLBACK_FROM: event.tier, FALLBACK_TO: '', FALLBACK_REASON: 'budget', FALLBACK_COMMIT: '' };
  return { FALLBACK_FROM: event.from, FALLBACK_TO: event.to, FALLBACK_REASON: event.reason, FALLBACK_COMMIT: event.commit ?? '' };
}

/** Sends `signal` to the command's process group (it leads its own, being detached); a gone group is fine. */
function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export function runCommand(command: string, opts: CommandOptions): Promise<CommandResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    let tail = Buffer.alloc(0);
    let bytes = 0;
    let timedOut = false;
    let settled = false;
    const child = spawn('sh', ['-c', command], { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (chunk: Buffer) => {
      bytes += chunk.length;
      tail = Buffer.concat([tail, chunk]);
      if (tail.length > TAIL_BYTES) tail = tail.subarray(tail.length - TAIL_BYTES);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    let killTimer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), opts.killGraceMs ?? 2_000);
      killTimer.unref();
    }, opts.timeoutMs);
    const finish = (exitCode: number | null, signal: string | null, error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(killTimer);
      // A background child left behind by the command must not keep our pipes (or the group) alive.
      if (timedOut) killGroup(child.pid, 'SIGKILL');
      child.stdout.destroy();
      child.stderr.destroy();
      const result: CommandResult = {
        exitCode,
        signal,
        timedOut,
        durationMs: performance.now() - started,
        outputTail: tail.toString('utf8'),
        outputBytes: bytes,
      };
      if (error) result.error = error;
      resolve(result);
    };
    child.on('error', (err: NodeJS.ErrnoException) => finish(null, null, err.code ?? err.name));
    // 'close' waits for the pipes; a grandchild that keeps them open only gets a short grace after 'exit'.
    child.on('close', (code, signal) => finish(code, signal));
    child.on('exit', (code, signal) => {
      setTimeout(() => finish(code, signal), 200).unref();
    });
  });
}

/** One log line: how the command ended, how long it took, and on failure the last output line. */
export function summarizeCommand(target: string, r: CommandResult): string {
  const took = formatDuration(r.durationMs);
  const lastLine = r.outputTail.trimEnd().split('\n').pop() ?? '';
  const last = lastLine ? `; last output: ${JSON.stringify(clip(lastLine, 200))}` : '';
  if (r.error) return `notify ${target}: could not start (${r.error})`;
  if (r.timedOut) return `notify ${target}: timed out, process group killed after ${took} (${r.outputBytes} bytes of output${last})`;
  if (r.exitCode === 0) return `notify ${target}: exit 0 in ${took} (${r.outputBytes} bytes of output)`;
  const how = r.exitCode === null ? `signal ${r.signal}` : `exit ${r.exitCode}`;
  return `notify ${target}: ${how} in ${took} (${r.outputBytes} bytes of output${last})`;
}
