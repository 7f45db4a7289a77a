// The real proxy (startApp, --verbose as `start.mjs --verbose` runs it) for a fresh git repository and
// tiers that may carry the vendor and capability keys, plus the small waits the vendor tests share.

import { mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { startApp, type App } from '../../proxy/app.ts';
import { readLedger, type LedgerEvent } from '../../proxy/git/ledger.ts';

export type VendorTier = {
  name: string;
  protocol: 'anthropic' | 'openai' | 'gemini';
  base_url: string;
  api_key?: string;
  model?: string;
  vendor?: string;
  vision?: boolean;
  image_types?: string[];
  documents?: boolean;
  context_window?: number;
  max_output_tokens?: number;
};

export type VendorHarness = App & {
  url: string;
  repo: string;
  logs: string[];
  events(): LedgerEvent[];
  /** Resolves once tier `i` is out of its cooldown (as /status reports it). */
  healthy(i: number): Promise<void>;
  close(): Promise<void>;
};

export function newRepo(): string {
  const repo = realpathSync(mkdtempSync(join(tmpdir(), 'fallback-vendor-')));
  const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Test User');
  git('config', 'user.email', 'test@example.com');
  git('config', 'commit.gpgsign', 'false');
  return repo;
}

export async function startVendorHarness(tiers: VendorTier[], fallback: Record<string, string> = {}): Promise<VendorHarness> {
  const repo = newRepo();
  const configFile = join(repo, '.fallbackrc.yaml');
  const config = {
    proxy: { host: '127.0.0.1', port: 0 },
    tiers,
    fallback: { cooldown: '15m', max_wait: '0s', first_byte_timeout: '5s', holdback: '2s', ...fallback },
    git: { auto_commit: false },
    notify: { webhooks: [], on_switch: [] },
  };
  writeFileSync(configFile, JSON.stringify(config)); // JSON is YAML
  const logs: string[] = [];
  const app = await startApp({
    repo,
    configFile,
    log: (l) => logs.push(l),
    env: {},
    verbose: true,
    notifyRetry: { attempts: 1, baseDelayMs: 10, maxDelayMs: 10 },
  });
  const url = `http://127.0.0.1:${app.port}`;
  return {
    ...app,
    url,
    repo,
    logs,
    events: () => readLedger(app.ledgerPath),
    async healthy(i) {
      for (let n = 0; n < 400; n++) {
        const status = (await (await fetch(`${url}/status`)).json()) as { tiers: { healthy: boolean }[] };
        if (status.tiers[i].healthy) return;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`tier ${i} never came out of its cooldown`);
    },
    close: () => app.proxy.close(500),
  };
}
