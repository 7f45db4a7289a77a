// The repository's one run file (proxy/run/, docs/processes.md "The run file"): its three lines, the claim that
// refuses a second proxy and takes over a stale file, and both status lines (sh and node) printing line 3 only while
// line 1's process is that live process (pid and start time, not kill -0 alone).

import { execa } from 'execa';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processStart } from '../../proxy/git/process-identity.mjs';
import { activeRun, claimRun, ProxyRunningError, releaseRun } from '../../proxy/run/active-run.ts';
import { formatRunFile, parseRunFile, runFilePath, type RunInfo } from '../../proxy/run/run-file.ts';
import { lineFrom, NO_PROXY } from '../../scripts/cli/statusline.mjs';

const SH = join(import.meta.dirname, '..', '..', 'scripts', 'cli', 'statusline.sh');
const me = { pid: process.pid, start: processStart(process.pid)! };
const info: RunInfo = {
  port: 8000,
  host: '127.0.0.1',
  url: 'http://127.0.0.1:8000',
  worktree: '/src/app',
  log: null,
  launcher: null,
  command: 'claude',
  started: '2026-12-08T00:00:00.000Z',
};
const dir = () => mkdtempSync(join(tmpdir(), 'run-file-'));

describe('the run file', () => {
  it('is "<pid> <start>", the JSON, the status line; line 1 alone is a proxy still starting', () => {
    const text = formatRunFile(me, info, 'claude · today $0.41');
    expect(text.split('\n')[0]).toBe(`${me.pid} ${me.start}`);
    expect(parseRunFile(text)).toEqual({ ...me, info, statusline: 'claude · today $0.41', run: null });
    expect(parseRunFile(`${me.pid} ${me.start}\n`)).toEqual({ ...me, info: null, statusline: null, run: null });
    expect(parseRunFile(`${me.pid}\n`)).toBeNull(); // no start time: names no process
  });

  it('carries the active run on line 4, "<tier> <stamp> <first tier> <port>", for the hooks', () => {
    const run = { tier: 'gemini-flash', stamp: '20261208-000102-345', first: 'claude', port: 8000 };
    const text = formatRunFile(me, info, 'gemini-flash · today $0.41', run);
    expect(text.split('\n')[3]).toBe('gemini-flash 20261208-000102-345 claude 8000');
    expect(parseRunFile(text)?.run).toEqual(run);
    expect(parseRunFile(text.replace('20261208-000102-345', '2026-12-08'))?.run).toBeNull(); // not a stamp
  });

  it('is claimed once: a live claim refuses the next, naming it; a stale one (another start time) is taken over', () => {
    const common = dir();
    writeFileSync(runFilePath(common), formatRunFile({ pid: me.pid, start: String(Number(me.start) + 1) }, info, 'x'));
    expect(activeRun(common)).toBeNull();
    claimRun(common, me);
    expect(activeRun(common)).toMatchObject({ pid: me.pid, info: null });
    writeFileSync(runFilePath(common), formatRunFile(me, info, 'x'));
    const other = { pid: 1, start: processStart(1) ?? '1' };
    expect(() => claimRun(common, other)).toThrow(ProxyRunningError);
    expect(() => claimRun(common, other)).toThrow(
      `another claude-fallback proxy runs for this repository (pid ${me.pid}, port 8000, since ${info.started}`,
    );
    releaseRun(common, me.pid);
    expect(activeRun(common)).toBeNull();
  });

  it('gives both status lines line 3 while its process lives, and "no proxy" for a reused pid', async () => {
    const common = dir();
    const file = runFilePath(common);
    writeFileSync(file, formatRunFile(me, info, 'deepseek (fallback: claude rate limit 429) · today $1.20'));
    const sh = async () => (await execa('sh', [SH, file], { input: '{}' })).stdout;
    expect(await sh()).toBe('deepseek (fallback: claude rate limit 429) · today $1.20');
    expect(lineFrom(file)).toBe('deepseek (fallback: claude rate limit 429) · today $1.20');
    writeFileSync(file, readFileSync(file, 'utf8').replace(`${me.pid} ${me.start}`, `${me.pid} ${Number(me.start) + 1}`));
    expect(await sh()).toBe(NO_PROXY);
    expect(lineFrom(file)).toBe(NO_PROXY);
  });
});
