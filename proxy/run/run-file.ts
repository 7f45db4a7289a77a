// The repository's one run file, `<git common dir>/fallback-proxy.run` (docs/processes.md): which proxy runs for the
// repository, whatever the worktree (docs/git.md, "One proxy per repository"). Line 1 is `<pid> <start time>` so the
// hooks' shell read stays one `read`; line 2 the JSON the CLI needs; line 3 the status line text; line 4 the active
// run for the hooks, `<tier> <stamp> <first tier> <port>` (space-separated: tier names hold no space, proxy/config.ts),
// rewritten on every switch so that a commit never reads the ledger for it. A file with line 1 only is a proxy still
// starting (its launcher claimed the repository for it). Written atomically (temp + rename),
// created with link(2) so two starting proxies cannot both take it, removed when the proxy stops.

import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessIdentity } from '../git/process-identity.mjs';

export const RUN_FILE = 'fallback-proxy.run';

/** What line 2 holds: where the proxy listens and who started it. */
export type RunInfo = {
  port: number;
  host: string;
  url: string;
  /** The work tree the proxy serves (its `repo`). */
  worktree: string;
  /** The proxy's log file, null in the foreground (it logs to the terminal). */
  log: string | null;
  /** The process that started the proxy (`claude-fallback`, `start.mjs`), with its start time. */
  launcher: ProcessIdentity | null;
  /** The command it runs the proxy for (its name), null without one. */
  command: string | null;
  started: string;
};

/** What line 4 holds: the model run the hooks stamp and tag (hooks/active-run.sh, fb_active_run). */
export type RunLine = {
  /** The active tier. */
  tier: string;
  /** Its run's start (the start or switch line's `ts`) as `YYYYMMDD-HHMMSS-mmm` UTC: the run tag's stamp (proxy/git/run-tag.ts). */
  stamp: string;
  /** tiers[0] of the start line: Claude Code's own model while it answers. */
  first: string;
  port: number;
};

export type RunFile = ProcessIdentity & { info: RunInfo | null; statusline: string | null; run: RunLine | null };

export function runFilePath(commonDir: string): string {
  return join(commonDir, RUN_FILE);
}

export function formatIdentity(id: ProcessIdentity): string {
  return `${id.pid} ${id.start}\n`;
}

export function parseRunFile(text: string): RunFile | null {
  const [first = '', json = '', statusline = '', runLine = ''] = text.split('\n');
  const [pid, start] = first.trim().split(' ');
  if (!/^\d+$/.test(pid ?? '') || !start) return null;
  let info: RunInfo | null = null;
  try {
    const v = JSON.parse(json) as RunInfo;
    if (v && Number.isInteger(v.port) && typeof v.url === 'string' && typeof v.worktree === 'string') info = v;
  } catch {
    // still starting: line 1 only
  }
  return { pid: Number(pid), start, info, statusline: info && statusline ? statusline : null, run: info ? parseRunLine(runLine) : null };
}

export function formatRunLine(run: RunLine): string {
  return `${run.tier} ${run.stamp} ${run.first} ${run.port}`;
}

export function parseRunLine(line: string): RunLine | null {
  const [tier, stamp, first, port, ...rest] = line.split(' ');
  if (!tier || !first || rest.length > 0 || !/^\d{8}-\d{6}-\d{3}$/.test(stamp ?? '') || !/^\d+$/.test(port ?? '')) return null;
  return { tier, stamp: stamp!, first, port: Number(port) };
}

export function readRunFileText(commonDir: string): string {
  try {
    return readFileSync(runFilePath(commonDir), 'utf8');
  } catch {
    return '';
  }
}

export function readRunFile(commonDir: string): RunFile | null {
  return parseRunFile(readRunFileText(commonDir));
}

export function formatRunFile(id: ProcessIdentity, info: RunInfo, statusline: string, run: RunLine | null = null): string {
  return `${formatIdentity(id)}${JSON.stringify(info)}\n${statusline.replace(/[\r\n]+/g, ' ')}\n${run ? formatRunLine(run) + '\n' : ''}`;
}

/** Replaces the file in one step: readers (the hooks, the status line) never see half of it. */
export function writeRunFileAtomic(commonDir: string, text: string): void {
  const file = runFilePath(commonDir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** Creates the file only when there is none (link(2) fails when it exists): false when one exists. */
export function createRunFileExclusive(commonDir: string, text: string): boolean {
  const file = runFilePath(commonDir);
  const tmp = `${file}.${process.pid}.new`;
  writeFileSync(tmp, text);
  try {
    linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return false;
  } finally {
    unlinkSync(tmp);
  }
}

/** Removes the file when it still names `pid` (another proxy may have taken the repository over since). */
export function removeRunFile(commonDir: string, pid: number): void {
  if (readRunFile(commonDir)?.pid !== pid) return;
  try {
    unlinkSync(runFilePath(commonDir));
  } catch {
    // already gone
  }
}

/** The address a client on this machine uses for a proxy listening on `host` (a wildcard reads as loopback). */
export function proxyUrl(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}`;
}
