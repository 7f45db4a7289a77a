// One hooks watcher for both start paths (proxy/cli/hooks-watch.ts, run by the proxy process): husky's `prepare`
// points core.hooksPath back at .husky/_ on every npm install; while `claude-fallback -- command` runs, the proxy sees
// the repository's config change and chains the fallback hooks after husky's again, saying so in its log. (Before,
// only scripts/start.mjs watched: an `npm install` during a `claude-fallback -- claude` session lost the hooks.)

import { execa } from 'execa';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, expect, it } from 'vitest';
import { git } from '../../proxy/git/git.ts';
import { makeRepo } from '../../test-support/repo.ts';
import { startTree, stopAllTrees, waitForNoLeftovers } from '../helpers/process-tree.ts';
import { cliEnv, ROOT } from './installed.ts';

const BIN = join(ROOT, 'bin', 'claude-fallback.mjs');
const folders: string[] = [];
afterEach(() => stopAllTrees());
afterAll(async () => {
  expect(await waitForNoLeftovers(folders), 'processes left running in the test repositories').toEqual([]);
});

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('claude-fallback -- command chains its hooks again after husky resets core.hooksPath', async () => {
  const repo = await makeRepo();
  folders.push(repo);
  const config = join(repo, '.git', 'test-fallback.yaml');
  writeFileSync(
    config,
    'proxy:\n  port: 0\ntiers:\n  - name: claude\n    protocol: anthropic\n    base_url: http://127.0.0.1:9\ngit:\n  auto_commit: false\n',
  );
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
  const ours = join(repo, '.git', 'fallback-hooks');
  const hooksPath = async () => (await git(repo, ['config', 'core.hooksPath'], { reject: false })).stdout.trim();
  const session = startTree(process.execPath, [BIN, '--config', config, '--', 'sleep', '60'], { cwd: repo, env: cliEnv(), reject: false });
  await until('the first installation', async () => (await hooksPath()) === ours);
  await husky(); // npm install during the session
  expect(await hooksPath()).toBe('.husky/_');
  await until('the hooks chained again', async () => (await hooksPath()) === ours);
  const log = join(repo, '.git', 'fallback-proxy.log');
  await until('the log line', () => readFileSync(log, 'utf8').includes('core.hooksPath was changed'));
  expect(readFileSync(log, 'utf8')).toContain('the fallback hooks run again, after the hooks in .husky/_');
  session.kill('SIGTERM');
  await session;
}, 60_000);
