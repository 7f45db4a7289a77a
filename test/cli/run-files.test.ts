// Run files that name a process which is not the proxy any more never block or mislead (issue 19, item 9): a
// `<git dir>/fallback-proxy.json` naming a live unrelated process (same pid, another start time: pid reuse), a file
// from before start times were recorded, or a zombie proxy (exited, not reaped). `start` goes ahead, `stop` and
// `status` say no proxy runs, `doctor` says it is not running. The check is proxy/git/process-identity.ts, isAlive.

import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { processStart } from '../../proxy/git/proxy-lock.ts';
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
  writeFileSync(join(repo, '.fallbackrc.yaml'), 'proxy:\n  port: 0\ntiers:\n  - name: claude\n    protocol: anthropic\n    base_url: http://127.0.0.1:9\ngit:\n  auto_commit: false\n');
  folders.push(repo);
  return repo;
}

function proxyFile(repo: string, fields: Record<string, unknown>): void {
  const base = { port: 9, host: '127.0.0.1', url: 'http://127.0.0.1:9', started: new Date().toISOString(), repo, log: null, launcher: 1, command: null };
  writeFileSync(join(repo, '.git', 'fallback-proxy.json'), JSON.stringify({ ...base, ...fields }) + '\n');
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

describe('a stale fallback-proxy.json', () => {
  it('naming a live unrelated process (the pid with another start time) blocks nothing and shows no proxy', async () => {
    const repo = await repoWithConfig();
    const pid = unrelated();
    proxyFile(repo, { pid, pid_start: String(Number(processStart(pid)) + 1) });
    await expectNoProxy(repo);
  }, 60_000);

  it('written before start times were recorded, naming a live unrelated process, blocks nothing', async () => {
    const repo = await repoWithConfig();
    proxyFile(repo, { pid: unrelated() });
    await expectNoProxy(repo);
  }, 60_000);

  it('naming a zombie proxy (with its own start time) blocks nothing', async () => {
    const repo = await repoWithConfig();
    const pid = await zombie();
    proxyFile(repo, { pid, pid_start: processStart(pid) });
    await expectNoProxy(repo);
  }, 60_000);
});
