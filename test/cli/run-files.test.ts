// Run files that name a process which is not the proxy any more never block or mislead (issue 19, item 9): the
// repository's `<git common dir>/fallback-proxy.run` naming a live unrelated process (same pid, another start time:
// pid reuse), a file without a start time, or a zombie proxy (exited, not reaped). `start` goes ahead, `stop` and
// `status` say no proxy runs, `doctor` says it is not running. The check is proxy/git/process-identity.mjs, isAlive.

import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { processStart } from '../../proxy/git/process-identity.mjs';
import { makeRepo } from '../../test-support/repo.ts';
import { startTree, stopAllTrees, waitForNoLeftovers } from '../helpers/process-tree.ts';
import { cliEnv, ROOT } from './installed.ts';

const BIN = join(ROOT, 'bin', 'claude-fallback.mjs');
const env = cliEnv();
const folders: string[] = [];
const others: (() => void)[] = [];
afterEach(() => {
  stopAllTrees();
  while (others.length) others.pop()!();
});
afterAll(async () => {
  expect(await waitForNoLeftovers(folders), 'processes left running in the test repositories').toEqual([]);
});

const cf = (cwd: string, args: string[]) => startTree(process.execPath, [BIN, ...args], { cwd, env, reject: false });

async function repoWithConfig(): Promise<string> {
  const repo = await makeRepo();
  writeFileSync(join(repo, '.git', 'info', 'exclude'), '.fallbackrc.yaml\n');
  writeFileSync(
    join(repo, '.fallbackrc.yaml'),
    'proxy:\n  port: 0\ntiers:\n  - name: claude\n    protocol: anthropic\n    base_url: http://127.0.0.1:9\ngit:\n  auto_commit: false\n',
  );
  folders.push(repo);
  return repo;
}

/** A run file as a listening proxy writes it (proxy/run/run-file.ts), naming `pid` with `start` (none: line 1 is the pid alone). */
function runFile(repo: string, pid: number, start: string | null): void {
  const info = {
    port: 9,
    host: '127.0.0.1',
    url: 'http://127.0.0.1:9',
    worktree: repo,
    started: new Date().toISOString(),
    log: null,
    launcher: null,
    command: null,
  };
  writeFileSync(
    join(repo, '.git', 'fallback-proxy.run'),
    `${pid}${start === null ? '' : ` ${start}`}\n${JSON.stringify(info)}\nclaude · today $0.00\n`,
  );
}

/** A live process that is not a proxy (`sleep`), killed after the test. */
function unrelated(): number {
  const p = spawn('sleep', ['60'], { stdio: 'ignore' });
  others.push(() => p.kill('SIGKILL'));
  return p.pid!;
}

/** A zombie: `sleep 0` exits at once under a parent that has become `sleep 60` (exec) and never reaps it. */
async function zombie(): Promise<number> {
  const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
  others.push(() => parent.kill('SIGKILL'));
  const pid = Number(await new Promise<string>((done) => parent.stdout.once('data', (d: Buffer) => done(d.toString().trim()))));
  for (let i = 0; i < 100; i++) {
    if (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1][0] === 'Z') return pid;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${pid} did not become a zombie`);
}

async function expectNoProxy(repo: string): Promise<void> {
  const status = await cf(repo, ['status']);
  expect(status.exitCode, status.stdout + status.stderr).toBe(3);
  expect(status.stdout).toContain(`no proxy running for ${repo}`);
  const doctor = await cf(repo, ['doctor', '--offline', '--json']);
  const proxy = (JSON.parse(doctor.stdout) as { findings: { check: string; message: string }[] }).findings.find((f) => f.check === 'proxy');
  expect(proxy?.message).toMatch(/^not running/);
  const stop = await cf(repo, ['stop']);
  expect(stop.exitCode, stop.stderr).toBe(0);
  expect(stop.stdout).toBe(`no proxy running for ${repo}`);
  const start = await cf(repo, ['--no-hooks', '--', 'sh', '-c', 'echo ran']);
  expect(start.exitCode, start.stderr).toBe(0);
  expect(start.stdout).toBe('ran');
}

describe('a stale run file', () => {
  it('naming a live unrelated process (the pid with another start time) blocks nothing and shows no proxy', async () => {
    const repo = await repoWithConfig();
    const pid = unrelated();
    runFile(repo, pid, String(Number(processStart(pid)) + 1));
    await expectNoProxy(repo);
  }, 60_000);

  it('without a start time, naming a live unrelated process, blocks nothing', async () => {
    const repo = await repoWithConfig();
    runFile(repo, unrelated(), null);
    await expectNoProxy(repo);
  }, 60_000);

  it('naming a zombie proxy (with its own start time) blocks nothing', async () => {
    const repo = await repoWithConfig();
    const pid = await zombie();
    runFile(repo, pid, processStart(pid));
    await expectNoProxy(repo);
  }, 60_000);
});
