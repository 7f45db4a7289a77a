// Starts the real proxy (startApp) on port 0 for a fresh temporary git repository and a config
// written as YAML, and reads back the ledger it writes.

import { mkdtempSync, writeFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { startApp, type App } from '../../proxy/app.ts';
import { readLedger, type LedgerEvent } from '../../proxy/git/ledger.ts';

export type TierSpec = {
  name: string;
  protocol: 'anthropic' | 'openai' | 'gemini';
  base_url: string;
  api_key?: string;
  model?: string;
  models?: Record<string, string>;
  max_output_tokens?: number;
};

export type HarnessOptions = {
  tiers: TierSpec[];
  fallback?: Record<string, string>;
  git?: { auto_commit?: boolean; tag_prefix?: string };
  notify?: Record<string, unknown>;
  proxy?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
};

export type Harness = App & {
  url: string;
  repo: string;
  logs: string[];
  events(): LedgerEvent[];
  /** The ledger once every line the proxy queued so far is written (usage lines follow the response). */
  settledEvents(): Promise<LedgerEvent[]>;
  close(): Promise<void>;
};

export function makeRepo(prefix = 'fallback-repo-'): string {
  const repo = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Test User');
  git('config', 'user.email', 'test@example.com');
  git('config', 'commit.gpgsign', 'false');
  return repo;
}

export function configYaml(opts: HarnessOptions): string {
  return JSON.stringify({
    proxy: { host: '127.0.0.1', port: 0, ...opts.proxy },
    tiers: opts.tiers,
    fallback: { cooldown: '15m', max_wait: '10s', first_byte_timeout: '5s', holdback: '2s', ...opts.fallback },
    git: { auto_commit: false, tag_prefix: 'model-', ...opts.git },
    notify: { webhooks: [], on_switch: [], ...opts.notify },
  });
}

export async function startHarness(opts: HarnessOptions): Promise<Harness> {
  const repo = makeRepo();
  const configFile = join(repo, '.fallbackrc.yaml');
  writeFileSync(configFile, configYaml(opts)); // JSON is YAML
  const logs: string[] = [];
  const app = await startApp({ repo, configFile, log: (l) => logs.push(l), env: opts.env ?? {}, notifyRetry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 } });
  return {
    ...app,
    url: `http://127.0.0.1:${app.port}`,
    repo,
    logs,
    events: () => readLedger(app.ledgerPath),
    settledEvents: async () => {
      await app.proxy.ledger.flushed();
      return readLedger(app.ledgerPath);
    },
    close: () => app.proxy.close(500),
  };
}
