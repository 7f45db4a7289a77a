// scripts/start.mjs as a user runs it: the export line, a command run against the proxy, clean stops.

import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { leftovers, startTree, stopAllTrees, waitForNoLeftovers } from './helpers/process-tree.ts';
import { join } from 'node:path';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { makeRepo } from '../test-support/repo.ts';
import { parseLedger } from '../proxy/git/ledger.ts';

const START = join(import.meta.dirname, '..', 'scripts', 'start.mjs');
const ZX = join(import.meta.dirname, '..', 'node_modules', '.bin', 'zx');
const env = { GEMINI_API_KEY: '', DEEPSEEK_API_KEY: '', DISCORD_WEBHOOK_URL: '' };
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
  stopAllTrees(); // each start.mjs runs in a process group of its own: the proxy it re-runs dies with it
});
const repos: string[] = [];
const tracked = async (): Promise<string> => {
  const dir = await makeRepo();
  repos.push(dir);
  return dir;
};
afterAll(async () => {
  expect(await waitForNoLeftovers(repos), 'processes left running in the test repositories').toEqual([]);
});

describe('scripts/start.mjs', () => {
  it('runs a command with ANTHROPIC_BASE_URL set, installs the hooks, and stops when it exits', async () => {
    const repo = await tracked();
    const r = await startTree(ZX, [START, '--repo', repo, '--port', '0', '--', 'sh', '-c', 'curl -s "$ANTHROPIC_BASE_URL/health"'], {
      env,
      reject: false,
    });
    expect(r.exitCode).toBe(0);
    const exportLine = /^export ANTHROPIC_BASE_URL=http:\/\/127\.0\.0\.1:(\d+)$/m.exec(r.stdout);
    expect(exportLine).not.toBeNull();
    expect(r.stdout).toContain('{"status":"ok","active":"claude"}');
    expect(r.stderr).toMatch(/skipped\s+gemini-flash.*GEMINI_API_KEY not set/);
    expect(r.stderr).toContain(`dashboard http://127.0.0.1:${exportLine![1]}/`);
    const events = parseLedger(readFileSync(join(repo, '.git', 'model-ledger'), 'utf8'));
    expect(events.map((e) => e.kind)).toEqual(['start', 'stop']);
    expect(events[0]).toMatchObject({ active: 'claude', tiers: ['claude'], port: Number(exportLine![1]) });
    const hook = readFileSync(join(repo, '.git', 'hooks', 'prepare-commit-msg'), 'utf8');
    expect(hook).toContain('claude-fallback');
  });

  it('stops gracefully on SIGTERM with a stop line', async () => {
    const repo = await tracked();
    const child = startTree(ZX, [START, '--repo', repo, '--port', '0', '--no-hooks'], { env, reject: false });
    await new Promise<void>((resolve) =>
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('export ANTHROPIC_BASE_URL') && resolve()),
    );
    child.kill('SIGTERM');
    const r = await child;
    expect(r.exitCode).toBe(143);
    const events = parseLedger(readFileSync(join(repo, '.git', 'model-ledger'), 'utf8'));
    expect(events.at(-1)).toMatchObject({ kind: 'stop', active: 'claude' });
  });

  it('stops the proxy it runs (and the command) when start.mjs itself is SIGKILLed, with the stop line written', async () => {
    const repo = await tracked();
    const pidFile = join(repo, '.git', 'command.pid');
    const child = startTree(
      ZX,
      [START, '--repo', repo, '--port', '0', '--no-hooks', '--', 'sh', '-c', `echo $$ > ${pidFile}; exec sleep 300`],
      { env, reject: false },
    );
    await new Promise<void>((resolve) =>
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('export ANTHROPIC_BASE_URL') && resolve()),
    );
    for (let i = 0; i < 200 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 25)); // the command runs
    expect(leftovers([repo]).length).toBeGreaterThanOrEqual(2); // start.mjs and the proxy it re-ran with its V8 flags
    process.kill(child.pid!, 'SIGKILL'); // start.mjs alone, not its process group
    await child;
    expect(await waitForNoLeftovers([repo])).toEqual([]);
    const command = Number(readFileSync(pidFile, 'utf8'));
    // The command got SIGTERM from the proxy once its launcher was gone. It may stay a zombie for a moment (its parent
    // died; init reaps it later), which runs nothing: gone or `Z`.
    const state = () => {
      try {
        return readFileSync(`/proc/${command}/stat`, 'utf8').split(') ')[1][0];
      } catch {
        return 'gone';
      }
    };
    expect(['gone', 'Z']).toContain(state());
    expect(parseLedger(readFileSync(join(repo, '.git', 'model-ledger'), 'utf8')).at(-1)).toMatchObject({ kind: 'stop' });
  });

  it('names the problem: not a git repository, a port in use, a bad config key', async () => {
    const notRepo = mkdtempSync(join(tmpdir(), 'not-a-repo-'));
    const a = await startTree(ZX, [START, '--repo', notRepo], { env, reject: false });
    expect(a.exitCode).toBe(3); // the CLI's code for "cannot run here" (scripts/cli/main.ts): one start, one scheme
    expect(a.stderr).toContain('is not inside a git repository');

    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    cleanup.push(() => busy.close());
    const port = (busy.address() as { port: number }).port;
    const b = await startTree(ZX, [START, '--repo', await tracked(), '--port', String(port), '--no-hooks'], { env, reject: false });
    expect(b.exitCode).toBe(1);
    expect(b.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);

    const repo = await tracked();
    const config = join(repo, 'bad.yaml');
    await execa('sh', ['-c', `printf 'proxy:\\n  port: 8000\\n  colour: red\\ntiers: []\\n' > ${config}`]);
    const c = await startTree(ZX, [START, '--repo', repo, '--config', config], { env, reject: false });
    expect(c.exitCode).toBe(1);
    expect(c.stderr).toContain('bad.yaml:3: proxy.colour: unknown key');
  });

  it('parses its options as claude-fallback start does: --port 1e3 is refused by both, before anything starts', async () => {
    const repo = await tracked();
    const bin = join(import.meta.dirname, '..', 'bin', 'claude-fallback.mjs');
    const runs = [
      startTree(ZX, [START, '--repo', repo, '--port', '1e3', '--', 'sh', '-c', 'echo ran'], { env, reject: false }),
      startTree(process.execPath, [bin, '--repo', repo, '--port', '1e3', '--', 'sh', '-c', 'echo ran'], { env, reject: false }),
    ];
    for (const r of await Promise.all(runs)) {
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('--port 1e3: not a port number (0 to 65535)');
    }
    expect(existsSync(join(repo, '.git', 'model-ledger'))).toBe(false);
  });
});
