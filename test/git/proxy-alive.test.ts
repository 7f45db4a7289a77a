// The proxy as a real process (scripts/start.mjs): the hooks stamp only while the proxy that wrote the active run is
// alive (line 1 of its run file, checked against pid reuse); SIGHUP stops it like SIGTERM; a proxy killed without its stop
// line shows as ended in review; and a second proxy on the repository, or on a worktree of it, is refused.

import { execa, type ResultPromise } from 'execa';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startTree, stopAllTrees, waitForNoLeftovers } from '../helpers/process-tree.ts';
import { git } from '../../proxy/git/git.ts';
import { parseLedger } from '../../proxy/git/ledger.ts';
import { processStart } from '../../proxy/git/process-identity.mjs';
import { readRunFile, runFilePath } from '../../proxy/run/run-file.ts';
import { commitFile, makeRepo, message, models, start, tags, tempDir } from '../hooks/repo.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const ZX = join(ROOT, 'node_modules', '.bin', 'zx');
const START = join(ROOT, 'scripts', 'start.mjs');
const REVIEW = join(ROOT, 'scripts', 'review.ts');
const env = { GEMINI_API_KEY: '', DEEPSEEK_API_KEY: '', DISCORD_WEBHOOK_URL: '', CLAUDECODE: '' };

// Each start.mjs runs in a process group of its own, killed whole after each test (start.mjs runs the proxy in a
// child node with its V8 flags: killing start.mjs alone used to leave that proxy running for hours).
const folders: string[] = [];
afterEach(() => stopAllTrees());
afterAll(async () => {
  expect(await waitForNoLeftovers(folders), 'processes left running in the test repositories').toEqual([]);
});

/** Two tiers that never get a request here: a switch comes from the /webhook route. */
function config(dir: string): string {
  const file = join(dir, 'fallback.yaml');
  writeFileSync(
    file,
    'proxy:\n  port: 0\ntiers:\n  - name: claude\n    protocol: anthropic\n    base_url: http://127.0.0.1:9\n' +
      '  - name: backup\n    protocol: anthropic\n    base_url: http://127.0.0.1:9\n    api_key: k\ngit:\n  auto_commit: false\n',
  );
  return file;
}

/** Starts the proxy for `repo`; resolves once it prints its export line. */
async function startProxy(repo: string, file: string): Promise<{ child: ResultPromise; port: number }> {
  folders.push(repo);
  const child = startTree(ZX, [START, '--repo', repo, '--config', file], { env, reject: false });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /export ANTHROPIC_BASE_URL=http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    void child.then((r) => reject(new Error(`start.mjs exited ${r.exitCode}: ${r.stderr}`)));
  });
  return { child, port };
}

const CLAUDE_CODE = { CLAUDECODE: '1' };
const COAUTHOR = '\n\nCo-Authored-By: Claude <noreply@anthropic.com>';

describe('the proxy process and the hooks', () => {
  it('stamps while the proxy lives; once it is SIGKILLed nothing is stamped, tagged or rewritten, and review shows the run ended', async () => {
    const repo = await makeRepo({ initial: true });
    const { child, port } = await startProxy(repo, config(tempDir('cfg')));
    const switched = await fetch(`http://127.0.0.1:${port}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'backup', event_type: 'switch' }),
    });
    expect(await switched.json()).toMatchObject({ active: 'backup' });
    const session = { ...CLAUDE_CODE, ANTHROPIC_BASE_URL: `http://127.0.0.1:${port}` }; // a Claude Code session on this proxy
    await commitFile(repo, 'a.txt', 'a\n', `Add a${COAUTHOR}`, { env: session });
    expect(await models(repo)).toEqual(['backup']);
    expect(await message(repo)).toContain('Co-Authored-By: backup via Claude Code <backup@fallback.invalid>');
    const tagsWhileAlive = await tags(repo);
    expect(Object.keys(tagsWhileAlive)).toEqual([expect.stringMatching(/^model-backup-\d{8}-\d{6}-\d{3}$/)]);

    const pid = readRunFile(join(repo, '.git'))!.pid;
    process.kill(pid, 'SIGKILL'); // the proxy itself (start.mjs runs it in a child with its V8 flags)
    await child;
    await commitFile(repo, 'b.txt', 'b\n', `Add b${COAUTHOR}`, { env: session });
    expect(await models(repo)).toEqual([]);
    expect(await message(repo)).toContain('Co-Authored-By: Claude <noreply@anthropic.com>');
    expect(await tags(repo)).toEqual(tagsWhileAlive);

    const log = await execa('node', ['--import', 'tsx', REVIEW, '--log', '--json', '--repo', repo], { cwd: ROOT, reject: false });
    const t = JSON.parse(log.stdout) as { entries: { kind: string; reason: string; from: string | null }[]; active: unknown };
    expect(t.active).toBeNull();
    expect(t.entries.at(-1)).toMatchObject({ kind: 'stop', reason: 'died', from: 'backup' });
  }, 60_000);

  it('stops on SIGHUP (a closed terminal) like on SIGTERM: exit 129 and a stop line', async () => {
    const repo = await makeRepo({ initial: true });
    const { child } = await startProxy(repo, config(tempDir('cfg')));
    child.kill('SIGHUP');
    const r = await child;
    expect(r.exitCode).toBe(129);
    expect(parseLedger(readFileSync(join(repo, '.git', 'model-ledger'), 'utf8')).at(-1)).toMatchObject({ kind: 'stop' });
  }, 60_000);

  it('refuses a second proxy on the repository and on a linked worktree of it, naming pid and port; takes over from a killed one', async () => {
    const repo = await makeRepo({ initial: true });
    const wt = join(tempDir('wt'), 'linked');
    await git(repo, ['worktree', 'add', '-q', '-b', 'linked', wt]);
    const file = config(tempDir('cfg'));
    const { child, port } = await startProxy(repo, file);
    const pid = readRunFile(join(repo, '.git'))!.pid;
    for (const dir of [repo, wt]) {
      folders.push(dir);
      const second = await startTree(ZX, [START, '--repo', dir, '--config', file, '--', 'sh', '-c', 'echo ran'], { env, reject: false });
      expect(second.exitCode).toBe(1);
      // One start path (scripts/start.mjs is the CLI's start): the refusal names the proxy's pid and address, and how to use it.
      expect(second.stderr).toContain(
        `a proxy already runs for ${dir === repo ? repo : `this repository, in the worktree ${repo}`} (pid ${pid}, http://127.0.0.1:${port})`,
      );
      expect(second.stderr).toContain(`ANTHROPIC_BASE_URL=http://127.0.0.1:${port}`);
      expect(second.stdout).toBe(''); // no export line, and the command never ran
    }
    process.kill(pid, 'SIGKILL');
    await child;
    const next = await startProxy(wt, file);
    expect(next.port).toBeGreaterThan(0);
    expect(readRunFile(join(repo, '.git'))!.pid).not.toBe(pid);
    next.child.kill('SIGTERM');
    expect((await next.child).exitCode).toBe(143);
  }, 60_000);
});

describe("husky's prepare while the proxy runs", () => {
  it('points core.hooksPath back at .husky/_; the proxy sees .git/config change and chains husky again', async () => {
    const repo = await makeRepo({ initial: true });
    const husky = () =>
      execa(
        'node',
        [
          '--input-type=module',
          '-e',
          `import h from ${JSON.stringify(join(ROOT, 'node_modules', 'husky', 'index.js'))}; process.stdout.write(h())`,
        ],
        { cwd: repo },
      );
    await husky();
    const { child } = await startProxy(repo, config(tempDir('cfg')));
    const ours = join(repo, '.git', 'fallback-hooks');
    const hooksPath = async () => (await git(repo, ['config', 'core.hooksPath'])).stdout.trim();
    expect(await hooksPath()).toBe(ours);
    await husky(); // npm install
    expect(await hooksPath()).toBe('.husky/_');
    const warned = new Promise<string>((resolve) =>
      child.stderr!.on('data', (d: Buffer) => d.toString().includes('core.hooksPath was changed') && resolve(d.toString())),
    );
    expect(await warned).toContain('the fallback hooks run again, after the hooks in .husky/_');
    expect(await hooksPath()).toBe(ours);
  }, 60_000);
});

describe('the pid file check in the hooks', () => {
  it('does not count a live process with the same pid but another start time (pid reuse)', async () => {
    const repo = await makeRepo({ initial: true });
    await (await import('../../proxy/git/install-hooks.mjs')).installHooks(repo);
    await start(repo, 'claude');
    await commitFile(repo, 'a.txt', 'a\n', 'Add a', { env: CLAUDE_CODE });
    expect(await models(repo)).toEqual(['claude']);
    writeFileSync(runFilePath(join(repo, '.git')), `${process.pid} ${Number(processStart(process.pid)) + 1}\n`);
    await commitFile(repo, 'b.txt', 'b\n', 'Add b', { env: CLAUDE_CODE });
    expect(await models(repo)).toEqual([]);
  });
});
