// Starts the real proxy (startApp) on port 0 for a fresh temporary git repository and a config
// written as YAML, with a clock the test can move on, and reads back the ledger it writes.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startApp, type App } from '../../proxy/app.ts';
import { readLedger, type LedgerEvent } from '../../proxy/git/ledger.ts';
import { configYaml, type ConfigSpec } from '../../test-support/config-yaml.ts';
import { makeRepo } from '../../test-support/repo.ts';
import { createTestClock, type TestClock } from './clock.ts';

export type { TierSpec } from '../../test-support/config-yaml.ts';

export type HarnessOptions = ConfigSpec & { env?: NodeJS.ProcessEnv };

export type Harness = App & {
  url: string;
  repo: string;
  logs: string[];
  /** The proxy's time: `clock.advance(ms)` ends a cooldown without waiting for it. */
  clock: TestClock;
  events(): LedgerEvent[];
  /** The ledger once every line the proxy queued so far is written (usage lines follow the response). */
  settledEvents(): Promise<LedgerEvent[]>;
  close(): Promise<void>;
};

export async function startHarness(opts: HarnessOptions): Promise<Harness> {
  const repo = await makeRepo();
  const configFile = join(repo, '.fallbackrc.yaml');
  writeFileSync(configFile, configYaml(opts)); // JSON is YAML
  const logs: string[] = [];
  const clock = createTestClock();
  const app = await startApp({
    repo,
    configFile,
    log: (l) => logs.push(l),
    env: opts.env ?? {},
    notifyRetry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 },
    clock,
  });
  return {
    ...app,
    url: `http://127.0.0.1:${app.port}`,
    repo,
    logs,
    clock,
    events: () => readLedger(app.ledgerPath),
    settledEvents: async () => {
      await app.proxy.ledger.flushed();
      return readLedger(app.ledgerPath);
    },
    close: () => app.proxy.close(500),
  };
}
