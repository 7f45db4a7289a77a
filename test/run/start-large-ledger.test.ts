// A proxy started on a repository with a large ledger and no summary yet: it listens first (nothing reads the ledger
// before), builds the summary in the background afterwards, and its run file carries the active run on line 4 from
// the start line on (proxy/run/run.ts), which is all the hooks read for it.

import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startApp, type App } from '../../proxy/app.ts';
import { stampOf } from '../../proxy/git/run-tag.ts';
import { summaryPath } from '../../proxy/ledger/ledger-index.ts';
import { readRunFile } from '../../proxy/run/run-file.ts';
import { configYaml } from '../../test-support/config-yaml.ts';
import { generateLedger } from '../../test-support/generate-ledger.ts';
import { makeRepo } from '../../test-support/repo.ts';

const apps: App[] = [];
const dirs: string[] = [];
afterEach(async () => {
  while (apps.length) await apps.pop()!.proxy.close(500);
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

it('listens before the summary of a 100k-line ledger exists, builds it afterwards, and writes the active run on line 4', async () => {
  const repo = await makeRepo();
  dirs.push(repo);
  const ledger = join(repo, '.git', 'model-ledger');
  await generateLedger(ledger, { lines: 100_000, start: Date.now() - 3 * 86_400_000, days: 3 });
  const configFile = join(repo, '.fallbackrc.yaml');
  writeFileSync(
    configFile,
    configYaml({
      tiers: [
        { name: 'claude', protocol: 'anthropic', base_url: 'http://127.0.0.1:9' },
        { name: 'deepseek', protocol: 'anthropic', base_url: 'http://127.0.0.1:9', api_key: 'k' },
      ],
    }),
  );
  const app = await startApp({ repo, configFile, log: () => {}, env: {} });
  apps.push(app);
  // Listening, and the summary (about 20 MB of ledger, read 1 MiB at a time with a yield after each) not yet built.
  expect(existsSync(summaryPath(ledger))).toBe(false);
  const health = await fetch(`http://127.0.0.1:${app.port}/health`);
  expect(health.status).toBe(200);
  const run = readRunFile(join(repo, '.git'));
  expect(run?.pid).toBe(process.pid);
  expect(run?.run).toMatchObject({ tier: 'claude', first: 'claude', port: app.port });
  expect(run?.run?.stamp).toBe(stampOf(Date.parse(run!.info!.started)));
  // The summary follows in the background.
  for (let i = 0; i < 600 && !existsSync(summaryPath(ledger)); i++) await new Promise((r) => setTimeout(r, 50));
  expect(existsSync(summaryPath(ledger))).toBe(true);
});
