// A SIGKILL of the proxy in the middle of an auto-commit: git's children die with it, no index.lock is left, and the
// user's index (a partial hunk staged as its own blob) is what it was. The auto-commit is made slow by a clean filter
// of the repository's own config that sleeps, so the kill lands while `git add -A` runs.

import { afterEach, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { execa } from 'execa';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture, startFakeUpstream } from '../helpers/fake-upstream.ts';
import { configYaml } from '../../test-support/config-yaml.ts';
import { makeRepo } from '../../test-support/repo.ts';
import { writeTurns } from '../helpers/tool-writes.ts';
import { git } from '../../proxy/git/git.ts';
import { commitAtSwitch } from '../../proxy/git/switch-commit.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const ROOT = join(import.meta.dirname, '..', '..');
const APP_TS = join(ROOT, 'proxy', 'app.ts');

/** Linux's process table: pid → [parent pid, state, command line]. */
function processes(): Map<number, { ppid: number; state: string; cmd: string }> {
  const out = new Map<number, { ppid: number; state: string; cmd: string }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(name), { ppid: Number(ppid), state, cmd: readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ') });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function descendants(root: number): number[] {
  const table = processes();
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const [child, p] of table) if (p.ppid === pid) (found.push(child), walk(child));
  };
  walk(root);
  return found;
}

/** Still running: present and not a zombie (an orphan's zombie may wait for a reaper that never comes). */
const alive = (pids: number[]) => {
  const table = processes();
  return pids.filter((pid) => table.has(pid) && table.get(pid)!.state !== 'Z').map((pid) => `${pid} ${table.get(pid)!.cmd}`);
};

async function until<T>(what: string, ms: number, probe: () => T | undefined | false): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(process.platform !== 'linux')('a crash in the middle of an auto-commit', () => {
  it("leaves no git child running, no index.lock, and the user's staging as it was after SIGKILL of the proxy", async () => {
    const limited = await startFakeUpstream(() => ({
      kind: 'json',
      status: 429,
      body: JSON.parse(fixture('anthropic-429.json')),
      headers: { 'retry-after': '3600' },
    }));
    const backup = await startFakeUpstream(() => ({ kind: 'sse', text: fixture('anthropic-stream-text.sse') }));
    cleanup.push(
      () => limited.close(),
      () => backup.close(),
    );
    const repo = await makeRepo();
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
    writeFileSync(join(repo, 'a.txt'), lines.join('\n') + '\n');
    await git(repo, ['add', 'a.txt']);
    await git(repo, ['commit', '-qm', 'start']);
    // The user's own staging: the first of two hunks, as its own blob (what `git add -p` makes).
    const both = [...lines];
    both[1] = 'line 2 edited';
    both[27] = 'line 28 edited';
    writeFileSync(join(repo, 'a.txt'), both.join('\n') + '\n');
    const firstOnly = [...lines];
    firstOnly[1] = 'line 2 edited';
    const blob = (await git(repo, ['hash-object', '-w', '--stdin'], { input: firstOnly.join('\n') + '\n' })).stdout.trim();
    await git(repo, ['update-index', '--cacheinfo', `100644,${blob},a.txt`]);
    // The slow part: a clean filter that sleeps, the user's own config (as git-lfs or git-crypt install one).
    await git(repo, ['config', 'filter.slow.clean', 'sleep 30; cat']);
    writeFileSync(join(repo, '.git', 'info', 'attributes'), '*.slow filter=slow\n');
    writeFileSync(join(repo, 'data.slow'), 'slow to clean\n');
    const configFile = join(repo, '.git', 'proxy.yaml');
    writeFileSync(
      configFile,
      configYaml({
        tiers: [
          { name: 'claude', protocol: 'anthropic', base_url: limited.url },
          { name: 'deepseek', protocol: 'anthropic', base_url: backup.url, api_key: 'k' },
        ],
        git: { auto_commit: true },
      }),
    );
    const startedAt = Date.now() - 1000;
    const before = {
      head: (await git(repo, ['rev-parse', 'HEAD'])).stdout,
      entries: (await git(repo, ['ls-files', '-s'])).stdout,
      cached: (await git(repo, ['diff', '--cached'])).stdout,
    };

    const script = join(repo, '.git', 'proxy.mts');
    writeFileSync(
      script,
      `import { startApp } from ${JSON.stringify(APP_TS)};
const app = await startApp({ repo: ${JSON.stringify(repo)}, configFile: ${JSON.stringify(configFile)}, log: (l) => process.stderr.write(l + '\\n'), env: {} });
process.stdout.write(app.port + '\\n');
`,
    );
    const proxy = execa('node', ['--import', 'tsx', script], { reject: false, cwd: ROOT });
    cleanup.push(() => void proxy.kill('SIGKILL'));
    const port = await new Promise<number>((done) => proxy.stdout!.once('data', (b: Buffer) => done(Number(b.toString().trim()))));
    const client = new Anthropic({ apiKey: 'sk-ant-client', baseURL: `http://127.0.0.1:${port}`, maxRetries: 0 });
    const asked = client.messages
      // Claude wrote a.txt and data.slow (the results of its Write calls): the auto-commit takes them.
      .stream({
        model: 'claude-sonnet-4-6',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'hi' }, ...writeTurns(repo, ['a.txt', 'data.slow'])],
      })
      .finalMessage()
      .catch((e: unknown) => e);

    // The switch's auto-commit is now in `git add`, waiting on the filter.
    const tree = await until('the clean filter to run', 15_000, () => {
      const pids = descendants(proxy.pid!);
      return alive(pids).some((p) => p.includes('sleep 30')) && pids;
    });
    cleanup.push(() => {
      for (const pid of tree) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    });
    expect(alive(tree).some((p) => /\bgit\b.* add -A/.test(p))).toBe(true);
    proxy.kill('SIGKILL');
    await proxy;
    await asked;

    // Within a few seconds nothing the proxy started is left running.
    await until('every child of the proxy to end', 5_000, () => alive(tree).length === 0).catch(() => undefined);
    expect(alive(tree)).toEqual([]);
    expect(existsSync(join(repo, '.git', 'index.lock'))).toBe(false);
    expect((await git(repo, ['rev-parse', 'HEAD'])).stdout).toBe(before.head);
    expect((await git(repo, ['ls-files', '-s'])).stdout).toBe(before.entries);
    expect((await git(repo, ['diff', '--cached'])).stdout).toBe(before.cached);
    expect(before.entries).toContain(blob);
    // The temporary index the proxy could not remove holds no lock either (git removed it on SIGTERM).
    const scratch = readdirSync(tmpdir())
      .filter((n) => n.startsWith('fallback-auto-commit-'))
      .map((n) => join(tmpdir(), n))
      .filter((d) => (statSync(d, { throwIfNoEntry: false })?.mtimeMs ?? 0) >= startedAt);
    expect(scratch.length).toBeGreaterThan(0);
    for (const d of scratch) expect(readdirSync(d).filter((n) => n.endsWith('.lock'))).toEqual([]);
    // The next auto-commit (here: of a proxy started again, the filter fixed) removes it, its proxy being gone.
    await git(repo, ['config', '--unset', 'filter.slow.clean']);
    const again = await commitAtSwitch({
      repo,
      from: 'claude',
      to: 'deepseek',
      reason: 'rate_limit',
      tagPrefix: 'model-',
      runStartedAt: new Date().toISOString(),
    });
    expect(again.commit).not.toBeNull();
    for (const d of scratch) expect(existsSync(d)).toBe(false);
    expect((await git(repo, ['ls-files', '-s', 'a.txt'])).stdout).toContain(blob);
    expect((await git(repo, ['status', '--porcelain'])).stdout).toBe('MM a.txt\n');
  }, 40_000);
});
